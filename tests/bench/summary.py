"""The figures `make bench` must show, gathered from every bench of one run into one table at the end.

Each bench prints its own lines as it measures and also `record`s the figures that have a target (issue 20's
"Figures that must hold" and docs/reliability.md's). `python -m tests.bench.all` runs the benches one after
the other in one process and prints `table()` last. A bench run on its own records into a list nobody reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    bench: str
    what: str
    measured: str
    target: str
    met: bool | None  # None: a figure shown for context, with no target of its own


FIGURES: list[Figure] = []


def record(bench: str, what: str, measured: str, target: str = "", met: bool | None = None) -> None:
    FIGURES.append(Figure(bench, what, measured, target, met))


def load_average() -> str:
    """How busy the machine was, from the kernel: other work on it moves every figure."""
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return f"load average {one} / {five} / {fifteen} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def table(figures: list[Figure] | None = None) -> str:
    rows = FIGURES if figures is None else figures
    verdict = {True: "met", False: "MISSED", None: ""}
    header = ("bench", "figure", "measured", "target", "")
    cells = [header] + [(f.bench, f.what, f.measured, f.target, verdict[f.met]) for f in rows]
    widths = [min(max(len(row[i]) for row in cells), limit) for i, limit in enumerate((12, 58, 200, 40, 6))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * width for width in widths).rstrip())
    return "\n".join(lines)
