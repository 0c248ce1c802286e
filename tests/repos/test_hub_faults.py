"""The browse pages' Hub fault matrix, continued: unexpected JSON on every repo call, trickled bodies,
and redirects to another host (refused for the API; followed for file content, without the token)."""

from __future__ import annotations

import pytest

from tests.hub.elsewhere import elsewhere
from tests.personas import ALICE_TOKEN

__all__ = ["elsewhere"]

pytestmark = pytest.mark.django_db

REPO = "/api/models/acme/bert-tiny"


@pytest.fixture
def bert(browsing):
    browsing.hub.add_repo(
        "acme/bert-tiny", files={"README.md": "# Tiny BERT\n", "config.json": '{"a": 1}', "docs/usage.md": "Use it."}
    )
    return browsing


@pytest.fixture(autouse=True)
def _closed_circuits():
    from hubdash.hub import breaker

    breaker.reset()
    yield
    breaker.reset()


@pytest.mark.parametrize(
    ("path", "url"),
    [
        (REPO, "/models/acme/bert-tiny/"),
        (REPO + "/revision/*", "/models/acme/bert-tiny/?revision=main"),
        (REPO + "/refs", "/models/acme/bert-tiny/"),
        (REPO + "/tree/*", "/models/acme/bert-tiny/"),
        (REPO + "/tree/*", "/models/acme/bert-tiny/files/docs"),
        (REPO + "/commits/*", "/models/acme/bert-tiny/history/"),
    ],
)
@pytest.mark.parametrize("body", ["{}", "[]", "null", '"text"', '[{"path": 5}]', '{"branches": {"main": 1}}'])
def test_every_repo_call_answering_nonsense_could_not_be_read(bert, path, url, body):
    bert.hub.fault(method="GET", path=path, body=body)
    response = bert.alice.get(url)
    html = response.content.decode()
    if "could not read" not in html:
        # Some nonsense reads as nothing at all (an empty list of refs or files): never a crash either.
        assert response.status_code == 200 and body in ("[]", "{}"), html
        return
    assert response.status_code in (200, 503) and 'class="hub-error"' in html


@pytest.mark.parametrize("url", ["/models/", "/models/acme/bert-tiny/", "/models/acme/bert-tiny/history/"])
def test_a_trickling_hub_ends_in_the_error_region_by_the_calls_deadline(bert, settings, url):
    settings.HUB_TOTAL_TIMEOUT = 1
    bert.hub.fault(method="GET", path="/api/*", trickle_s=0.5)  # every read well within the read timeout
    response = bert.alice.get(url)
    assert response.status_code in (200, 503)
    assert "did not answer in time" in response.content.decode()


@pytest.mark.parametrize("status", [301, 302, 307])
def test_an_api_answer_redirected_to_another_host_is_refused(bert, elsewhere, status):
    elsewhere.body = b'[{"id": "stranger/planted-model"}]'
    bert.hub.fault(method="GET", path="/api/models", status=status, redirect=f"{elsewhere.url}/api/models")
    response = bert.alice.get("/models/")
    html = response.content.decode()
    assert response.status_code == 503 and "redirected hubdash to another site" in html
    assert "planted-model" not in html and elsewhere.seen == []


def test_file_content_follows_the_hub_to_its_storage_without_the_token(bert, elsewhere):
    elsewhere.content_type, elsewhere.body = "application/octet-stream", b'{"from": "storage"}'
    bert.hub.fault(method="GET", path="/acme/bert-tiny/resolve/*", status=302, redirect=f"{elsewhere.url}/blob/1")
    download = bert.alice.get("/models/acme/bert-tiny/download/config.json")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b'{"from": "storage"}'
    shown = bert.alice.get("/models/acme/bert-tiny/files/config.json?view=file")
    assert shown.status_code == 200 and "storage" in shown.content.decode()
    assert [seen["path"] for seen in elsewhere.seen] == ["/blob/1", "/blob/1"]
    assert all("authorization" not in seen for seen in elsewhere.seen)
    assert all(ALICE_TOKEN not in repr(seen) for seen in elsewhere.seen)
    resolves = bert.hub_calls("/acme/bert-tiny/resolve/")
    assert resolves and all(r["user"] == "alice" for r in resolves)  # the Hub itself got the token
