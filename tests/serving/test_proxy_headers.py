"""What deploy/nginx/ tells the application about a client: only what nginx itself saw. A client that
forges X-Forwarded-For or the scheme headers (to dodge sign-in throttling, or to pass for HTTPS) is
not believed, because nginx replaces or drops those headers before hubdash reads them."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.serving.echo import echo_server
from tests.serving.stack import free_port, start_nginx, stop, wait_for

pytestmark = pytest.mark.serving


@pytest.fixture
def behind_nginx() -> Iterator[str]:
    prefix = Path(tempfile.mkdtemp(prefix="hubdash-nginx-"))
    port = free_port()
    with echo_server() as echo_port:
        nginx = start_nginx(prefix, port, echo_port)
        try:
            wait_for(f"http://127.0.0.1:{port}/", nginx)
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(nginx)
            shutil.rmtree(prefix, ignore_errors=True)


def test_forged_forwarding_headers_do_not_reach_the_application(behind_nginx: str) -> None:
    forged = {
        "X-Forwarded-For": "203.0.113.7",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Ssl": "on",
        "X-Forwarded-Protocol": "ssl",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Port": "443",
        "X-Real-IP": "203.0.113.7",
        "Forwarded": "for=203.0.113.7;proto=https",
    }
    seen = requests.get(behind_nginx + "/accounts/login/", headers=forged, timeout=10).json()
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the address nginx saw the client connect from
    assert seen["x-forwarded-proto"] == "http"  # the scheme nginx was reached by
    assert seen["host"] == behind_nginx.removeprefix("http://")  # with the port: Origin and links need it
    for dropped in ["x-forwarded-ssl", "x-forwarded-protocol", "x-forwarded-host", "x-forwarded-port"]:
        assert dropped not in seen
    assert "x-real-ip" not in seen and "forwarded" not in seen
