"""Slow clients against the production way of serving (nginx from deploy/nginx/ in front of gunicorn),
on loopback ports. Figures (latency) are `make bench-slow-clients`'s; these tests assert outcomes.

What the deadlines cut is tested with the shipped snippet's deadlines shortened tenfold (the same directives,
so the same behaviour: one timer for all the headers, not renewed per line; a body deadline per read, not a
total), so that each waits seconds rather than the shipped tens of seconds; a test checks the shipped values.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serving.clients import SlowConnections, ordinary_requests
from tests.serving.stack import DEPLOY, SIGN_IN, Served, serving

pytestmark = pytest.mark.serving


SHIPPED = {"client_header_timeout": 10.0, "client_body_timeout": 30.0}  # seconds, deploy/nginx/hubdash-proxy.conf
SCALE = 10
HEADERS_S, BODY_S = SHIPPED["client_header_timeout"] / SCALE, SHIPPED["client_body_timeout"] / SCALE


@pytest.fixture(scope="module")
def production() -> Iterator[Served]:
    with serving(behind_nginx=True) as served:
        yield served


@pytest.fixture(scope="module")
def quick() -> Iterator[Served]:
    """The production way with the header and body deadlines a tenth of the shipped ones."""
    deadlines = {"client_header_timeout": f"{HEADERS_S * 1000:.0f}ms", "client_body_timeout": f"{BODY_S:.0f}s"}
    with serving(behind_nginx=True, nginx_deadlines=deadlines) as served:
        yield served


def test_the_shipped_deadlines_are_those_the_quick_tests_scale_down() -> None:
    snippet = (DEPLOY / "hubdash-proxy.conf").read_text()
    for directive, seconds in SHIPPED.items():
        assert re.findall(rf"^{directive} (\S+);$", snippet, flags=re.MULTILINE) == [f"{seconds:.0f}s"]


def gunicorn_log(served: Served) -> str:
    return (served.var_dir / "gunicorn.log").read_text()


def logged_soon(served: Served, line: str, seconds: float = 10) -> bool:
    """gunicorn writes a request's access line after the response has gone, so the client can read
    its answer before the line is there."""
    deadline = time.monotonic() + seconds
    while line not in gunicorn_log(served):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def read_until_closed(sock: socket.socket, seconds: float) -> bytes:
    """Everything the server sends until it closes the connection (or `seconds` pass: then fail)."""
    sock.settimeout(seconds)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_ordinary_requests_are_answered_while_slow_clients_hold_connections(production: Served) -> None:
    slow_headers = SlowConnections(production.port, 24, "headers")
    silent = SlowConnections(production.port, 100, "silent")
    with slow_headers.held(), silent.held():
        time.sleep(2)
        loads = ordinary_requests(production.url + SIGN_IN, count=40, clients=4, timeout=20)
        assert (slow_headers.open, silent.open) == (24, 100), "the slow clients should still be connected"
    assert loads.failures == []
    assert len(loads.seconds) == 40


def test_a_client_sending_its_headers_slowly_is_cut_off(quick: Served) -> None:
    # A line every fifth of the deadline: a timer renewed per line would never fire.
    slow = SlowConnections(quick.port, 1, "headers", interval=HEADERS_S / 5, reconnect=False)
    with slow.held():
        deadline = time.monotonic() + 6 * HEADERS_S
        while slow.open and time.monotonic() < deadline:
            time.sleep(0.02)
        assert slow.open == 0, "a client still sending header lines after six deadlines should have been cut off"
    assert len(slow.lifetimes) == 1
    assert slow.lifetimes[0] > 0.9 * HEADERS_S, "it was cut off while sending lines, not at once"


def stalled_upload(served: Served) -> bytes:
    """Half of a declared body, then nothing: what the server sends before it hangs up."""
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(
            b"POST /stalled-upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 2000\r\n\r\n" + b"x" * 1000
        )
        return read_until_closed(sock, 3 * BODY_S)


def steady_upload(served: Served) -> bytes:
    """A body trickled for longer than the per-read deadline: a chunk every 2/15 of it, for 1.2 times it (as
    shipped, a chunk every 4 s for 36 s against 30 s)."""
    chunks = 10
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n" + f"Content-Length: {chunks * 1000}\r\n\r\n".encode()
        )
        for n in range(chunks):
            if n:
                time.sleep(BODY_S * 2 / 15)
            sock.sendall(b"a" * 1000)
        return read_until_closed(sock, 60)


def test_a_stalled_upload_is_cut_off_and_a_slow_steady_one_is_not(quick: Served) -> None:
    production = quick
    with ThreadPoolExecutor(2) as pool:
        stalled = pool.submit(stalled_upload, production)
        steady = pool.submit(steady_upload, production)
        stalled_answer, steady_answer = stalled.result(), steady.result()
    # The stalled body is dropped by nginx (with a 408 at most): hubdash never sees the request,
    # so no gunicorn thread waited on it.
    assert stalled_answer == b"" or stalled_answer.startswith(b"HTTP/1.1 408"), stalled_answer[:200]
    assert "/stalled-upload/" not in gunicorn_log(production)
    # The steady body, longer than the per-read deadline, is taken whole (nginx hands gunicorn only whole
    # bodies), and hubdash answers it: the sign-in form refuses a post without a CSRF token.
    assert steady_answer.startswith(b"HTTP/1.1 403"), steady_answer[:200]
    assert logged_soon(production, '"POST /accounts/login/" 403'), gunicorn_log(production)[-2000:]
