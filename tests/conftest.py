"""Test-wide set-up. The environment is fixed before anything imports huggingface_hub."""

import os
import tempfile

# huggingface_hub reads these at import time. Xet storage is not emulated by hubsim, and no test
# may find a token in the developer's own cache or environment.
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hubdash-test-hf-home-")
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HUGGING_FACE_HUB_TOKEN", None)

pytest_plugins = ["tests.hubsim.pytest_plugin"]

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

SAMPLES = Path(os.environ.get("HUBDASH_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "hub-samples"


@pytest.fixture
def shared_samples():
    """Recorded real Hub responses from the project's shared folder (not copied into the repo)."""
    if not SAMPLES.is_dir():
        pytest.skip(f"recorded Hub samples not found at {SAMPLES} (set HUBDASH_SHARED)")

    def load(name: str):
        return json.loads((SAMPLES / name).read_text())

    return load
