"""A small closed-loop load generator for the benchmarks: N clients, each its own connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figures:
    rate: float  # requests per second
    p99_ms: float
    failures: int


def measure(new_client: Callable[[int], Callable[[], bool]], clients: int, seconds: float) -> Figures:
    """Run `clients` threads for `seconds`; `new_client(n)` returns a call that makes one request
    and says whether it succeeded."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker(n: int) -> None:
        call = new_client(n)
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = call()
            mine.append(time.perf_counter() - started)
            failed += 0 if ok else 1
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else 0.0
    return Figures(len(latencies) / elapsed, p99, failures[0])
