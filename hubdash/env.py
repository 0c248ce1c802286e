"""Settings from the environment through small typed helpers that fail loudly."""

from __future__ import annotations

import base64
import math
import os
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    # float() also reads "nan" and "inf", which no timeout or size can mean.
    if not math.isfinite(number):
        raise ImproperlyConfigured(f"{name} must be a finite number, not {value!r}")
    return number


def envlist(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def envsecret(name: str, *, production: bool, dev_file: Path, generate: Callable[[], str]) -> str:
    """A secret from the environment; in development, generated once and kept in an ignored file."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if production:
        raise ImproperlyConfigured(f"{name} must be set in production (see .env.example)")
    dev_file.parent.mkdir(parents=True, exist_ok=True)
    if not dev_file.exists():
        dev_file.write_text(generate())
        dev_file.chmod(0o600)
    return dev_file.read_text().strip()


def new_secret_key() -> str:
    return secrets.token_urlsafe(50)


def new_token_key_spec() -> str:
    """A fresh AES-256 key in the `id:base64` form of HUBDASH_TOKEN_KEYS (`python -m hubdash.env`)."""
    key_id = "k" + datetime.now(UTC).strftime("%Y%m%d") + secrets.token_hex(2)
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}"


if __name__ == "__main__":
    print(new_token_key_spec())
