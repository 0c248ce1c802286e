"""Export of the filtered feed as CSV and JSON, streamed, with the feed's visibility rules."""

from __future__ import annotations

import csv
import io
import json

import pytest

from hubdash.activity import record
from tests.activity.conftest import deliver, v3

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def body(response) -> str:
    assert response.streaming  # never built whole in memory
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def events(secrets):
    deliver(v3("repo", "create", repo="acme/open", private=False))
    deliver(v3("repo", "create", repo="zeta/hidden", private=True))
    record(action="team", summary='=HYPERLINK("http://evil")')
    deliver({"update": "datasets/acme/data"})


def test_csv_export_follows_the_filters_and_defuses_formulas(alice_client, events):
    response = alice_client.get("/activity/export.csv?source=hub")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert [r["repo_id"] for r in rows] == ["zeta/hidden", "acme/open"]
    everything = list(csv.DictReader(io.StringIO(body(alice_client.get("/activity/export.csv")))))
    assert len(everything) == 4 and everything[1]["summary"].startswith("'=HYPERLINK")


def test_json_export_shows_only_what_the_person_may_see(charlie_client, events):
    rows = json.loads(body(charlie_client.get("/activity/export.json")))
    assert [(r["source"], r["repo_id"]) for r in rows] == [("hubdash", ""), ("hub", "acme/open")]


def test_a_bad_filter_is_a_400_with_reasons(alice_client):
    response = alice_client.get("/activity/export.json?repo=../x")
    assert response.status_code == 400 and "repo" in response.json()["fields"]
