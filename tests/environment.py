"""The test process's environment, fixed before Django loads its settings or anything imports huggingface_hub:
both read it at import time, and Django's app registry imports `hubdash.hub`. `tests/conftest.py` imports this
module first; so does `tests/settings.py`, which a pytest-xdist worker loads (through pytest-django) before
any conftest runs.

Under pytest-xdist (`make test` runs four workers) each worker inherits the environment of the process that
started it, and would share its var folder (the file cache, the test database, the upload folder), its
Hugging Face cache and, with HUBDASH_CACHE_URL, its Redis database, where one worker's `cache.clear()` empties
the other's. Each worker gets its own of each; the processes a test starts inherit the worker's.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from tests.scratch import scratch_dir

# Xet storage is not emulated by hubsim, and no test may find a token in the developer's own cache
# or environment.
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)
os.environ.setdefault("HUBDASH_ENV", "development")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"…; empty without xdist
_STARTED_BY = os.environ.get("HUBDASH_TEST_PROCESS")  # the test process whose folders this environment names
if _STARTED_BY is None:  # the run's first process (pytest, or xdist's controller), or one started without them
    os.environ["HUBDASH_TEST_PROCESS"] = _WORKER
    os.environ["HF_HOME"] = scratch_dir("hubdash-test-hf-home-")
    # hubdash's development secrets, SQLite file and cache go to a throw-away folder, not the developer's var/
    # (unless HUBDASH_VAR_DIR names one).
    if not os.environ.get("HUBDASH_VAR_DIR"):
        os.environ["HUBDASH_VAR_DIR"] = scratch_dir("hubdash-test-var-")
elif _WORKER and _STARTED_BY != _WORKER:  # an xdist worker, in its controller's environment: folders of its own
    os.environ["HUBDASH_TEST_PROCESS"] = _WORKER
    os.environ["HF_HOME"] = scratch_dir("hubdash-test-hf-home-")
    os.environ["HUBDASH_VAR_DIR"] = str(Path(os.environ["HUBDASH_VAR_DIR"]) / _WORKER)
    cache_url = os.environ.get("HUBDASH_CACHE_URL", "")
    if cache_url.startswith("redis"):  # redis://host:port/0 → /1 for gw0, /2 for gw1…
        database = int(_WORKER.removeprefix("gw")) + 1
        os.environ["HUBDASH_CACHE_URL"] = re.sub(r"(/\d*)?$", f"/{database}", cache_url, count=1)
