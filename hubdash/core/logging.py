"""A logging filter that keeps anything shaped like a secret out of every log record.

LOGGING in settings puts it on every handler, Django's own included: a filter on a logger would miss
records that propagate to it from below.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

_REDACTED = "[redacted]"

# Hub tokens (`hf_` and the old `api_`, then letters, digits or underscores; demo tokens have no digit,
# OAuth ones start `hf_oauth_`), bearer credentials, OAuth fields by name, passwords inside URLs.
_TOKEN = re.compile(
    r"(?P<token>(?<![A-Za-z0-9])(?:hf|api)_[A-Za-z0-9_]{8,})"
    r"|(?i:bearer)\s+[^\s'\"]+"
    r"|(?P<field>(?i:access_token|refresh_token|id_token|client_secret|code_verifier)[\"']?\s*[:=]\s*[\"']?)[^\s&\"',;}]+"
    r"|(?P<userinfo>://[^/\s:@]*:)[^@\s/]+(?=@)"
)

# Names from huggingface_hub that tracebacks quote and that look like tokens; no token is spelled so.
_LIBRARY_NAMES = frozenset(
    {
        "hf_raise_for_status",
        "hf_hub_args",
        "hf_hub_download",
        "hf_hub_download_to_cache_dir",
        "hf_hub_download_to_local_dir",
        "hf_hub_http_error",
        "hf_hub_version",
        "hf_cache_info",
        "hf_model_id",
        "hf_thread_map",
        "hf_file_metadata",
        "hf_file_system",
        "hf_endpoint_in_url",
        "hf_request_event_hook",
        "hf_response_event_hook",
        "api_call_error",
        "api_endpoint",
    }
)

# Invitation and password-reset links carry a one-time secret as a path segment (hubdash/team/urls.py:
# invitation/<token>/, password/reset/<uidb64>/<token>/), and every access or request log writes paths. The
# segment goes, whatever comes around it (a full URL, a request line); the token-less steps the links
# redirect to keep their names. A slash may come percent-encoded, which Django decodes before routing.
_SLASH = r"(?:/|%2[Ff])"
_SEGMENT = r"[^/%\s?#\"'<>]+(?:%(?!2[Ff])[^/%\s?#\"'<>]*)*"
_TOKEN_PATH = re.compile(
    rf"(?P<head>{_SLASH}invitation{_SLASH}|{_SLASH}password{_SLASH}reset{_SLASH}{_SEGMENT}{_SLASH})(?P<token>{_SEGMENT})"
)
_NOT_TOKENS = frozenset({"accept", "set-password"})

_registered: set[str] = set()


def register_secret(value: str) -> None:
    """Redact this value from every later log record (a webhook secret, an OAuth client secret...)."""
    if len(value) >= 8 and value not in _registered:
        _registered.add(value)
        _known_secrets.cache_clear()


def redact_token_paths(text: str) -> str:
    """The text with the secret of every invitation or reset link in it replaced; needs no settings (gunicorn
    logs with it before Django is loaded)."""
    return _TOKEN_PATH.sub(_replace_token_path, text)


def _replace_token_path(match: re.Match[str]) -> str:
    if match.group("token") in _NOT_TOKENS:
        return match.group(0)
    return match.group("head") + _REDACTED


def redact(text: str) -> str:
    text = redact_token_paths(_TOKEN.sub(_replace, text))
    known = _known_secrets()
    return known.sub(_REDACTED, text) if known is not None else text


def _replace(match: re.Match[str]) -> str:
    if match.group("token") in _LIBRARY_NAMES:
        return match.group(0)
    # A named field or a URL keeps its name, only the value goes.
    return (match.group("field") or match.group("userinfo") or "") + _REDACTED


@lru_cache(maxsize=1)
def _known_secrets() -> re.Pattern[str] | None:
    """hubdash's own secrets, from settings: the signing keys, the token keys, the database's and cache's
    passwords, any setting named like a secret, and the values registered at run time."""
    values: set[str] = set(_registered)
    for name in dir(settings):
        if name.isupper() and re.search(r"(SECRETS?|SECRET_KEY|SECRET_KEY_FALLBACKS|TOKEN_KEYS|PASSWORD)$", name):
            value = getattr(settings, name)
            for item in value if isinstance(value, list | tuple) else [value]:
                if isinstance(item, str):
                    values.add(item)
                    values.add(item.split(":", 1)[-1])  # "id:key" token keys: the key alone too
    for database in settings.DATABASES.values():
        values.add(str(database.get("PASSWORD") or ""))
    cache_url = str(getattr(settings, "CACHE_URL", "") or "")
    values.add(urlsplit(cache_url).password or "")
    secrets = sorted((v for v in values if len(v) >= 8), key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in secrets)) if secrets else None


class RedactTokenPaths(logging.Filter):
    """For loggers that run before Django's settings are read (gunicorn's own): the links' secrets only."""

    @staticmethod
    def clean(text: str) -> str:
        return redact_token_paths(text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks can quote headers or arguments: format it now, redacted, in place of the original.
            record.exc_text = self.clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self.clean(record.stack_info)
        return True


class QuietClientErrors(logging.Filter):
    """A refusal (4xx) is one line in the log: Django attaches the PermissionDenied it came from as a
    traceback, which says nothing about a person opening a page they may not see."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info, record.exc_text = None, None
        return True


class RedactTokens(RedactTokenPaths):
    """Every secret: tokens by their shape, hubdash's own secrets, the links' secrets."""

    @staticmethod
    def clean(text: str) -> str:
        return redact(text)


def redact_on_every_handler() -> None:
    """Once the apps are loaded: libraries that attach handlers of their own at import get the filter too.

    huggingface_hub adds a bare stderr handler to its logger when imported, after LOGGING was applied; its
    records also reach the root's handler, so that one is removed rather than filtered (no double lines).
    """
    logging.getLogger("huggingface_hub").handlers.clear()
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, RedactTokens) for f in handler.filters):
                handler.addFilter(RedactTokens())
