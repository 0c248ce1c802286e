"""pytest fixtures: one hubsim for the test session, reset to an empty world before each test.

    def test_something(hub):            # hub.url, hub.add_user(...), hub.add_repo(...), hub.fault(...)
        api = HfApi(endpoint=hub.url, token="hf_alice_write")

`hub_endpoint` also points `HF_ENDPOINT` at it for code that reads the environment.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .app import HubSim


@pytest.fixture(scope="session")
def hubsim_server() -> Iterator[HubSim]:
    hub = HubSim().start()
    yield hub
    hub.stop()


@pytest.fixture
def hub(hubsim_server: HubSim) -> Iterator[HubSim]:
    hubsim_server.reset()
    yield hubsim_server
    hubsim_server.control("DELETE", "faults")


# The demo's usage figures follow hubsim's clock: tests see the same figures (and orders by downloads or
# likes) whatever the day they run.
DEMO_TODAY = "2026-12-01"


@pytest.fixture
def demo_hub(hubsim_server: HubSim) -> Iterator[HubSim]:
    hubsim_server.reset(seed="demo")
    hubsim_server.clock(today=DEMO_TODAY)
    yield hubsim_server
    hubsim_server.control("DELETE", "faults")


@pytest.fixture
def hub_endpoint(hub: HubSim, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    return hub.url
