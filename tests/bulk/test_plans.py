"""Bulk plans over the real stack: the listing's boxes, the plan page, confirmation, the run on the worker
(django-tasks, in this process), hubsim as the Hub, and what hubsim holds afterwards."""

from __future__ import annotations

import re

import pytest
from huggingface_hub import HfApi

from hubdash.activity.models import Event
from hubdash.bulk.models import Plan
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = pytest.mark.django_db

ALL = ["alice/own-model", "acme/org-model", "acme/org-secret", "datalab/shared-model", "zed/theirs"]


def ticked(bulk, ids):
    values = bulk.ticks("/models/?sort=created")
    chosen = [v for v in values if v.split("|")[0] in ids]
    assert len(chosen) == len(ids)
    return chosen


def made(response) -> Plan:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = re.fullmatch(r"/bulk/plans/(\d+)/", response["Location"])
    assert match
    return Plan.objects.get(pk=int(match.group(1)))


def outcomes(plan: Plan) -> dict[str, tuple[str, str]]:
    return {i.repo_id: (i.state, i.reason) for i in plan.items.all()}


def test_make_private_does_exactly_what_the_plan_said(bulk, work):
    plan = made(bulk.plan("visibility:private", ticked(bulk, ALL)))
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "Make private" in page
    assert "public → private" in page
    assert "Already private." in page
    assert "You may not change repos of zed." in page
    assert re.search(r'id="plan-calls">6 ', page)  # 3 repos: read again, then change
    assert {r: s for r, (s, _) in outcomes(plan).items()} == {
        "alice/own-model": "pending",
        "acme/org-model": "pending",
        "acme/org-secret": "skipped",
        "datalab/shared-model": "pending",
        "zed/theirs": "skipped",
    }
    bulk.forget_calls()
    assert bulk.writes() == []  # nothing happens before confirmation
    response = bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    assert response.status_code == 302
    work()
    plan.refresh_from_db()
    assert plan.state == "done"
    assert plan.outcome == "3 done, 0 refused, 2 skipped, 0 not tried"
    for repo_id in ALL:
        assert bulk.state(repo_id)["private"] is (repo_id != "zed/theirs")
    writes = bulk.writes()
    assert sorted(w["path"] for w in writes) == sorted(
        f"/api/models/{r}/settings" for r in ("alice/own-model", "acme/org-model", "datalab/shared-model")
    )
    assert len([r for r in bulk.hub.requests() if r["path"].startswith("/api/")]) == plan.calls
    # the feed: the plan, its run, and each repo's own change
    assert (
        Event.objects.filter(repo_id="acme/org-model", action="settings", summary__contains="made private").count() == 1
    )
    assert Event.objects.filter(summary__contains=f"confirmed bulk plan {plan.pk}").count() == 1
    assert Event.objects.filter(summary__contains=f"finished bulk plan {plan.pk}").count() == 1
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "3 done</strong>, 0 refused, 2 skipped, 0 not tried" in page


def test_undo_restores_the_states_before(bulk, work):
    plan = made(bulk.plan("visibility:private", ticked(bulk, ALL)))
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    response = bulk.alice.post(f"/bulk/plans/{plan.pk}/undo/")
    undo = made(response)
    assert undo.undo_of == plan
    assert undo.needs_confirmation  # it makes repos public again
    page = bulk.alice.get(f"/bulk/plans/{undo.pk}/").content.decode()
    assert "private → public" in page
    assert "Your hubdash password" in page
    refused = bulk.alice.post(f"/bulk/plans/{undo.pk}/confirm/", {"password": "wrong"})
    assert refused.status_code == 400
    assert "That is not your password." in refused.content.decode()
    assert bulk.alice.post(f"/bulk/plans/{undo.pk}/confirm/", {"password": PASSWORD}).status_code == 302
    work()
    undo.refresh_from_db()
    assert undo.state == "done", undo.outcome
    assert bulk.state("acme/org-secret")["private"] is True  # it was private before: untouched
    for repo_id in ("alice/own-model", "acme/org-model", "datalab/shared-model", "zed/theirs"):
        assert bulk.state(repo_id)["private"] is False
    assert Event.objects.filter(summary__contains=f"to undo plan {plan.pk}").count() == 1


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("gating:manual", "gated", "manual"),
        ("gating:off", "gated", False),
        ("discussions:off", "discussionsDisabled", True),
    ],
)
def test_gating_and_discussions(bulk, work, action, field, value):
    before = {r: bulk.state(r)[field] for r in ALL}
    plan = made(bulk.plan(action, ticked(bulk, ALL)))
    expected = {r: s for r, (s, _) in outcomes(plan).items()}
    assert expected["zed/theirs"] == "skipped"
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    for repo_id in ALL:
        state = outcomes(plan)[repo_id][0]
        if expected[repo_id] == "pending":
            assert state == "done"
            assert bulk.state(repo_id)[field] == value
        else:
            assert state == "skipped"
            assert bulk.state(repo_id)[field] == before[repo_id]
    if action.startswith("discussions"):
        undo = made(bulk.alice.post(f"/bulk/plans/{plan.pk}/undo/"))
        bulk.alice.post(f"/bulk/plans/{undo.pk}/confirm/")
        work()
        assert all(bulk.state(r)[field] is False for r in ALL)


def test_move_with_a_prefix_and_back(bulk, work):
    ids = ["alice/own-model", "acme/org-model", "zed/theirs"]
    plan = made(bulk.plan("move:", ticked(bulk, ids), namespace="datalab", prefix="old-"))
    assert outcomes(plan)["zed/theirs"][0] == "skipped"
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    assert bulk.state("datalab/old-own-model") is not None
    assert bulk.state("datalab/old-org-model") is not None
    assert bulk.state("zed/theirs") is not None
    undo = made(bulk.alice.post(f"/bulk/plans/{plan.pk}/undo/"))
    bulk.alice.post(f"/bulk/plans/{undo.pk}/confirm/")
    work()
    assert bulk.state("alice/own-model") is not None
    assert bulk.state("acme/org-model") is not None
    assert Event.objects.filter(action="move", repo_id="datalab/old-own-model").exists()


def test_delete_needs_the_password_and_cannot_be_undone(bulk, work):
    ids = ["acme/org-model", "zed/theirs"]
    plan = made(bulk.plan("delete:", ticked(bulk, ids)))
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "A deletion cannot be undone." in page
    assert bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/").status_code == 400
    assert bulk.state("acme/org-model") is not None
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/", {"password": PASSWORD})
    work()
    assert bulk.state("acme/org-model") is None
    assert bulk.state("zed/theirs") is not None
    undo = made(bulk.alice.post(f"/bulk/plans/{plan.pk}/undo/"))
    assert outcomes(undo) == {"acme/org-model": ("skipped", "A deletion cannot be undone.")}


def test_a_change_on_the_hub_between_plan_and_run_is_detected(bulk, work):
    ids = ["alice/own-model", "acme/org-model", "datalab/shared-model"]
    plan = made(bulk.plan("visibility:private", ticked(bulk, ids)))
    # On the Hub itself, after the plan was made: one made private, one renamed.
    api = HfApi(endpoint=bulk.hub.url, token=ALICE_TOKEN)
    api.update_repo_settings("acme/org-model", private=True)
    api.move_repo("datalab/shared-model", "datalab/renamed-model")
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    got = outcomes(plan)
    assert got["alice/own-model"][0] == "done"
    assert got["acme/org-model"][0] == "skipped"
    assert (
        got["acme/org-model"][1] == "Changed on the Hub since the plan: now private, the plan read public. Not changed."
    )
    assert got["datalab/shared-model"][0] == "skipped"
    assert "now datalab/renamed-model" in got["datalab/shared-model"][1]
    assert bulk.state("datalab/renamed-model")["private"] is False


def test_all_that_match_posts_the_listings_query(bulk, work):
    response = bulk.alice.post(
        "/bulk/plan/",
        {"kind": "model", "action": "visibility:private", "scope": "all", "author": "acme", "sort": "created"},
    )
    plan = made(response)
    assert sorted(outcomes(plan)) == ["acme/org-model", "acme/org-secret"]
    assert "by acme" in plan.source


def test_bad_input_keeps_what_was_typed(bulk):
    response = bulk.plan("move:", ticked(bulk, ["acme/org-model"]), namespace="not a name!")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give the namespace to move them to" in page
    assert 'value="not a name!"' in page
    assert "acme/org-model|0|" in page
    assert bulk.alice.post("/bulk/plan/", {"kind": "model", "action": "visibility:private"}).status_code == 400
    assert bulk.alice.post("/bulk/plan/", {"kind": "nope", "action": "visibility:private"}).status_code == 400
    assert bulk.alice.put("/bulk/plan/").status_code == 405


def test_plans_are_their_makers_and_admins_only(bulk):
    plan = made(bulk.plan("visibility:private", ticked(bulk, ["acme/org-model"])))
    assert bulk.bob.get(f"/bulk/plans/{plan.pk}/").status_code == 404
    assert bulk.bob.post(f"/bulk/plans/{plan.pk}/confirm/").status_code == 404
    plan.refresh_from_db()
    assert plan.state == "preview"
    # someone with a read token plans: every repo is skipped, no right
    bob_plan = made(bulk.plan("visibility:private", ticked(bulk, ["acme/org-model"]), client=bulk.bob))
    assert outcomes(bob_plan)["acme/org-model"] == ("skipped", "You may not change repos of acme.")


def test_spaces_protected_state_comes_from_the_repositories_settings_list(bulk, work):
    bulk.hub.add_repo("acme/app-open", type="space", sdk="gradio", private=False)
    bulk.hub.add_repo("acme/app-guarded", type="space", sdk="gradio", visibility="protected")
    bulk.hub.add_repo("zed/app-theirs", type="space", sdk="gradio", private=False)
    ids = ["acme/app-open", "acme/app-guarded", "zed/app-theirs"]
    values = [v for v in bulk.ticks("/spaces/?sort=created") if v.split("|")[0] in ids]
    assert len(values) == 3
    plan = made(bulk.plan("visibility:protected", values, kind="space"))
    items = {i.repo_id: i for i in plan.items.all()}
    assert items["acme/app-open"].before["visibility"] == "public"
    assert items["acme/app-guarded"].before["visibility"] == "protected"
    assert (items["acme/app-guarded"].state, items["acme/app-guarded"].reason) == ("skipped", "Already protected.")
    assert items["zed/app-theirs"].before["visibility"] is None  # not readable: unknown, said so
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert '<span class="muted">unknown</span> → protected' in page
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    assert bulk.state("acme/app-open", "space")["visibility"] == "protected"
    assert bulk.state("zed/app-theirs", "space")["visibility"] == "public"
    models = made(bulk.plan("visibility:protected", ticked(bulk, ["acme/org-model"])))
    assert outcomes(models) == {"acme/org-model": ("skipped", "Not a Space: only Spaces can be protected.")}


def test_a_spaces_now_is_the_last_settings_answer_hubdash_saw_where_no_list_tells_else_unknown(bulk, work):
    from django.core.cache import cache

    # alice writes in datalab but is no admin there: its repositories-settings list is not hers to read
    bulk.hub.add_repo("datalab/app-a", type="space", sdk="gradio", private=False)
    bulk.hub.add_repo("datalab/app-b", type="space", sdk="gradio", visibility="protected")
    ids = ["datalab/app-a", "datalab/app-b"]

    def spaces():
        return [v for v in bulk.ticks("/spaces/?sort=created") if v.split("|")[0] in ids]

    first = made(bulk.plan("visibility:protected", spaces(), kind="space"))
    assert {i.repo_id: i.before["visibility"] for i in first.items.all()} == {i: None for i in ids}
    assert (
        bulk.alice.get(f"/bulk/plans/{first.pk}/").content.decode().count('<span class="muted">unknown</span> →') == 2
    )
    bulk.alice.post(f"/bulk/plans/{first.pk}/confirm/")
    work()
    assert {bulk.state(i, "space")["visibility"] for i in ids} == {"protected"}
    # the run kept the Hub's answers: the next plan reads both as protected, with no list to read
    again = made(bulk.plan("visibility:public", spaces(), kind="space"))
    assert {i.repo_id: i.before["visibility"] for i in again.items.all()} == {i: "protected" for i in ids}
    assert (
        bulk.alice.get(f"/bulk/plans/{again.pk}/")
        .content.decode()
        .count('<td data-label="Now → after">protected → public')
        == 2
    )
    # made private on the Hub since: the listing says private, and the stale answer is not believed
    bulk.hub.control("POST", "repos/space/datalab/app-a", {"visibility": "private"})
    cache.clear()
    third = made(bulk.plan("visibility:public", spaces(), kind="space"))
    assert {i.repo_id: i.before["visibility"] for i in third.items.all()} == {
        "datalab/app-a": "private",
        "datalab/app-b": "protected",
    }


def test_a_saved_view_plans_every_repo_it_matches_with_its_own_filters(bulk, alice, bob, work):
    from hubdash.bulk.models_saved import SavedView

    view = SavedView.objects.create(
        name="acme's public", kind="model", query="author=acme", owner=alice, visibility="public"
    )
    response = bulk.alice.post(
        "/bulk/plan/", {"kind": "model", "view": str(view.pk), "scope": "all", "action": "gating:manual"}
    )
    plan = made(response)
    assert sorted(outcomes(plan)) == ["acme/org-model"]  # acme/org-secret is private: not in the view
    assert plan.source == "All that the saved view “acme's public” matches"
    others = SavedView.objects.create(name="bob's", kind="model", query="author=acme", owner=bob)
    refused = bulk.alice.post("/bulk/plan/", {"kind": "model", "view": str(others.pk), "action": "gating:manual"})
    assert refused.status_code == 400
    assert "No such saved view." in refused.content.decode()


def test_the_listing_draws_the_action_bar_and_a_labelled_box_per_row(bulk):
    page = bulk.alice.get("/models/?author=acme").content.decode()
    assert 'action="/bulk/plan/"' in page
    assert '<label for="bulk-action">Change the ticked models</label>' in page
    assert 'aria-label="Select acme/org-model"' in page
    assert "{#" not in page and "#}" not in page  # no template comment shows as text
    # without JavaScript the bar opens a page that asks again, with its own CSRF token; nothing is planned yet
    asked = bulk.alice.get("/bulk/plan/", {"kind": "model", "repo": "acme/org-model|0|", "action": "gating:auto"})
    assert asked.status_code == 200
    form = asked.content.decode()
    assert "csrfmiddlewaretoken" in form and 'value="acme/org-model|0|"' in form
    assert '<option value="gating:auto" selected>' in form
    assert not Plan.objects.exists()


def test_the_plan_page_reads_plainly_and_offers_no_run_when_every_repo_is_skipped(bulk, work):
    plan = made(bulk.plan("visibility:private", ticked(bulk, ALL)))
    Plan.objects.filter(pk=plan.pk).update(quota_share=2 / 1000)  # 2 calls of the 1,000 left
    page = bulk.alice.get(f"/bulk/plans/{plan.pk}/").content.decode()
    assert "made by alice <time" in page and ">just now</time>" in page and "0\xa0minutes ago" not in page
    assert "&lt;1 % of the calls your token has left" in page and ">0 % of" not in page
    assert "Nothing to do" not in page and re.search(r'id="confirm-plan">Confirm and run', page)
    bulk.alice.post(f"/bulk/plans/{plan.pk}/confirm/")
    work()
    undo = made(bulk.alice.post(f"/bulk/plans/{plan.pk}/undo/"))
    undo_page = bulk.alice.get(f"/bulk/plans/{undo.pk}/").content.decode()
    assert f'Undo of <a href="/bulk/plans/{plan.pk}/">plan {plan.pk}</a> · made by' in undo_page

    nothing = made(bulk.plan("visibility:private", ticked(bulk, ["acme/org-secret", "zed/theirs"])))
    page = bulk.alice.get(f"/bulk/plans/{nothing.pk}/").content.decode()
    assert ">Nothing to change</h2>" in page and "there is nothing to confirm, and nothing will run" in page
    assert 'id="confirm-plan"' not in page and f'action="/bulk/plans/{nothing.pk}/confirm/"' not in page
    assert "Cancel this plan" in page


def test_a_forged_confirmation_of_a_plan_with_nothing_to_change_is_refused(bulk, work):
    # a delete plan asks for the password; with nothing to delete it is refused before that, said plainly
    for action in ("visibility:private", "delete:"):
        nothing = made(bulk.plan(action, ticked(bulk, ["zed/theirs"])))
        bulk.forget_calls()
        response = bulk.alice.post(f"/bulk/plans/{nothing.pk}/confirm/", {"password": PASSWORD})
        assert response.status_code == 409
        assert "This plan has nothing to change: every repo in it is skipped. Nothing was run." in (
            response.content.decode()
        )
        work()
        nothing.refresh_from_db()
        assert nothing.state == "preview" and nothing.confirmed_at is None
        assert bulk.writes() == [] and bulk.state("zed/theirs") is not None
        assert not Event.objects.filter(summary__startswith=f"confirmed bulk plan {nothing.pk}").exists()
