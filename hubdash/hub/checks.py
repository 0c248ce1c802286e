"""hub's own configuration check: the token keys (registered by HubConfig.ready, with core's checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks

from hubdash.core.checks import NEW_KEY_HINT, TAG, Messages, config_error

from .vault import TokenKeyError, parse_keys


@checks.register(TAG)
def check_token_keys(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> Messages:
    try:
        parse_keys(settings.HUBDASH_TOKEN_KEYS)
    except TokenKeyError as exc:
        # vault's messages name key ids, never key material.
        detail = str(exc) if str(exc).startswith("HUBDASH_TOKEN_KEYS") else f"HUBDASH_TOKEN_KEYS: {exc}"
        return [config_error("E001", f"{detail}, so hubdash could neither store nor read Hub tokens.", NEW_KEY_HINT)]
    return []
