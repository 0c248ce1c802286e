"""The one door to the Hub: huggingface_hub with the signed-in user's token, timeouts and our errors.

No call here ever falls back to a token from the server's environment or cache: a user without a
token calls with `token=False`.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import httpx2
from django.conf import settings
from django.core.cache import cache
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
from huggingface_hub.utils import get_session, hf_raise_for_status, parse_ratelimit_headers

from hubdash.core.logging import redact

from . import breaker, errors, parse, transport
from .types import HubIdentity

transport.install()

# A slow Hub must not take every worker thread: pages that need no Hub keep working. Waiting for a slot
# holds a thread too, so few calls wait, and briefly: at most half as many as there are slots, for
# SLOT_WAIT_S, and only while the calls holding the slots are young (the Hub answers as usual). Once
# one has waited on the Hub for SLOW_CALL_S, or the queue is full, "busy" comes at once.
_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None
_in_flight: dict[object, float] = {}  # each call holding a slot: when it took it
_waiting = 0
SLOT_WAIT_S = 0.25
SLOW_CALL_S = 1.0

# The health check's own slot, budget and memory (the shared cache): it never takes a member's slot,
# never waits, and hammering /healthz asks the Hub at most about once per HEALTH_CACHE_S.
HEALTH_TIMEOUT_S = 2.0
HEALTH_CACHE_S = 5
_health_slot = threading.Lock()
_last_health: dict[str, bool] = {}

UNREADABLE = "The Hub sent an answer hubdash could not read; try again later."


def _take_slot(slots: threading.BoundedSemaphore) -> bool:
    global _waiting
    if slots.acquire(blocking=False):
        return True
    with _slots_lock:
        oldest = min(_in_flight.values(), default=time.monotonic())
        if time.monotonic() - oldest >= SLOW_CALL_S or _waiting >= max(1, settings.HUB_CONCURRENCY // 2):
            return False  # the Hub is slow, or enough threads wait already: waiting would only hold this one
        _waiting += 1
    try:
        return slots.acquire(timeout=SLOT_WAIT_S)
    finally:
        with _slots_lock:
            _waiting -= 1


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
    """Run Hub calls, and parse their answers, with hubdash's rules around them.

    A dead Hub's circuit answers at once; a slot is taken (or "busy" at once); the block has
    HUBDASH_HUB_TOTAL_TIMEOUT in all, however the Hub trickles; the client's and the network's
    exceptions, and any answer of a shape the parsers refuse, become hubdash's own errors.
    """
    endpoint = settings.HF_ENDPOINT
    probe = breaker.admit(endpoint)
    slots = _hub_slots()
    if not _take_slot(slots):
        breaker.record(endpoint, probe, None)
        raise errors.HubUnavailable("hubdash is busy talking to the Hub; try again in a moment.")
    call = object()
    with _slots_lock:
        _in_flight[call] = time.monotonic()
    answered: bool | None = True
    try:
        with transport.deadline(settings.HUB_TOTAL_TIMEOUT), parse.translating():
            yield
    except Exception as err:
        hub_error = _hub_error(err)
        if hub_error is None:
            answered = None if not isinstance(err, errors.HubError) else True
            raise
        if isinstance(err, httpx2.ConnectError | httpx2.TimeoutException):
            answered = False  # silence: what the breaker counts
        raise hub_error from None
    finally:
        with _slots_lock:
            del _in_flight[call]
        slots.release()
        breaker.record(endpoint, probe, answered)


def _hub_error(err: Exception) -> errors.HubError | None:
    """hubdash's error for an exception raised by a Hub call or a parser; None to let it through."""
    match err:
        case RevisionNotFoundError():
            return errors.UnknownRevision("That revision does not exist on the Hub.")
        case GatedRepoError():
            return errors.NoAccess("This repository is gated: ask for access on the Hub first.")
        case RepositoryNotFoundError():
            return errors.NotFound("The Hub has no such repository, or your token may not see it.")
        case BadRequestError():
            return errors.InvalidRequest(f"The Hub refused the request: {_server_message(err)}")
        case HfHubHTTPError():
            return _from_status(err)
        case HFValidationError():
            return errors.InvalidRequest(f"Not a valid request for the Hub: {err}")
        case httpx2.ConnectError():
            return errors.HubUnavailable("hubdash cannot reach the Hub right now; try again in a moment.")
        case httpx2.TimeoutException():
            return errors.HubUnavailable("The Hub did not answer in time; try again in a moment.")
        case httpx2.TransportError():
            return errors.HubUnavailable("The connection to the Hub broke off; try again in a moment.")
        case transport.OffHubRedirect():
            return errors.HubUnavailable("The Hub redirected hubdash to another site, which it does not follow.")
        case httpx2.HTTPError():  # undecodable bodies, redirect loops: the Hub's answer is not usable
            return errors.HubUnavailable(UNREADABLE)
        case ValueError() | KeyError() | TypeError() | AttributeError() | OverflowError() | RecursionError():
            # Every parse of a Hub answer runs in here (json.JSONDecodeError and parse.Unreadable are
            # ValueErrors): a shape hubdash does not expect is "could not read", never a crash.
            return errors.HubUnavailable(UNREADABLE)
    return None


def _server_message(err: HfHubHTTPError) -> str:
    """The Hub's own reason, with any token or secret it echoes removed: every HubError's message is stored
    (a repo's last error, a bulk item's outcome, a rule's problems) and shown."""
    response = err.response
    message = response.headers.get("X-Error-Message") if response is not None else None
    if not message and response is not None:
        with contextlib.suppress(ValueError, AttributeError):
            body = response.json()
            message = body.get("error") if isinstance(body, dict) else None
    return redact(str(message or "no reason given"))[:300]


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
    """Seconds to wait before trying again, as the client itself waits (`http_backoff`): the window's reset
    plus one when none is left (`r=0`), else the Hub's `Retry-After`; None when the Hub says neither."""
    if response is None:
        return None
    info = parse_ratelimit_headers(response.headers)
    if info is not None and info.remaining == 0:
        return info.reset_in_seconds + 1
    value = response.headers.get("Retry-After", "").strip()
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
            return parse.identity(self._api.whoami(token=self._token))

    @staticmethod
    def ping() -> bool:
        """Whether the Hub answers at all (no token sent): for health checks.

        Its own slot and a budget of HEALTH_TIMEOUT_S, never a member's slot; the answer is reused for
        HEALTH_CACHE_S by every worker, and while one check is under way the others do not wait for it.
        """
        endpoint = settings.HF_ENDPOINT
        key = f"hub:health:{salted_hmac('hubdash.hub.health', endpoint).hexdigest()[:16]}"
        last = _shared_health(lambda: cache.get(key))
        if isinstance(last, bool):
            return last
        if not _health_slot.acquire(blocking=False):
            return _last_health.get(endpoint, False)  # another thread is asking the Hub right now
        try:
            answered = not breaker.is_open(endpoint) and _ping(endpoint)
            _shared_health(lambda: cache.set(key, answered, HEALTH_CACHE_S))
            _last_health[endpoint] = answered
            return answered
        finally:
            _health_slot.release()


def _shared_health(use_cache: Callable[[], object]) -> object:
    """The shared cache's part in a health check; a broken cache is the health check's own finding, not the Hub's."""
    try:
        return use_cache()
    except Exception:
        return None


def _ping(endpoint: str) -> bool:
    try:
        with transport.deadline(HEALTH_TIMEOUT_S):
            response = get_session().get(f"{endpoint}/api/models-tags-by-type", follow_redirects=False)
            hf_raise_for_status(response)
    except Exception:  # whatever went wrong, the Hub did not answer as it should; /healthz must not fail
        return False
    return True
