"""Scratch directories for a test run's or a benchmark's server (database, cache, logs), removed at exit.

Left behind, they piled up: 1,400 of them in /tmp after a few weeks of runs.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile


def scratch_dir(prefix: str) -> str:
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
