"""`python -m tests.hubsim --port PORT [--seed demo] [--data-dir DIR]`: serve until stopped."""

from __future__ import annotations

import argparse
import signal
import sys
import time

from .app import HubSim


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.hubsim", description="A Hugging Face Hub emulator for tests."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback by default)")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--seed", choices=["demo"], help="start with the demo world")
    parser.add_argument("--data-dir", help="keep the world and file contents in this folder across restarts")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    hub = HubSim(args.host, args.port, args.seed, args.data_dir).start()
    elapsed = time.perf_counter() - started
    print(f"hubsim serving at {hub.url} ({len(hub.world.repos)} repos, started in {elapsed:.2f}s)", flush=True)

    def stop(*_: object) -> None:
        hub.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
