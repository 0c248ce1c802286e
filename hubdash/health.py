"""The health check: each part hubdash depends on, with its state.

200 while everything hubdash needs to serve pages works (database, cache, static files, token keys);
503 naming what does not. The Hub's reachability is reported but not required: pages that need no
Hub still work without it. Only state words are answered, never an error's text.

At project level (beside urls.py), not in `core`: it asks every part, the Hub's door among them, and
`core` imports no app.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hubdash.hub import HubClient, keys_work

logger = logging.getLogger(__name__)


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return bool(cursor.fetchone() == (1,))


def _cache() -> bool:
    # A key of its own, so that concurrent checks from several workers never read each other's value.
    key, value = f"hubdash:healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 30)
    found = cache.get(key)
    cache.delete(key)
    return bool(found == value)


def _static() -> bool:
    # What this process serves with: files collected after it started are not in its manifest.
    if isinstance(staticfiles_storage, ManifestFilesMixin):
        return bool(staticfiles_storage.hashed_files)
    return True  # development serves the source folders


def _state(name: str, probe: Callable[[], bool], failed: str) -> str:
    """ "ok", or `failed` if the probe says no or raises: a health check never answers 500."""
    try:
        if probe():
            return "ok"
        logger.warning("health check: %s failed", name)
    except Exception as exc:  # any backend's own error means the part is down
        logger.warning("health check: %s failed: %s: %s", name, type(exc).__name__, exc)
    return failed


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    required = {
        "database": _state("database", _database, "unavailable"),
        "cache": _state("cache", _cache, "unavailable"),
        "static": _state("static", _static, "missing"),
        "token_keys": _state("token_keys", keys_work, "unusable"),
    }
    failing = [name for name, state in required.items() if state != "ok"]
    hub = _state("hub", HubClient.ping, "unreachable")
    return JsonResponse({**required, "hub": hub, "failing": failing}, status=503 if failing else 200)
