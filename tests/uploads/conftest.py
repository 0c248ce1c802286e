"""Uploading fixtures: alice (write token) and bob (read token) connected, a repo of acme's on hubsim,
and the job queue run in this process the way `db_worker --batch` runs it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from huggingface_hub import HfApi

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in
from tests.uploads import jobs

REPO = "acme/fresh"
URL = f"/models/{REPO}/upload/"
LIST_URL = f"/models/{REPO}/uploads/"


@dataclass
class Uploading:
    hub: object
    alice: Client
    bob: Client
    charlie: Client

    def api(self, token: str = ALICE_TOKEN) -> HfApi:
        return HfApi(endpoint=self.hub.url, token=token)  # type: ignore[attr-defined]

    def writes(self) -> list[dict]:
        """What reached the Hub other than reads."""
        return [r for r in self.hub.requests() if r["method"] in ("POST", "PUT", "DELETE")]  # type: ignore[attr-defined]

    def content(self, path: str, revision: str = "main") -> bytes:
        local = self.api().hf_hub_download(REPO, path, revision=revision, cache_dir=os.environ["HF_HOME"])
        return Path(local).read_bytes()


@pytest.fixture
def uploading(hub_world, alice, bob, charlie, settings) -> Uploading:
    from hubdash import hub

    for leftover in staged_and_incoming():  # another test's, so that each starts with nothing kept
        (Path(settings.UPLOAD_DIR) / leftover).unlink()
    settings.UPLOAD_HEARTBEAT_SECONDS = 0.5  # stale after 2 s: a killed worker is found quickly
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    hub_world.add_repo(REPO, files={"README.md": "# fresh\n"})
    hub_world.control("DELETE", "requests")
    return Uploading(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))


@pytest.fixture
def run_jobs() -> Callable[[], None]:
    return jobs.run_jobs


def staged_and_incoming() -> list[str]:
    """Every file hubdash keeps for uploads (staged or still arriving): empty once uploads ended."""
    from django.conf import settings

    root = Path(settings.UPLOAD_DIR)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
