"""The one door to the Hub: huggingface_hub with the signed-in user's token, timeouts and our errors.

No call here ever falls back to a token from the server's environment or cache: a user without a
token calls with `token=False`.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx2
from django.conf import settings
from django.utils.crypto import salted_hmac
from huggingface_hub import HfApi
from huggingface_hub.errors import (
    BadRequestError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import get_session, hf_raise_for_status, set_client_factory

# Not re-exported publicly; pinned with huggingface_hub==2.4.0. It keeps the client's request hook.
from huggingface_hub.utils._http import default_client_factory

from . import errors
from .types import HubIdentity, HubOrg, TokenScope


def _client_with_timeouts() -> httpx2.Client:
    # huggingface_hub sets no timeout by default; inside a web request that is never acceptable.
    client = default_client_factory()
    client.timeout = httpx2.Timeout(settings.HUB_READ_TIMEOUT, connect=settings.HUB_CONNECT_TIMEOUT)
    # One client serves every person: a cookie the Hub or its storage sets must never be replayed for another.
    client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return client


set_client_factory(_client_with_timeouts)

# A slow Hub must not take every worker thread: pages that need no Hub keep working.
_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None
SLOT_WAIT_S = 2


def _hub_slots() -> threading.BoundedSemaphore:
    """The per-process bound on concurrent Hub calls (HUBDASH_HUB_CONCURRENCY)."""
    global _slots
    size = max(1, settings.HUB_CONCURRENCY)
    with _slots_lock:
        if _slots is None or _slots[0] != size:
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Run Hub calls, turning the client's and the network's exceptions into hubdash's own."""
    slots = _hub_slots()
    if not slots.acquire(timeout=SLOT_WAIT_S):
        raise errors.HubUnavailable("hubdash is busy talking to the Hub; try again in a moment.")
    try:
        yield
    except RevisionNotFoundError:
        raise errors.UnknownRevision("That revision does not exist on the Hub.") from None
    except GatedRepoError:
        raise errors.NoAccess("This repository is gated: ask for access on the Hub first.") from None
    except RepositoryNotFoundError:
        raise errors.NotFound("The Hub has no such repository, or your token may not see it.") from None
    except BadRequestError as err:
        raise errors.InvalidRequest(f"The Hub refused the request: {_server_message(err)}") from None
    except HfHubHTTPError as err:
        raise _from_status(err) from None
    except HFValidationError as err:
        raise errors.InvalidRequest(f"Not a valid request for the Hub: {err}") from None
    except httpx2.ConnectError:
        raise errors.HubUnavailable("hubdash cannot reach the Hub right now; try again in a moment.") from None
    except httpx2.TimeoutException:
        raise errors.HubUnavailable("The Hub did not answer in time; try again in a moment.") from None
    except httpx2.TransportError:
        raise errors.HubUnavailable("The connection to the Hub broke off; try again in a moment.") from None
    except httpx2.HTTPError:  # undecodable bodies, redirect loops: the Hub's answer is not usable
        raise errors.HubUnavailable("The Hub sent an answer hubdash could not read; try again later.") from None
    except (json.JSONDecodeError, ValueError, KeyError, TypeError, AttributeError, OverflowError):
        # Every parse of a Hub answer runs in here: a shape hubdash does not expect is "could not read".
        raise errors.HubUnavailable("The Hub sent an answer hubdash could not read; try again later.") from None
    finally:
        slots.release()


def _server_message(err: HfHubHTTPError) -> str:
    response = err.response
    message = response.headers.get("X-Error-Message") if response is not None else None
    if not message and response is not None:
        with contextlib.suppress(ValueError, AttributeError):
            body = response.json()
            message = body.get("error") if isinstance(body, dict) else None
    return str(message or "no reason given")[:300]


def _from_status(err: HfHubHTTPError) -> errors.HubError:
    response = err.response
    status = response.status_code if response is not None else 0
    reason = _server_message(err)
    if status == 401:
        return errors.BadToken(f"The Hub rejected the token: {reason}")
    if status == 403:
        return errors.NoAccess(f"Your token may not do this: {reason}")
    if status == 404:
        return errors.NotFound(f"The Hub found nothing there: {reason}")
    if status == 409:
        return errors.InvalidRequest(f"The Hub reports a conflict: {reason}")
    if status == 429:
        retry_after = _retry_after(response)
        wait = f" Try again in {retry_after} s." if retry_after else " Try again later."
        return errors.RateLimited("The Hub is rate-limiting these requests." + wait, retry_after)
    if 400 <= status < 500:
        return errors.InvalidRequest(f"The Hub refused the request: {reason}")
    return errors.HubUnavailable(f"The Hub is having trouble (HTTP {status}); try again in a moment.")


def _retry_after(response: httpx2.Response | None) -> int | None:
    if response is None:
        return None
    ratelimit = response.headers.get("RateLimit", "")
    for part in ratelimit.split(";"):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            return int(value)
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def fingerprint(token: str) -> str:
    """A keyed hash of a token, for cache keys: they name this, never the token."""
    return salted_hmac("hubdash.hub.token-fingerprint", token).hexdigest()[:32]


class HubClient:
    """Hub calls on behalf of one person (or anonymously with `token=None`)."""

    def __init__(self, token: str | None) -> None:
        self._token = token
        self._api = HfApi(endpoint=settings.HF_ENDPOINT, token=token or False, library_name="hubdash")

    @property
    def cache_scope(self) -> str:
        """What this client's cached answers are filed under: a keyed hash of the token, never the token."""
        if not self._token:
            return "anon"
        return fingerprint(self._token)

    def whoami(self) -> HubIdentity:
        if not self._token:
            raise errors.NoToken("Connect your Hub token first.")
        with translated():
            data = self._api.whoami(token=self._token)
        return identity_from(data)

    @staticmethod
    def ping() -> bool:
        """Whether the Hub answers at all (no token sent): for health checks."""
        try:
            with translated():
                response = get_session().get(f"{settings.HF_ENDPOINT}/api/models-tags-by-type", timeout=3)
                hf_raise_for_status(response)
        except errors.HubError:
            return False
        return True


def absolute_avatar(url: str | None) -> str | None:
    """The Hub gives avatars as paths on itself or as full URLs; only HTTPS ones are shown."""
    if not url:
        return None
    full = urljoin(settings.HF_ENDPOINT + "/", url)
    return full if full.startswith("https://") else None


def identity_from(data: dict[str, Any]) -> HubIdentity:
    access = (data.get("auth") or {}).get("accessToken") or {}
    fine = access.get("fineGrained") or {}
    scopes = tuple(
        TokenScope(
            entity_type=str((scope.get("entity") or {}).get("type", "")),
            entity_name=str((scope.get("entity") or {}).get("name", "")),
            permissions=tuple(str(p) for p in scope.get("permissions") or []),
        )
        for scope in fine.get("scoped") or []
    )
    orgs = tuple(
        HubOrg(
            name=str(org["name"]),
            fullname=str(org.get("fullname") or org["name"]),
            role=org.get("roleInOrg"),
            avatar_url=absolute_avatar(org.get("avatarUrl")),
        )
        for org in data.get("orgs") or []
    )
    return HubIdentity(
        name=str(data["name"]),
        fullname=str(data.get("fullname") or data["name"]),
        avatar_url=absolute_avatar(data.get("avatarUrl")),
        email=data.get("email"),
        is_pro=bool(data.get("isPro")),
        orgs=orgs,
        token_role=str(access.get("role") or "unknown"),
        token_name=str(access.get("displayName") or ""),
        scopes=scopes,
        global_permissions=tuple(str(p) for p in fine.get("global") or []),
    )
