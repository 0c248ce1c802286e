"""The review page's world over hubsim: the personas with their tokens connected, an outsider (mallory) who
opens discussions and pull requests with the official client, and a writer outside acme (carl) whom charlie
connects when a test needs someone who may comment but not merge."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from huggingface_hub import CommitOperationAdd, HfApi

from tests.personas import ALICE_TOKEN, BOB_TOKEN, signed_in

MALLORY_TOKEN = "hf_mallory_write_0123456789abcdef"
CARL_TOKEN = "hf_carl_write_0123456789abcdef"
REPO = "acme/bert"
PAGE = "/models/acme/bert/discussions/{num}/"


@dataclass
class ReviewWorld:
    hub: Any
    alice: Client  # admin of acme, write token: may comment, close, merge
    bob: Client  # read-only token: may read, not act
    charlie: Client  # no token

    def api(self, token: str = MALLORY_TOKEN) -> HfApi:
        return HfApi(endpoint=self.hub.url, token=token)

    def open_pr(self, files: dict[str, str | bytes], title: str = "Add files", token: str = MALLORY_TOKEN) -> int:
        """A pull request on acme/bert, opened by uploading files "as a pull request" (as the Hub's UI does)."""
        operations = [
            CommitOperationAdd(path, content.encode() if isinstance(content, str) else content)
            for path, content in files.items()
        ]
        info = self.api(token).create_commit(REPO, operations, commit_message=title, create_pr=True)
        assert info.pr_num is not None
        return int(info.pr_num)

    def open_discussion(self, title: str, text: str, token: str = MALLORY_TOKEN, repo: str = REPO) -> int:
        return int(self.api(token).create_discussion(repo, title, description=text).num)

    def held(self, num: int, repo: str = REPO) -> Any:
        """The item as hubsim holds it, read with alice's token."""
        return self.api(ALICE_TOKEN).get_discussion_details(repo, num)

    def hub_calls(self) -> list[dict]:
        return [r for r in self.hub.requests() if r["path"].startswith("/api/")]


@pytest.fixture
def review(hub_world, alice, bob, charlie) -> ReviewWorld:
    from hubdash import hub

    hub_world.add_user("mallory", fullname="Mallory", tokens={MALLORY_TOKEN: "write"})
    hub_world.add_user("carl", fullname="Carl", tokens={CARL_TOKEN: "write"})
    hub_world.add_repo(REPO, files={"README.md": "# Bert\n\nA small model.\n", "config.json": '{"layers": 2}\n'})
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    return ReviewWorld(hub_world, signed_in(alice), signed_in(bob), signed_in(charlie))
