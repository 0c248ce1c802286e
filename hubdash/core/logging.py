"""A logging filter that keeps anything shaped like a Hub token out of every log record."""

from __future__ import annotations

import logging
import re

# Hub tokens (`hf_` + random letters and digits; old `api_` ones) and any bearer credential. Requiring
# a digit spares identifiers such as `hf_hub_download` in tracebacks.
_TOKEN = re.compile(r"\b(?:hf|api)_(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{8,}|(?i:bearer)\s+[^\s'\"]+")


def redact(text: str) -> str:
    return _TOKEN.sub("[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks can quote headers or arguments: format it now, redacted, in place of the original.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
