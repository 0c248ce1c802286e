"""Configuration checks: a setting that parses but cannot work stops hubdash before it serves anyone.

Django runs these before management commands (so `make run`'s migrate and the release step stop on
them) and `hubdash.wsgi` runs them when gunicorn loads the application, since gunicorn runs none.
Each message names the variable, says what is wrong and how to fix it.

The static files check is a deployment check (`check --deploy`, and production start-up): in
development nothing is collected, and `collectstatic` itself must run before the files exist.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, cast
from urllib.parse import SplitResult, urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.http.request import split_domain_port
from gunicorn.util import parse_address

logger = logging.getLogger(__name__)

TAG = "hubdash"
NEW_KEY_HINT = (
    "Each entry is id:base64 of 32 random bytes, newest first, comma-separated; "
    "`python -m hubdash.env` prints a new one."
)
HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$")
# Read by hubdash/gunicorn.conf.py with int(): checked here so that a typo gets a message, not a traceback.
GUNICORN_COUNTS = {
    "HUBDASH_WORKERS": 1,
    "HUBDASH_THREADS": 1,
    "HUBDASH_WORKER_TIMEOUT": 0,
    "HUBDASH_MAX_REQUESTS": 0,
}

Messages = list[checks.CheckMessage]


def config_error(check_id: str, msg: str, hint: str) -> checks.Error:
    return checks.Error(msg, hint=hint, id=f"hubdash.{check_id}")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _split_url(value: str) -> SplitResult | None:
    """The URL's parts, or None when its port is not a number from 0 to 65535."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (reading it validates it)
    except ValueError:
        return None
    return parts


@checks.register(TAG)
def check_hub_endpoint(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    endpoint = settings.HF_ENDPOINT
    parts = _split_url(endpoint)
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        return [
            config_error(
                "E002",
                f"HF_ENDPOINT must be the Hub's address as an absolute http(s) URL, not {endpoint!r}.",
                "For example https://huggingface.co (the default): no query, fragment or credentials.",
            )
        ]
    if settings.PRODUCTION and parts.scheme != "https" and not _is_loopback(parts.hostname):
        return [
            config_error(
                "E003",
                f"HF_ENDPOINT must use https in production, not {endpoint!r}: members' tokens are sent there.",
                "Use the Hub's https:// address (plain http is accepted only for a Hub on this machine).",
            )
        ]
    return []


@checks.register(TAG)
def check_numbers(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    # (variable, its value in the variable's own unit, whether 0 means something)
    numbers: list[tuple[str, float, bool]] = [
        ("HUBDASH_HUB_CONNECT_TIMEOUT", settings.HUB_CONNECT_TIMEOUT, False),
        ("HUBDASH_HUB_READ_TIMEOUT", settings.HUB_READ_TIMEOUT, False),
        ("HUBDASH_HUB_CONCURRENCY", settings.HUB_CONCURRENCY, False),
        ("HUBDASH_WHOAMI_CACHE_SECONDS", settings.WHOAMI_CACHE_SECONDS, False),
        ("HUBDASH_HUB_CACHE_SECONDS", settings.HUB_CACHE_SECONDS, False),
        ("HUBDASH_SWITCH_INTERVAL_MS", settings.SWITCH_INTERVAL_MS, False),
        ("HUBDASH_SESSION_HOURS", settings.SESSION_COOKIE_AGE / 3600, False),
        ("HUBDASH_LOGIN_FAILURE_LIMIT", settings.AXES_FAILURE_LIMIT, False),
        ("HUBDASH_LOGIN_COOLOFF_MINUTES", cooloff.total_seconds() / 60, False),
        # 0 turns HSTS off (Django's deployment check then warns).
        ("HUBDASH_HSTS_SECONDS", getattr(settings, "SECURE_HSTS_SECONDS", 0), True),
    ]
    return [
        config_error(
            "E004",
            f"{name} must be {'0 or more' if zero_allowed else 'more than 0'}, not {value:g}.",
            "Set a positive number, or unset it for the default (see .env.example).",
        )
        for name, value, zero_allowed in numbers
        if value < 0 or (value == 0 and not zero_allowed)
    ]


@checks.register(TAG)
def check_cache_url(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    url = settings.CACHE_URL
    if not url:
        return []
    parts = _split_url(url)
    if parts is None:
        problem = "its port is not a number from 0 to 65535"
    elif parts.scheme == "unix":
        problem = "" if parts.path.startswith("/") else "a unix:// URL needs the socket's absolute path"
    elif not parts.hostname:
        problem = "it names no host"
    elif parts.path not in ("", "/") and not re.fullmatch(r"/\d+", parts.path):
        problem = "its path must be a database number such as /0"
    else:
        problem = ""
    if problem:
        return [
            config_error(
                "E005",
                f"HUBDASH_CACHE_URL is not a usable Redis URL: {problem}.",
                "Use redis://host:6379/0, rediss://… for TLS, or unix:///path/to/redis.sock; "
                "unset it for the file cache.",
            )
        ]
    return []


def _bind_problem(bind: str) -> str:
    """What is wrong with a gunicorn bind address, read the way gunicorn reads it, or ""."""
    try:
        address = parse_address(bind)
    except RuntimeError as exc:
        return str(exc)
    if isinstance(address, str):
        return "" if address else "a unix: address needs a socket path"
    if isinstance(address, int):
        return "" if address >= 0 else "a file descriptor cannot be negative"
    host, port = address
    if not 0 <= port <= 65535:
        return f"port {port} is not from 0 to 65535"
    if host and not HOSTNAME.match(host):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return f"{host!r} is neither a host name nor an IP address"
    return ""


@checks.register(TAG)
def check_gunicorn(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    errors: Messages = []
    bind = os.environ.get("HUBDASH_BIND", "")
    problem = _bind_problem(bind) if bind else ""
    if problem:
        errors.append(
            config_error(
                "E006",
                f"HUBDASH_BIND is not an address gunicorn can listen on ({bind!r}): {problem}.",
                "Use host:port (127.0.0.1:8000, [::1]:8000, 0.0.0.0:8000) or unix:/path/to/socket.",
            )
        )
    for name, least in GUNICORN_COUNTS.items():
        value = os.environ.get(name, "")
        if value and not (value.strip().isdigit() and int(value) >= least):
            errors.append(
                config_error(
                    "E010",
                    f"{name} must be a whole number of at least {least}, not {value!r}.",
                    "Set it to a whole number or unset it for the default (see .env.example).",
                )
            )
    return errors


@checks.register(TAG, checks.Tags.security)
def check_hosts_and_origins(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    if not settings.PRODUCTION:
        return []
    errors: Messages = []
    for host in settings.ALLOWED_HOSTS:
        domain, port = split_domain_port(host)
        if host == "*" or not domain or port:
            errors.append(
                config_error(
                    "E007",
                    f"HUBDASH_ALLOWED_HOSTS has {host!r}, which is not an exact host name.",
                    "List the names hubdash answers to, without scheme, port or path "
                    "(hubdash.example.org, or .example.org for its subdomains); never *.",
                )
            )
    for origin in settings.CSRF_TRUSTED_ORIGINS:
        parts = _split_url(origin)
        if parts is None or parts.scheme != "https" or not parts.hostname or parts.path or parts.query:
            errors.append(
                config_error(
                    "E008",
                    f"HUBDASH_CSRF_TRUSTED_ORIGINS has {origin!r}, which is not an https origin.",
                    "Each origin is https:// and a host (and port if not 443), nothing after it: "
                    "https://hubdash.example.org. Unset it to trust each allowed host over https.",
                )
            )
    return errors


@checks.register(TAG, checks.Tags.staticfiles, deploy=True)
def check_static_files_collected(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return []  # development serves the source folders as they are
    hint = "Run `python manage.py collectstatic --noinput` (the Procfile's release step does) before starting hubdash."
    try:
        # (paths, hash) since Django 4.2; django-stubs still describe the older dict.
        collected, _ = cast("tuple[dict[str, str], str]", staticfiles_storage.load_manifest())
    except ValueError:
        return [config_error("E009", f"The static files manifest under {settings.STATIC_ROOT} cannot be read.", hint)]
    if not collected:
        return [
            config_error(
                "E009",
                f"Static files are not collected: {settings.STATIC_ROOT} has no staticfiles.json, "
                "so every page would fail.",
                hint,
            )
        ]
    return []


def refuse_to_start_on_errors() -> None:
    """Run the checks a `manage.py` command would (deployment ones in production); raise on any error.

    Raising, rather than exiting, makes gunicorn stop as it loads the app (in its master: `preload_app`)
    instead of starting workers that would fail the same way.
    """
    found = checks.run_checks(include_deployment_checks=settings.PRODUCTION)
    found = [message for message in found if not message.is_silenced()]
    for message in found:
        if not message.is_serious():
            logger.warning("%s", message)
    errors = [message for message in found if message.is_serious()]
    if errors:
        listed = "\n".join(str(message) for message in errors)
        raise ImproperlyConfigured(f"hubdash will not start until these settings are fixed:\n{listed}")
