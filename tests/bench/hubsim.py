"""Benchmark hubsim: start-up time, small API requests per second, memory during a 1 GiB LFS upload.

    python -m tests.bench.hubsim [--seconds 5] [--clients 4] [--upload-mib 1024]

Targets (issue: hubsim): at least 500 small requests/s on loopback; a 1 GiB upload grows the
emulator's memory by no more than 50 MB. Figures are printed, not asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.bench import summary
from tests.bench.load import Figures, measure

os.environ.setdefault("HF_HUB_DISABLE_XET", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubsim-bench-")

ROOT = Path(__file__).resolve().parents[2]


def start() -> tuple[subprocess.Popen, str, float]:
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.hubsim", "--port", "0", "--seed", "demo"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    return process, line.split()[3], time.perf_counter() - began


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def request_rate(url: str, seconds: float, clients: int) -> Figures:
    host, port = url.removeprefix("http://").split(":")
    # hubsim's own speed is measured here, not its rate limit (a free account's 1,000 calls per 5 minutes).
    off = http.client.HTTPConnection(host, int(port), timeout=10)
    off.request("POST", "/_hubsim/ratelimit", body=b"{}", headers={"Content-Type": "application/json"})
    off.getresponse().read()
    off.close()
    paths = [
        "/api/models/acme/gated-llm",
        "/api/whoami-v2",
        "/api/models?limit=5&author=acme",
        "/api/datasets-tags-by-type",
    ]

    def new_client(n: int) -> Callable[[], bool]:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        turn = iter(range(n, 1 << 60))

        def call() -> bool:
            conn.request("GET", paths[next(turn) % len(paths)], headers={"Authorization": "Bearer hf_demo_alice_write"})
            answer = conn.getresponse()
            answer.read()
            return answer.status == 200

        return call

    return measure(new_client, clients, seconds)


def upload(url: str, pid: int, mib: int) -> tuple[float, int, int]:
    from huggingface_hub import HfApi

    api = HfApi(endpoint=url, token="hf_demo_alice_write")
    api.create_repo("alice/bench-upload", exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".bin") as fh:
        block = os.urandom(1 << 20)
        for i in range(mib):
            fh.write(block[:-8] + i.to_bytes(8, "big"))
        fh.flush()
        rss_before = memory_kib(pid, "VmRSS")
        began = time.perf_counter()
        api.upload_file(path_or_fileobj=fh.name, path_in_repo="big.bin", repo_id="alice/bench-upload")
        elapsed = time.perf_counter() - began
    return elapsed, rss_before, memory_kib(pid, "VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--upload-mib", type=int, default=1024)
    args = parser.parse_args()
    process, url, startup = start()
    try:
        print(f"hubsim start-up with --seed demo: {startup:.2f} s (target < 1 s)")
        summary.record("hubsim", "start-up with the demo world", f"{startup:.2f} s", "under 1 s", startup < 1)
        figures = request_rate(url, args.seconds, args.clients)
        print(
            f"small API requests: {figures.rate:.0f} requests/s, p99 {figures.p99_ms:.1f} ms, "
            f"{figures.failures} errors, {args.clients} keep-alive clients (target >= 500/s)"
        )
        summary.record(
            "hubsim",
            "small API requests",
            f"{figures.rate:.0f}/s, p99 {figures.p99_ms:.1f} ms, {figures.failures} errors",
            "at least 500/s",
            figures.rate >= 500 and not figures.failures,
        )
        if args.upload_mib:
            elapsed, before, peak = upload(url, process.pid, args.upload_mib)
            growth = (peak - before) / 1024
            print(
                f"LFS upload of {args.upload_mib} MiB: {elapsed:.1f} s, {args.upload_mib / elapsed:.0f} MiB/s; "
                f"hubsim RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB, growth {growth:.1f} MiB "
                "(target <= 50 MB)"
            )
            summary.record(
                "hubsim",
                f"memory growth during a {args.upload_mib} MiB LFS upload",
                f"{growth:.1f} MiB ({args.upload_mib / elapsed:.0f} MiB/s)",
                "at most 50 MB",
                growth * 1.048576 <= 50,
            )
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
