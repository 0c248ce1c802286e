"""Hub-door fixtures: another server to redirect to, and each test with the circuits closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.hub.elsewhere import elsewhere

__all__ = ["elsewhere"]


@pytest.fixture(autouse=True)
def _closed_circuits() -> Iterator[None]:
    from hubdash.hub import breaker

    breaker.reset()
    yield
    breaker.reset()
