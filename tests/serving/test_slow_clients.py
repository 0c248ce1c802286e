"""Slow clients against the production way of serving (nginx from deploy/nginx/ in front of gunicorn),
on loopback ports. Figures (latency) are `make bench-slow-clients`'s; these tests assert outcomes."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.serving.clients import SlowConnections, ordinary_requests
from tests.serving.stack import SIGN_IN, Served, serving

pytestmark = pytest.mark.serving


@pytest.fixture(scope="module")
def production() -> Iterator[Served]:
    with serving(behind_nginx=True) as served:
        yield served


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


def test_a_client_sending_its_headers_slowly_is_cut_off(production: Served) -> None:
    slow = SlowConnections(production.port, 1, "headers", reconnect=False)
    with slow.held():
        deadline = time.monotonic() + 60
        while slow.open and time.monotonic() < deadline:
            time.sleep(0.2)
        assert slow.open == 0, "a client still sending header lines after 60 s should have been cut off"
    assert len(slow.lifetimes) == 1
    assert slow.lifetimes[0] > 2, "it was cut off while sending lines, not at once"


def stalled_upload(served: Served) -> bytes:
    """Half of a declared body, then nothing: what the server sends before it hangs up."""
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(
            b"POST /stalled-upload/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Length: 2000\r\n\r\n" + b"x" * 1000
        )
        return read_until_closed(sock, 90)


def steady_upload(served: Served) -> bytes:
    """A body trickled for longer than any per-read deadline's worth (a chunk every 4 s for 36 s)."""
    chunks = 10
    with socket.create_connection(("127.0.0.1", served.port)) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n" + f"Content-Length: {chunks * 1000}\r\n\r\n".encode()
        )
        for n in range(chunks):
            if n:
                time.sleep(4)
            sock.sendall(b"a" * 1000)
        return read_until_closed(sock, 60)


def test_a_stalled_upload_is_cut_off_and_a_slow_steady_one_is_not(production: Served) -> None:
    with ThreadPoolExecutor(2) as pool:
        stalled = pool.submit(stalled_upload, production)
        steady = pool.submit(steady_upload, production)
        stalled_answer, steady_answer = stalled.result(), steady.result()
    # The stalled body is dropped by nginx (with a 408 at most): hubdash never sees the request,
    # so no gunicorn thread waited on it.
    assert stalled_answer == b"" or stalled_answer.startswith(b"HTTP/1.1 408"), stalled_answer[:200]
    assert "/stalled-upload/" not in gunicorn_log(production)
    # The steady body, 36 s long, is taken whole (nginx hands gunicorn only whole bodies), and
    # hubdash answers it: the sign-in form refuses a post without a CSRF token.
    assert steady_answer.startswith(b"HTTP/1.1 403"), steady_answer[:200]
    assert logged_soon(production, '"POST /accounts/login/" 403'), gunicorn_log(production)[-2000:]
