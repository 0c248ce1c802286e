"""The one CSV writer of the access and activity exports: formula-looking cells are quoted, None is empty."""

from __future__ import annotations

import csv
import io

from hubdash.core.csv import csv_lines


def test_cells_a_spreadsheet_would_run_start_with_a_quote_and_the_lines_read_back():
    rows = [['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", None, 3, "plain, with a comma"]]
    text = "".join(csv_lines(["a", "b", "c", "d", "e", "f", "g", "h"], rows))
    read = list(csv.reader(io.StringIO(text)))
    assert read[0] == ["a", "b", "c", "d", "e", "f", "g", "h"]
    assert read[1] == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "", "3", "plain, with a comma"]
