"""What deploy/nginx/ tells the application about a client: only what nginx itself saw. A client that
forges X-Forwarded-For or the scheme headers (to dodge sign-in throttling, or to pass for HTTPS) is
not believed, because nginx replaces or drops those headers before hubdash reads them."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.serving.stack import free_port, start_nginx, stop, wait_for


class Echo(BaseHTTPRequestHandler):
    """Answers with the headers it received, as the application behind nginx sees them."""

    def do_GET(self) -> None:
        body = json.dumps({name.lower(): value for name, value in self.headers.items()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def behind_nginx() -> Iterator[str]:
    echo = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    prefix = Path(tempfile.mkdtemp(prefix="hubdash-nginx-"))
    port = free_port()
    nginx = start_nginx(prefix, port, echo.server_address[1])
    try:
        wait_for(f"http://127.0.0.1:{port}/", nginx)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(nginx)
        echo.shutdown()
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
    assert seen["host"] == "127.0.0.1"
    for dropped in ["x-forwarded-ssl", "x-forwarded-protocol", "x-forwarded-host", "x-forwarded-port"]:
        assert dropped not in seen
    assert "x-real-ip" not in seen and "forwarded" not in seen
