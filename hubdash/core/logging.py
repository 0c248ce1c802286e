"""A logging filter that keeps anything shaped like a Hub token out of every log record."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(hf_|api_)[A-Za-z0-9]{6,}|(?i:bearer)\s+[^\s'\"]+")


def redact(text: str) -> str:
    return _TOKEN.sub("[redacted]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks can quote request headers or arguments: keep the type, drop the text.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
