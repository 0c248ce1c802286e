"""Debian's `wrk` as the load generator for page throughput: C, one thread, keep-alive connections.

A small Lua script sets the session cookie and, when given a file of paths, asks for each path once
in turn (a new query per request); it prints wrk's figures as one JSON line.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = r"""
local paths, turn = {}, 0
local fallback = os.getenv("BENCH_FALLBACK")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do paths[#paths + 1] = line end
  end
end

function request()
  if #paths == 0 then return wrk.request() end
  turn = turn + 1
  -- Past the end of the list, still a new query each time (one that matches nothing).
  return wrk.format("GET", paths[turn] or (fallback .. turn))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


@dataclass
class WrkFigures:
    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: int  # socket errors, timeouts and HTTP statuses of 400 and over
    requests: int
    seconds: float
    cpu_s: float  # wrk's own CPU time: the load generator's share of the machine


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    url: str, cookie: str, seconds: float, connections: int, paths: list[str] | None = None, fallback: str = ""
) -> WrkFigures:
    """`connections` keep-alive clients for `seconds` on `url`, or on each of `paths` (relative) in turn."""
    with tempfile.TemporaryDirectory(prefix="hubdash-wrk-") as tmp:
        script = Path(tmp, "bench.lua")
        script.write_text(SCRIPT)
        duration = f"-d{max(1, round(seconds))}s"
        args = ["wrk", "-t1", f"-c{connections}", duration, "--timeout", "10s", "-s", str(script), url]
        if paths:
            listing = Path(tmp, "paths.txt")
            listing.write_text("\n".join(paths) + "\n")
            args += ["--", str(listing)]
        env = dict(os.environ, BENCH_COOKIE=cookie, BENCH_FALLBACK=fallback or "/")
        # wrk's CPU: the growth of reaped children's CPU (no other child of ours ends meanwhile).
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        out, err = process.communicate()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {err.strip() or out.strip()}")
    line = next(x for x in reversed(out.splitlines()) if x.startswith("{"))
    data = json.loads(line)
    elapsed = data["duration_us"] / 1e6
    return WrkFigures(
        rate=data["requests"] / elapsed,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
        errors=data["errors"],
        requests=data["requests"],
        seconds=elapsed,
        cpu_s=(after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
    )
