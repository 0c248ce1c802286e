"""`make bench`: every bench in one run, then one table of the figures that must hold, each with its target.

    python -m tests.bench.all [--only browse,activity,...] [--skip upload,...]

The benches run one after the other (never two at once: each wants the machine), each printing its own
lines as it measures; a bench that fails is reported in the table and the others still run. The page
benches (browse, pages, hung Hub, activity) go through nginx with deploy/nginx/ as shipped, in front of
gunicorn with hubdash's own configuration, and print each gunicorn worker's share of the workers' CPU. The
machine's load average is printed before and after: on a shared machine other work moves every figure.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import time
import traceback

from tests.bench import summary

# name, module, the arguments `make bench` gives it
BENCHES: list[tuple[str, str, list[str]]] = [
    ("hubsim", "tests.bench.hubsim", []),
    # The cold target is judged on 5 repetitions; at 4 s each, they stay within the demo's never-asked queries.
    ("browse", "tests.bench.browse", ["--reps", "5", "--seconds", "4"]),
    ("pages", "tests.bench.pages", []),
    ("slow clients", "tests.bench.slow_clients", []),
    ("hung Hub", "tests.bench.hung_hub", []),
    ("activity", "tests.bench.activity", []),
    ("access", "tests.bench.access", []),
    ("discussions", "tests.bench.discussions", []),
    ("upload", "tests.bench.bench_upload", []),
    ("usage", "tests.bench.usage", []),
    ("bulk", "tests.bench.bulk", []),
]
# Benches that set Django up for themselves at import (their own settings and scratch database) run as a
# process of their own; their figures are in their output above the table.
OWN_PROCESS = {"tests.bench.usage", "tests.bench.bulk"}


def run(name: str, module: str, argv: list[str]) -> float:
    """Run one bench's main() as `python -m module argv` would; its time in seconds."""
    began = time.monotonic()
    print(f"\n==> {name} (python -m {module} {' '.join(argv)})".rstrip(), flush=True)
    if module in OWN_PROCESS:
        code = subprocess.run([sys.executable, "-m", module, *argv], check=False).returncode
        met = code == 0
        said = "ran: its figures are printed above" if met else f"exited with {code}"
        summary.record(name, "the bench itself", said, "", met)
        return time.monotonic() - began
    saved = sys.argv
    sys.argv = [module, *argv]
    try:
        outcome = importlib.import_module(module).main()
        if isinstance(outcome, int) and outcome:
            summary.record(name, "the bench itself", f"exited with {outcome} (its output says why)", "", False)
    except SystemExit as stop:
        if stop.code not in (None, 0):
            summary.record(name, "the bench itself", f"stopped: {stop.code}", "", False)
    except Exception as err:  # one bench's failure must not hide the others' figures
        traceback.print_exc()
        summary.record(name, "the bench itself", f"failed: {type(err).__name__}: {err}"[:200], "", False)
    finally:
        sys.argv = saved
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    names = [name for name, _, _ in BENCHES]
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(names)}")
    parser.add_argument("--skip", default="", help="comma-separated names to leave out")
    args = parser.parse_args()
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    skip = {n.strip() for n in args.skip.split(",") if n.strip()}
    if unknown := (only | skip) - set(names):
        parser.error(f"unknown bench {', '.join(sorted(unknown))}; the benches are {', '.join(names)}")
    print(f"make bench: {summary.load_average()}", flush=True)
    took = []
    for name, module, argv in BENCHES:
        if (only and name not in only) or name in skip:
            continue
        took.append((name, run(name, module, argv)))
    print(f"\n==> Summary ({summary.load_average()} at the end)")
    print(summary.table())
    print("\nTime per bench: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took))
    missed = [f for f in summary.FIGURES if f.met is False]
    print(f"{len(missed)} figure(s) missed" if missed else "Every figure with a target met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
