"""Test-wide set-up. The environment is fixed first (tests/environment.py), before Django loads its settings
or anything imports huggingface_hub. That is why the settings module is named there rather than in pytest's
ini (pytest-django would load it before this file runs).
"""

import django

import tests.environment  # noqa: F401 (before django.setup(): the environment Django and huggingface_hub read)

django.setup()

pytest_plugins = ["tests.hubsim.pytest_plugin", "tests.personas"]

import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402

HUB_SAMPLES = Path(__file__).resolve().parent / "samples" / "hub"

# CI (`.ci/run` sets CI=true) draws the same examples on every run, so that a red run is one a developer can
# repeat and a green one is not luck; it keeps no example database in the fresh clone. At a desk, hypothesis
# draws new examples each run and remembers the failing ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture
def hub_samples() -> Callable[[str], Any]:
    """Recorded real Hub responses (tests/samples/hub/, described in its INDEX.md), parsed by file name."""

    def load(name: str) -> Any:
        return json.loads((HUB_SAMPLES / name).read_text())

    return load


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    from django.core.cache import cache

    from hubdash.hub import repos
    from hubdash.jobs import pacing

    cache.clear()
    repos._kept_vocabularies.clear()  # each process's short-lived copy of the shared vocabulary
    pacing._last_call.clear()  # when each Hub account's last paced call went out, in this process
    yield
    cache.clear()


@pytest.hookimpl(trylast=True)  # after `-m` has deselected: the shares are of what runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The tests marked `long` start first, dealt to the heads of the xdist workers' shares.

    pytest-xdist's worksteal hands each worker a contiguous share of this order, and an idle worker takes the
    back half of a busy one's queue: a long test that fell late in a share started near the end, and the run
    ended seconds after the other workers had finished. Started first, a long test's waiting overlaps the
    short tests' work. In one process the long tests simply come first.
    """
    long = [item for item in items if item.get_closest_marker("long")]
    if not long:
        return
    short = iter([item for item in items if not item.get_closest_marker("long")])
    workers = int(getattr(config, "workerinput", {}).get("workercount", 1))
    ordered: list[pytest.Item] = []
    left = len(items)
    for share in range(workers):
        size = left // (workers - share)  # as worksteal splits the collection between the workers
        left -= size
        heads = long[share::workers]
        ordered += heads + list(itertools.islice(short, max(0, size - len(heads))))
    items[:] = ordered + list(short)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Chromium, shared by consecutive browser tests (tests/browser/conftest.py), stops after the last of them."""
    try:
        return (yield)
    finally:
        if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
            from tests.browser.conftest import CHROMIUM

            CHROMIUM.stop()


@pytest.fixture
def real_password_hashing(settings: Any) -> None:
    """Django's own hashers (PBKDF2 at its full count), for tests about hashing, sign-in and passwords.

    Its PBKDF2 derives each (password, salt, count) once per process (tests/hashers.py): the same result as
    deriving it again, a quarter of a second sooner.
    """
    from django.conf import global_settings

    shipped = global_settings.PASSWORD_HASHERS
    assert shipped[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher", shipped
    settings.PASSWORD_HASHERS = ["tests.hashers.RememberingPBKDF2PasswordHasher", *shipped[1:]]
