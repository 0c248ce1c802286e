"""The HTTP client under every Hub call: timeouts, a total deadline, and where answers may come from.

huggingface_hub makes one shared `httpx2.Client` through the factory set here, and hubdash's own calls
use the same client (`get_session()`), so these rules hold for every Hub call, present and future:

- httpx's timeouts bound each connect and each read, not a whole call: a Hub that sends its body a few
  bytes every few seconds never trips them. Inside `deadline(s)` every socket operation is cut to the
  time left, so the call ends by then whatever the Hub does.
- API answers are believed only from `HF_ENDPOINT`'s origin: a redirect elsewhere is refused before
  it is followed. File content (`/resolve/`) may follow the Hub to its storage; httpx drops the
  token on any redirect off the Hub's origin (keeping it only on an http-to-https upgrade of the same
  host), which the tests check with a second server that records what reaches it.
"""

from __future__ import annotations

import contextlib
import functools
import http.cookiejar
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore2
import httpx2
from django.conf import settings
from huggingface_hub.utils import set_client_factory

# Not re-exported publicly; pinned with huggingface_hub==2.4.0. It adds the client's request id and
# honours offline mode.
from huggingface_hub.utils._http import hf_request_event_hook

_deadline: ContextVar[float | None] = ContextVar("hubdash_hub_deadline", default=None)
_no_total_deadline: ContextVar[bool] = ContextVar("hubdash_hub_no_total_deadline", default=False)
_least_op_timeout: ContextVar[float | None] = ContextVar("hubdash_hub_least_op_timeout", default=None)


class OffHubRedirect(httpx2.HTTPError):
    """The Hub's API answered with a redirect to another origin: its answer is not believed."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every Hub socket operation in this block (this thread) ends within `seconds` from now."""
    if _no_total_deadline.get():
        yield
        return
    end = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _deadline.reset(token)


def time_left(limit: float) -> float:
    """`limit`, or less when this thread's deadline comes sooner: how long a Hub call may still wait."""
    end = _deadline.get()
    return limit if end is None else max(0.0, min(limit, end - time.monotonic()))


@contextlib.contextmanager
def without_total_deadline(least_op_timeout: float | None = None) -> Iterator[None]:
    """A Hub call that may rightly take minutes (a push of large files, in a background job): no total
    deadline in this block, `deadline()` inside it included. Each connect, read and write keeps its own
    timeout, so a Hub that stops answering still ends the call; `least_op_timeout` lengthens those that
    are shorter (the Hub may think for a while before answering the end of a multi-gigabyte upload)."""
    flag, end, least = _no_total_deadline.set(True), _deadline.set(None), _least_op_timeout.set(least_op_timeout)
    try:
        yield
    finally:
        _least_op_timeout.reset(least)
        _deadline.reset(end)
        _no_total_deadline.reset(flag)


def _left(timeout: float | None, expired: type[Exception]) -> float | None:
    """The socket timeout to use now: httpx's own, cut to what is left of the deadline."""
    least = _least_op_timeout.get()
    if least is not None and timeout is not None:
        timeout = max(timeout, least)
    end = _deadline.get()
    if end is None:
        return timeout
    left = end - time.monotonic()
    if left <= 0:
        raise expired("the Hub call ran out of time")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore2.NetworkStream):
    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore2.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _left(timeout, httpcore2.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore2.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore2.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore2.NetworkStream:
        left = _left(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, left, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore2.NetworkStream:
        left = _left(timeout, httpcore2.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """The certificates trusted for the Hub, loaded once: 50-100 ms of CPU each time. gunicorn's master
    loads them before the workers fork (hubdash/warmup.py), as each worker's client is made anew after it."""
    return httpx2.create_ssl_context()


class _DeadlineTransport(httpx2.HTTPTransport):
    """httpx's transport on a connection pool whose sockets keep the deadline (httpx cannot pass one in)."""

    def __init__(self) -> None:
        super().__init__(verify=ssl_context())
        limits = httpx2.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
        self._pool = httpcore2.ConnectionPool(
            ssl_context=ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
        )


def _hub_origin() -> httpx2.URL:
    return httpx2.URL(settings.HF_ENDPOINT)


def _same_origin(url: httpx2.URL, origin: httpx2.URL) -> bool:
    return (url.scheme, url.host, url.port or _PORTS.get(url.scheme)) == (
        origin.scheme,
        origin.host,
        origin.port or _PORTS.get(origin.scheme),
    )


_PORTS = {"http": 80, "https": 443}


def _is_file(url: httpx2.URL) -> bool:
    """A file's content (`…/resolve/<revision>/<path>`), which the Hub serves from its storage."""
    return "/resolve/" in url.path


def _answers_only_from_the_hub(response: httpx2.Response) -> None:
    """Refuse a redirect from the Hub's API to another origin, before anything follows it."""
    if not response.has_redirect_location:
        return
    request, hub = response.request, _hub_origin()
    if not _same_origin(request.url, hub) or _is_file(request.url):
        return  # a file on its way to storage: bytes, and no token goes with them
    try:
        target = request.url.join(response.headers["Location"])
    except httpx2.InvalidURL:
        target = None
    if target is None or not _same_origin(target, hub):
        raise OffHubRedirect(f"the Hub's API at {request.url.path} redirected to another site")


def new_client() -> httpx2.Client:
    """The shared client: huggingface_hub's request hook, our timeouts, deadline and origin rules, and the
    hook that keeps the Hub's rate-limit figures of every answer (ratelimit.py)."""
    from .ratelimit import remember  # imports client.py, which installs this factory

    client = httpx2.Client(
        transport=_DeadlineTransport(),
        event_hooks={
            "request": [hf_request_event_hook],
            "response": [_answers_only_from_the_hub, remember],
        },
        follow_redirects=True,
        timeout=httpx2.Timeout(settings.HUB_READ_TIMEOUT, connect=settings.HUB_CONNECT_TIMEOUT),
    )
    # One client serves every person: a cookie the Hub or its storage sets must never be replayed for another.
    client.cookies.jar.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return client


def install() -> None:
    """Make `new_client` huggingface_hub's factory (again, after a test changes the timeouts)."""
    set_client_factory(new_client)
