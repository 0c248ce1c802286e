"""Ordinary requests while slow clients hold connections open: the production way against bare gunicorn.

    python -m tests.bench.slow_clients [--slow 100] [--requests 40] [--clients 4] [--timeout 10]

Prints p50/p99/max of sign-in page loads (a fresh connection each, `--clients` at once) with no slow
client, with `--slow` connections that send a header line every 2 s, and with `--slow` silent
connections; both kinds reconnect when the server closes them. Target for the production way
(nginx in front of gunicorn, deploy/nginx/): every ordinary request answered within 1 s. Needs
Debian's nginx at /usr/sbin/nginx.
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.bench import summary
from tests.serving.clients import Latencies, SlowConnections, ordinary_requests
from tests.serving.stack import SIGN_IN, nginx_binary, serving

TARGET_SECONDS = 1.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--slow", type=int, default=100, help="slow (or silent) connections held open")
    parser.add_argument("--requests", type=int, default=40, help="ordinary requests per figure")
    parser.add_argument("--clients", type=int, default=4, help="ordinary requests at once")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds each client waits between requests")
    parser.add_argument("--timeout", type=float, default=10, help="seconds before an ordinary request gives up")
    args = parser.parse_args()
    nginx_binary()  # fail now, with the reason, rather than after measuring gunicorn alone
    print(
        f"Sign-in page loads ({args.requests}, {args.clients} at once, {args.pause:.0f} s apart, "
        f"giving up after {args.timeout:.0f} s) while slow connections are held open (reconnecting when closed)"
    )
    production: list[Latencies] = []
    for label, behind_nginx in [("nginx + gunicorn (production)", True), ("gunicorn alone (make run)", False)]:
        print(f"\n{label}, gunicorn gthread 2 x 16 (hubdash/gunicorn.conf.py):")
        with serving(behind_nginx) as served:
            url = served.url + SIGN_IN
            ordinary_requests(url, 8, args.clients)  # warm both workers
            figures = ordinary_requests(url, args.requests, args.clients, args.timeout, args.pause)
            print(f"  {'no slow client':46s} {figures.summary()}")
            for kind, what in [("headers", "sending a header line every 2 s"), ("silent", "silent")]:
                with SlowConnections(served.port, args.slow, kind).held() as slow:
                    time.sleep(2)
                    figures = ordinary_requests(url, args.requests, args.clients, args.timeout, args.pause)
                    lived = f"median {statistics.median(slow.lifetimes):.0f} s" if slow.lifetimes else "none"
                print(
                    f"  {f'{args.slow} {what}':46s} {figures.summary()}\n"
                    f"  {'':46s} slow connections closed by the server meanwhile: {len(slow.lifetimes)} ({lived})"
                )
                if behind_nginx:
                    production.append(figures)
                summary.record(
                    "slow clients",
                    f"sign-in with {args.slow} {'slow-header' if kind == 'headers' else 'silent'} connections, "
                    + ("nginx + gunicorn" if behind_nginx else "gunicorn alone (make run)"),
                    " ".join(figures.summary().split()),
                    f"every request within {TARGET_SECONDS:.0f} s" if behind_nginx else "",
                    (not figures.failures and max(figures.seconds, default=0) <= TARGET_SECONDS)
                    if behind_nginx
                    else None,
                )
    met = all(not f.failures and max(f.seconds) <= TARGET_SECONDS for f in production)
    print(
        f"\nTarget, production way: every ordinary request within {TARGET_SECONDS:.0f} s with slow clients open: "
        + ("met" if met else "MISSED")
    )


if __name__ == "__main__":
    main()
