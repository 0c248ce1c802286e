"""The clients of the slow-client figures: slow or silent connections held open, and ordinary requests.

Slow-header connections send a request line, then one more header line every `interval` seconds and
never finish; silent connections connect and send nothing. Both reconnect when the server closes
them, as an attacker would, so that `count` of them stay open throughout.
"""

from __future__ import annotations

import select
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests


@dataclass
class SlowConnections:
    port: int
    count: int
    kind: str  # "headers" (a line every interval) or "silent"
    interval: float = 2.0
    reconnect: bool = True
    lifetimes: list[float] = field(default_factory=list)  # seconds each closed connection lasted
    _open: dict[socket.socket, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        if self.kind == "headers":
            sock.sendall(f"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n".encode())
        sock.setblocking(False)
        self._open[sock] = time.monotonic()

    def _closed(self, sock: socket.socket) -> None:
        self.lifetimes.append(time.monotonic() - self._open.pop(sock))
        sock.close()

    def _run(self) -> None:
        line = 0
        next_line = time.monotonic() + self.interval
        while not self._stop.is_set():
            with self._lock:
                readable, _, _ = select.select(list(self._open), [], [], 0) if self._open else ([], [], [])
                for sock in readable:
                    try:
                        if not sock.recv(65536):  # the server hung up (an answer first, if any, is read too)
                            self._closed(sock)
                    except OSError:
                        self._closed(sock)
                if self.kind == "headers" and time.monotonic() >= next_line:
                    line += 1
                    next_line += self.interval
                    for sock in list(self._open):
                        try:
                            sock.send(f"X-Slow-{line}: {line}\r\n".encode())
                        except OSError:
                            self._closed(sock)
                while self.reconnect and len(self._open) < self.count:
                    self._connect()
            self._stop.wait(0.05)

    @property
    def open(self) -> int:
        return len(self._open)

    @contextmanager
    def held(self) -> Iterator[SlowConnections]:
        """Open the connections (all at once, before yielding) and keep them open until the block ends."""
        with self._lock:
            for _ in range(self.count):
                self._connect()
        worker = threading.Thread(target=self._run, daemon=True)
        worker.start()
        try:
            yield self
        finally:
            self._stop.set()
            worker.join()
            for sock in list(self._open):
                sock.close()
            self._open.clear()


@dataclass
class Latencies:
    seconds: list[float]  # of the requests answered 200
    failures: list[str]  # what happened to the others

    @property
    def total(self) -> int:
        return len(self.seconds) + len(self.failures)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")

    def summary(self) -> str:
        if not self.seconds:
            return f"0 of {self.total} answered: {self.failures[:3]}"
        return (
            f"p50 {statistics.median(self.seconds) * 1000:6.0f} ms  p99 {self.percentile(99) * 1000:6.0f} ms  "
            f"max {max(self.seconds) * 1000:6.0f} ms  {len(self.seconds)}/{self.total} answered 200"
        )


def ordinary_requests(url: str, count: int = 40, clients: int = 4, timeout: float = 20, pause: float = 0) -> Latencies:
    """`count` sign-in page loads by `clients` people at once, each on a fresh connection as a newcomer's,
    each person waiting `pause` seconds between loads (to spread the loads over the slow clients' cycle)."""

    def one(_: int) -> float | str:
        started = time.monotonic()
        try:
            answer = requests.get(url, timeout=timeout, headers={"Connection": "close"}, allow_redirects=False)
            outcome: float | str = (
                time.monotonic() - started if answer.status_code == 200 else f"status {answer.status_code}"
            )
        except requests.RequestException as error:
            outcome = type(error).__name__
        time.sleep(pause)
        return outcome

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(one, range(count)))
    return Latencies([r for r in results if isinstance(r, float)], [r for r in results if isinstance(r, str)])
