"""Rules over hubsim: each condition kind, the order, the dry run before saving, hidden requesters, a request a
person moved back to pending, and who may see and change a namespace's rules."""

from __future__ import annotations

import pytest

from tests.access.bulk_world import World, requester, world_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]

REPO = "acme/gated-a"
PEOPLE = [
    requester(
        "ann",
        email="ann@uni.edu",
        fields={"Company": "Uni", "Country": "FR", "Intended use": "Research", "I agree to the license terms": "true"},
    ),
    requester(
        "bo",
        email="bo@corp.com",
        verifiedOrgs=["bigcorp"],
        fields={"Company": "BigCorp Labs", "Country": "US", "Intended use": "commercial"},
    ),
    requester(
        "cy", email="cy@gmail.com", isPro=True, fields={"Company": "", "Country": "DE", "Intended use": "Education"}
    ),
]


def make_rule(name: str, conditions: list[dict], action: str = "accept", reason: str = "", position: int = 1, **kw):
    from hubdash.access.conditions import clean
    from hubdash.access.models_rules import Rule

    kept = [clean(c) for c in conditions]
    return Rule.objects.create(
        namespace="acme", name=name, conditions=kept, action=action, reason=reason, position=position, **kw
    )


def accepted(world: World, repo_id: str = REPO) -> set[str]:
    return {who for who, status in world.state(repo_id).items() if status == "accepted"}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"kind": "email_domain", "values": ["UNI.edu"]}, {"ann"}),
        ({"kind": "verified_org", "values": ["bigcorp"]}, {"bo"}),
        ({"kind": "pro", "value": True}, {"cy"}),
        ({"kind": "field", "label": "Country", "op": "equals", "values": ["FR"]}, {"ann"}),
        ({"kind": "field", "label": "Company", "op": "contains", "values": ["Corp"]}, {"bo"}),
        (
            {"kind": "field", "label": "Intended use", "op": "one_of", "values": ["Education", "commercial"]},
            {"bo", "cy"},
        ),
        ({"kind": "field", "label": "I agree to the license terms", "op": "equals", "values": ["true"]}, {"ann"}),
    ],
    ids=["email-domain", "verified-org", "pro", "field-equals", "field-contains", "field-one-of", "checkbox"],
)
def test_each_condition_kind_decides_exactly_the_requests_it_names(world, condition, expected):
    from hubdash.access.models import AccessRequest

    world.file(REPO, *PEOPLE)
    make_rule("the rule", [condition])
    outcome = world.refresh()

    assert accepted(world) == expected
    assert "rule “the rule” accepted" in outcome
    decided = AccessRequest.objects.filter(status="accepted")
    assert {r.username for r in decided} == expected
    assert {r.decided_by_rule for r in decided} == {"the rule"} and all(r.decided_by is None for r in decided)


def test_form_answers_are_compared_as_the_hub_returns_them(world):
    world.file(REPO, *PEOPLE)
    make_rule("lower-case country", [{"kind": "field", "label": "Country", "op": "equals", "values": ["fr"]}])
    make_rule("other label", [{"kind": "field", "label": "country", "op": "equals", "values": ["FR"]}], position=2)
    world.refresh()
    assert accepted(world) == set()


def test_the_first_matching_rule_decides_and_leave_for_a_person_stops_the_rest(world):
    from hubdash.access.models import AccessRequest
    from hubdash.activity.models import Event

    world.file(REPO, *PEOPLE)
    make_rule("BigCorp by hand", [{"kind": "verified_org", "values": ["bigcorp"]}], action="leave", position=1)
    make_rule(
        "No commercial use",
        [{"kind": "field", "label": "Company", "op": "contains", "values": ["Corp"]}],
        action="reject",
        reason="Commercial use is not allowed.",
        position=2,
    )
    make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu", "corp.com"]}], position=3)
    make_rule("PRO", [{"kind": "pro", "value": True}], action="reject", reason="Not now.", position=4)
    world.refresh()

    assert world.state(REPO) == {"ann": "accepted", "bo": "pending", "cy": "rejected"}
    rows = {r.username: r for r in AccessRequest.objects.all()}
    assert (rows["ann"].decided_by_rule, rows["cy"].decided_by_rule, rows["cy"].reason) == (
        "Universities",
        "PRO",
        "Not now.",
    )
    events = [e.summary for e in Event.objects.filter(source="hubdash").order_by("id")]
    assert events == ["rule “Universities” accepted 1 request on 1 repo", "rule “PRO” rejected 1 request on 1 repo"]


def test_a_rule_turned_off_decides_nothing(world):
    world.file(REPO, *PEOPLE)
    make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu"]}], enabled=False)
    world.refresh()
    assert accepted(world) == set()


def test_a_request_a_person_moved_back_to_pending_is_never_decided_by_a_rule_again(world):
    from hubdash.access.models import AccessRequest
    from tests.uploads.jobs import run_jobs

    world.file(REPO, *PEOPLE)
    make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu"]}])
    world.refresh()
    assert accepted(world) == {"ann"}
    ann = AccessRequest.objects.get(username="ann")
    response = world.alice.post("/access/bulk/", {"status": "pending", "request": [ann.pk]})
    world.alice.post(response["Location"] + "start/")
    run_jobs()
    assert world.state(REPO)["ann"] == "pending"
    ann.refresh_from_db()
    assert ann.reopened_by_person

    world.refresh()
    world.refresh()
    assert world.state(REPO)["ann"] == "pending"
    # A new requester of the same kind is still taken by the rule.
    world.file(REPO, requester("dee", email="dee@uni.edu"))
    world.refresh()
    assert accepted(world) == {"dee"}


def test_rules_on_email_or_organisations_skip_hidden_requesters_and_form_rules_decide_them_by_request_id(world):
    world.hub.control("POST", "access/options", {"id": "acme/gated-c", "type": "model", "hideRequesters": True})
    world.file("acme/gated-c", *PEOPLE)
    make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu"]}])
    make_rule("BigCorp", [{"kind": "verified_org", "values": ["bigcorp"]}], position=2)
    world.forget_calls()
    world.refresh()
    assert set(world.state("acme/gated-c").values()) == {"pending"}
    assert world.calls("POST") == []

    make_rule(
        "Researchers", [{"kind": "field", "label": "Intended use", "op": "equals", "values": ["Research"]}], position=3
    )
    world.refresh()
    assert sorted(world.state("acme/gated-c").values()) == ["accepted", "pending", "pending"]
    assert len(world.calls("POST", "/acme/gated-c/user-access-request/handle")) == 1


def test_the_dry_run_shows_what_the_rule_would_do_and_saving_needs_it(world):
    from hubdash.access.models_rules import Rule

    world.file(REPO, *PEOPLE)
    world.refresh()
    world.forget_calls()
    rule = {
        "name": "Universities",
        "repo": "",
        "email_domains": "uni.edu, corp.com",
        "action": "reject",
        "reason": "Use the university mirror.",
        "field_op": "equals",
    }
    # Saving without a dry run: refused, nothing typed lost.
    response = world.alice.post("/access/rules/acme/save/", rule)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Run the dry run first" in text and 'value="uni.edu, corp.com"' in text and not Rule.objects.exists()

    response = world.alice.post("/access/rules/acme/dry-run/", rule)
    assert response.status_code == 200
    text = response.content.decode()
    assert "this rule would <strong>reject 2</strong> on 1 repo" in text
    assert text.count('data-testid="dry-run-row"') == 2 and "ann@uni.edu" in text and "bo@corp.com" in text
    assert world.calls("POST") == []  # a dry run sends nothing to the Hub
    proof = text.split('name="proof" value="', 1)[1].split('"', 1)[0]

    # The proof is for this rule only: changed after the dry run, it must be run again.
    response = world.alice.post("/access/rules/acme/save/", {**rule, "action": "accept", "proof": proof})
    assert response.status_code == 400 and not Rule.objects.exists()

    response = world.alice.post("/access/rules/acme/save/", {**rule, "proof": proof})
    assert response.status_code == 302
    saved = Rule.objects.get()
    assert (saved.name, saved.action, saved.reason) == ("Universities", "reject", "Use the university mirror.")
    assert saved.conditions == [{"kind": "email_domain", "values": ["uni.edu", "corp.com"]}]
    assert world.calls("POST") == []  # saving decides nothing until the next refresh
    page = world.alice.get("/access/rules/acme/").content.decode()
    assert "email domain is one of uni.edu, corp.com" in page


def test_the_dry_run_counts_what_an_earlier_rule_takes_first_and_the_hidden_it_skips(world):
    world.hub.control("POST", "access/options", {"id": "acme/gated-c", "type": "model", "hideRequesters": True})
    world.file(REPO, *PEOPLE)
    world.file("acme/gated-c", requester("zed", email="zed@uni.edu"))
    make_rule("BigCorp by hand", [{"kind": "verified_org", "values": ["bigcorp"]}], action="leave")
    world.refresh()
    response = world.alice.post(
        "/access/rules/acme/dry-run/",
        {"name": "Everyone known", "email_domains": "uni.edu, corp.com, gmail.com", "action": "accept"},
    )
    text = response.content.decode()
    assert "this rule would <strong>accept 2</strong>" in text
    assert "1 more match it but an earlier rule takes them first" in text
    assert "1 hidden requester skipped" in text


def test_a_rule_must_have_a_condition_and_a_reason_fits_the_hub(world):
    response = world.alice.post("/access/rules/acme/dry-run/", {"name": "All", "action": "accept"})
    assert response.status_code == 400 and "Give at least one condition" in response.content.decode()
    response = world.alice.post(
        "/access/rules/acme/dry-run/", {"name": "R", "pro": "yes", "action": "reject", "reason": "x" * 201}
    )
    assert response.status_code == 400
    response = world.alice.post(
        "/access/rules/acme/dry-run/",
        {"name": "R", "field_label": "Country", "field_op": "equals", "field_values": "FR, DE", "action": "accept"},
    )
    assert response.status_code == 200  # "FR, DE" is one answer for "equals"


def test_rules_are_reordered_turned_off_and_deleted_on_the_page(world):
    from hubdash.access.models_rules import Rule

    first = make_rule("first", [{"kind": "pro", "value": True}], position=1)
    second = make_rule("second", [{"kind": "pro", "value": False}], position=2)
    world.alice.post(f"/access/rules/acme/{second.pk}/move/", {"direction": "up"})
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == ["second", "first"]
    world.alice.post(f"/access/rules/acme/{first.pk}/enabled/", {})
    assert not Rule.objects.get(pk=first.pk).enabled
    world.alice.post(f"/access/rules/acme/{first.pk}/delete/")
    assert list(Rule.objects.values_list("name", flat=True)) == ["second"]


def test_only_people_who_manage_the_namespace_see_or_change_its_rules(world):
    from hubdash.access.models_rules import Rule

    rule = make_rule("first", [{"kind": "pro", "value": True}])
    for client in (world.bob, world.charlie):
        assert client.get("/access/rules/acme/").status_code == 403
        assert (
            client.post("/access/rules/acme/dry-run/", {"name": "x", "pro": "yes", "action": "accept"}).status_code
            == 403
        )
        assert (
            client.post("/access/rules/acme/save/", {"name": "x", "pro": "yes", "action": "accept"}).status_code == 403
        )
        assert client.post(f"/access/rules/acme/{rule.pk}/delete/").status_code == 403
        assert client.post(f"/access/rules/acme/{rule.pk}/move/", {"direction": "down"}).status_code == 403
    assert world.alice.get("/access/rules/otherorg/").status_code == 403
    # A rule is reached only through its own namespace.
    world.hub.add_user("alice", orgs={"acme": "admin", "datalab": "write"})
    assert world.alice.post(f"/access/rules/datalab/{rule.pk}/delete/").status_code == 404
    assert Rule.objects.filter(pk=rule.pk).exists()


def test_a_request_moved_back_to_pending_on_the_hub_itself_is_left_alone_too(world):
    from huggingface_hub import HfApi

    from tests.personas import ALICE_TOKEN

    world.file(REPO, *PEOPLE)
    make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu"]}])
    world.refresh()
    assert accepted(world) == {"ann"}
    HfApi(endpoint=world.hub.url).cancel_access_request(REPO, "ann", token=ALICE_TOKEN)  # on the Hub's own page
    world.refresh()
    world.refresh()
    assert world.state(REPO)["ann"] == "pending"


def test_a_rule_for_one_repo_is_edited_through_its_dry_run_and_keeps_its_place(world):
    from hubdash.access.models import GatedRepo
    from hubdash.access.models_rules import Rule

    world.file(REPO, *PEOPLE)
    world.file("acme/gated-b", requester("eve", email="eve@uni.edu"))
    world.refresh()
    first = make_rule("first", [{"kind": "pro", "value": True}], action="leave", position=1)
    rule = make_rule("Universities", [{"kind": "email_domain", "values": ["uni.edu"]}], position=2)
    page = world.alice.get(f"/access/rules/acme/{rule.pk}/").content.decode()
    assert 'value="uni.edu"' in page and "Edit “Universities”" in page
    only_b = str(GatedRepo.objects.get(repo_id="acme/gated-b").pk)
    typed = {
        "rule_id": rule.pk,
        "name": "Universities on b",
        "repo": only_b,
        "email_domains": "uni.edu",
        "action": "accept",
    }
    text = world.alice.post("/access/rules/acme/dry-run/", typed).content.decode()
    assert "this rule would <strong>accept 1</strong> on 1 repo" in text  # eve on b, not ann on a
    proof = text.split('name="proof" value="', 1)[1].split('"', 1)[0]
    assert world.alice.post("/access/rules/acme/save/", {**typed, "proof": proof}).status_code == 302
    assert list(Rule.objects.order_by("position").values_list("pk", "name")) == [
        (first.pk, "first"),
        (rule.pk, "Universities on b"),
    ]
    world.refresh()
    assert accepted(world, "acme/gated-b") == {"eve"} and accepted(world) == set()
