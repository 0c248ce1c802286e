"""A gated repo's Access tab (/access/<kind>/<ns>/<name>/) and its CSV export: only for people who may
manage the repo's namespace, with its accepted and rejected lists and who decided each."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from .conftest import ask, gated

pytestmark = pytest.mark.django_db


def rows_of(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_the_access_tab_lists_each_status_of_one_repo(world, alice):
    bert = gated("acme/bert")
    ask(bert, "erin")
    ask(bert, "frank", status="accepted", decided_by=alice)
    ask(bert, "gina", status="rejected", reason="Not a research use")
    ask(gated("acme/gpt"), "hana")
    url = reverse("access-repo", args=["model", "acme", "bert"])

    page = world.alice.get(url).content.decode()
    assert "erin" in page and "hana" not in page and "1 pending · 1 accepted · 1 rejected" in page
    accepted = world.alice.get(url, {"status": "accepted"}).content.decode()
    assert "frank" in accepted and "by alice through hubdash" in accepted and "erin" not in accepted
    rejected = world.alice.get(url, {"status": "rejected"}).content.decode()
    assert "gina" in rejected and "Not a research use" in rejected


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_the_access_tab_and_export_are_404_to_people_who_may_not_manage_the_namespace(world, persona):
    ask(gated("acme/bert"), "erin")
    client = getattr(world, persona)
    assert client.get(reverse("access-repo", args=["model", "acme", "bert"])).status_code == 404
    assert client.get(reverse("access-export", args=["model", "acme", "bert"])).status_code == 404


def test_another_namespaces_repo_is_404_even_when_mirrored(world):
    ask(gated("zeta/secret"), "mallory")
    assert world.alice.get(reverse("access-repo", args=["model", "zeta", "secret"])).status_code == 404
    assert world.alice.get(reverse("access-export", args=["model", "zeta", "secret"])).status_code == 404


def test_the_csv_says_who_when_and_who_decided_through_hubdash_or_on_the_hub(world, alice):
    from django.utils import timezone

    bert = gated("acme/bert")
    ask(bert, "erin", email="erin@uni.example")
    ask(bert, "frank", status="accepted", decided_by=alice, decided_at=timezone.now())
    ask(bert, "gina", status="accepted", granted_by="hubadmin", reviewed_at=timezone.now())
    ask(bert, "hana", status="rejected", decided_by_rule="No free mail", decided_at=timezone.now())
    ask(bert, "ivo", status="pending", decided_by=alice, decided_at=timezone.now())  # alice moved it back

    response = world.alice.get(reverse("access-export", args=["model", "acme", "bert"]))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    by_name = {row["username"]: row for row in rows_of(response)}
    assert by_name["erin"]["email"] == "erin@uni.example" and by_name["erin"]["status"] == "pending"
    assert (by_name["frank"]["decided_through"], by_name["frank"]["decided_by"]) == ("hubdash", "alice")
    assert (by_name["gina"]["decided_through"], by_name["gina"]["decided_by"]) == ("Hub", "hubadmin")
    assert (by_name["hana"]["decided_through"], by_name["hana"]["decided_by"]) == ("hubdash rule", "No free mail")
    assert by_name["gina"]["decided_at"]
    # Moved back to pending: undecided again, so nobody is named as having decided it.
    assert (by_name["ivo"]["decided_through"], by_name["ivo"]["decided_by"], by_name["ivo"]["decided_at"]) == (
        "",
        "",
        "",
    )


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused(world):
    ask(gated("acme/bert"), "erin", fullname='=HYPERLINK("http://evil")', email="+1@example.com")
    row = rows_of(world.alice.get(reverse("access-export", args=["model", "acme", "bert"])))[0]
    assert row["fullname"] == '\'=HYPERLINK("http://evil")'
    assert row["email"] == "'+1@example.com"


def test_the_rules_pages_are_linked_from_the_queue_and_the_repo_tab_for_those_who_manage_the_namespace(world):
    ask(gated("acme/bert"), "erin")
    rules = reverse("access-rules", args=["acme"])

    queue = world.alice.get(reverse("access-queue")).content.decode()
    assert f'href="{rules}"' in queue and f'href="{reverse("access-rules", args=["datalab"])}"' in queue
    tab = world.alice.get(reverse("access-repo", args=["model", "acme", "bert"])).content.decode()
    assert f'href="{rules}">Rules for acme</a>' in tab
    assert world.alice.get(rules).status_code == 200  # the link leads somewhere it may go

    assert "/access/rules/" not in world.bob.get(reverse("access-queue")).content.decode()  # bob only reads acme


def test_the_access_tab_carries_the_repos_name_a_way_back_and_the_tab_row_with_no_hub_call(world):
    ask(gated("acme/bert"), "erin")
    world.forget_calls()
    page = world.alice.get(reverse("access-repo", args=["model", "acme", "bert"])).content.decode()
    header = page[
        page.index('<header class="repo-header repo-header-light">') : page.index(
            "</header>", page.index("repo-header-light")
        )
    ]
    assert f'href="{reverse("model-repo", args=["acme", "bert"])}"' in header and "Back to the repo" in header
    assert f'href="{reverse("model-files", args=["acme", "bert"])}"' in header
    assert f'href="{reverse("usage-repo", args=["model", "acme", "bert"])}"' in header
    assert f'href="{reverse("access-repo", args=["model", "acme", "bert"])}" aria-current="page"' in header
    assert world.hub_calls() == []
