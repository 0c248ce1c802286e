"""CSV written line by line for streamed downloads, with cells a spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any


class _Line:
    """A file-like object for csv.writer that hands back each line it is given."""

    def write(self, value: str) -> str:
        return value


def cell(value: object) -> object:
    """A spreadsheet runs a cell that starts with = + - @ (or a tab, a carriage return) as a formula; names,
    form answers and Hub titles are anyone's text, so such a cell starts with a quote. None is empty."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The header line, then one line per row (its cells made safe), as a StreamingHttpResponse takes them."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([cell(v) for v in row])
