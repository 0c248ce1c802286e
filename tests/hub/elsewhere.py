"""A server on another loopback port that the Hub may redirect to: it records what reaches it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Elsewhere:
    url: str
    body: bytes = b'{"name": "mallory", "fullname": "Not You", "auth": {"accessToken": {"role": "write"}}}'
    content_type: str = "application/json"
    seen: list[dict[str, str]] = field(default_factory=list)  # each request: path and headers


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        record = self.server.record
        record.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("Content-Type", record.content_type)
        self.send_header("Content-Length", str(len(record.body)))
        self.end_headers()
        self.wfile.write(record.body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: Elsewhere


@pytest.fixture
def elsewhere() -> Iterator[Elsewhere]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.record = Elsewhere(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.record
    server.shutdown()
    server.server_close()
