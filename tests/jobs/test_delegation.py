"""Whose token does unattended work: a person takes it on from their own profile; the work pauses, with the
reason, when they are deactivated, their token is removed or rejected, or they no longer manage the
namespace on the Hub; it resumes when someone else takes it on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from hubdash import hub
from hubdash.activity.models import Event
from hubdash.jobs import schedule
from hubdash.jobs.delegation import NOBODY, Paused, unattended_client
from hubdash.jobs.models import PAUSED, Delegation, Pause, ScheduledRun
from tests.personas import ALICE_TOKEN, BOB_TOKEN, PASSWORD, signed_in

DAVE_TOKEN = "hf_dave_write_0123456789abcdef"
URL = "/account/unattended/"


@pytest.fixture
def lending(hub_world, alice, bob):
    hub_world.add_user("dave", fullname="Dave Okafor", orgs={"acme": "write"}, tokens={DAVE_TOKEN: "write"})
    dave = User.objects.create_user("dave", "dave@example.com", PASSWORD)
    hub.connect_token(alice, ALICE_TOKEN)
    hub.connect_token(bob, BOB_TOKEN)
    hub.connect_token(dave, DAVE_TOKEN)
    return dave


def take_on(client: Client, *values: str, replace: tuple[str, ...] = (), htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(URL, {"use": list(values), "replace": list(replace)}, headers=headers)


def paused_reason(capability: str, namespace: str) -> str:
    with pytest.raises(Paused) as paused:
        unattended_client(capability, namespace)
    return paused.value.reason


@pytest.mark.django_db
def test_the_profile_offers_the_namespaces_the_person_manages_through_the_jobs_fragment(lending, alice_client):
    profile = alice_client.get(reverse("profile")).content.decode()
    assert f'hx-get="{URL}"' in profile and f'href="{URL}"' in profile
    fragment = alice_client.get(URL, headers={"HX-Request": "true"})
    page = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in page
    assert 'id="delegations"' in page
    # alice writes as herself, admins acme and writes in datalab: three namespaces, a checkbox per capability
    # that a registered job does (access, usage and the discussions inbox).
    for namespace in ("acme", "alice", "datalab"):
        for words in ("access requests", "usage snapshots", "discussions inbox"):
            assert f"Use my token for this team's {words} in {namespace}" in page
    assert page.count('type="checkbox" name="use"') == 9
    assert f'href="{reverse("usage-settings")}">Usage settings</a>' in page  # where an admin picks the namespaces
    assert f'href="{reverse("discussions-settings")}">Discussions settings</a>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    whole = alice_client.get(URL).content.decode()
    assert "<html" in whole and "Use my token for this team's access requests in acme" in whole


@pytest.mark.django_db
def test_a_read_only_token_manages_nothing_and_cannot_take_anything_on(lending, bob_client):
    page = bob_client.get(URL).content.decode()
    assert 'name="use"' not in page and "may not manage any namespace" in page
    refused = take_on(bob_client, "access:acme")
    assert refused.status_code == 403 and "may not manage acme" in refused.content.decode()
    assert not Delegation.objects.exists()
    assert take_on(bob_client, "nonsense").status_code == 400


@pytest.mark.django_db
def test_a_namespace_the_person_may_not_manage_changes_nothing_and_keeps_what_was_ticked(lending, alice_client):
    refused = take_on(alice_client, "access:acme", "access:bigcorp", htmx=True)
    page = refused.content.decode()
    assert refused.status_code == 403 and "may not manage bigcorp" in page and "Nothing was changed" in page
    assert 'value="access:acme" checked' in page
    assert not Delegation.objects.exists()


@pytest.mark.django_db
def test_taking_it_on_is_a_post_with_csrf(lending, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post(URL, {"use": ["access:acme"]}).status_code == 403
    assert not Delegation.objects.exists()
    assert signed_in(alice).put(URL).status_code == 405


@pytest.mark.django_db
def test_taking_it_on_makes_unattended_work_run_with_that_token_and_giving_up_pauses_it(lending, alice, alice_client):
    response = take_on(alice_client, "access:acme", "usage:datalab")
    assert response.status_code == 302
    assert set(Delegation.objects.values_list("capability", "namespace", "person__username")) == {
        ("access", "acme", "alice"),
        ("usage", "datalab", "alice"),
    }
    person, client = unattended_client("access", "acme")
    assert person == alice and client.whoami().name == "alice"
    assert Event.objects.filter(summary__contains="took on this team's access requests in acme").exists()
    shown = alice_client.get(URL).content.decode()
    assert 'value="access:acme" checked' in shown and 'value="access:datalab" checked' not in shown
    # Unticked: given up; the next run pauses until someone takes it on.
    assert take_on(alice_client, "usage:datalab", htmx=True).status_code == 200
    assert paused_reason("access", "acme") == NOBODY
    assert unattended_client("usage", "datalab")[0] == alice


@pytest.mark.django_db
def test_nobody_taking_it_on_is_a_pause_said_once_in_the_feed(lending):
    assert paused_reason("access", "acme") == NOBODY
    assert paused_reason("access", "acme") == NOBODY
    assert Pause.objects.get().reason == NOBODY
    assert Event.objects.filter(summary__contains=NOBODY).count() == 1


@pytest.mark.django_db
def test_a_deactivated_delegate_pauses_the_work_until_someone_else_takes_it_on(lending, alice, alice_client):
    dave = lending
    take_on(signed_in(dave), "access:acme")
    dave.is_active = False
    dave.save()
    assert paused_reason("access", "acme") == "dave was deactivated"
    jobs_page = alice_client.get(reverse("jobs")).content.decode()
    assert "dave was deactivated" in jobs_page
    assert Event.objects.filter(summary__contains="dave was deactivated").exists()
    assert "dave was deactivated" in alice_client.get(reverse("activity")).content.decode()
    # alice takes it on: dave is paused, so no confirmation is asked; the pause ends at once.
    assert take_on(alice_client, "access:acme").status_code == 302
    assert not Pause.objects.exists()
    assert unattended_client("access", "acme")[0] == alice
    assert "dave was deactivated" not in alice_client.get(reverse("jobs")).content.decode()


@pytest.mark.django_db
def test_a_removed_token_pauses_the_work(lending):
    dave = lending
    take_on(signed_in(dave), "access:acme")
    hub.remove_token(dave)
    assert paused_reason("access", "acme") == "dave's token was removed"


@pytest.mark.django_db
def test_a_token_the_hub_rejects_pauses_the_work(lending, hub_world):
    dave = lending
    take_on(signed_in(dave), "access:acme")
    hub_world.control("POST", "tokens/revoke", {"token": DAVE_TOKEN})  # revoked on the Hub, hubdash unaware
    assert paused_reason("access", "acme") == "dave's token was rejected by the Hub"


@pytest.mark.django_db
def test_losing_the_org_role_on_the_hub_pauses_the_work_at_the_next_run(lending, hub_world):
    dave = lending
    take_on(signed_in(dave), "access:acme")
    assert unattended_client("access", "acme")[0] == dave  # whoami now: dave writes in acme
    hub_world.add_user("dave", orgs={"acme": "read"})  # an acme admin demotes dave on the Hub
    assert paused_reason("access", "acme") == "dave is no longer an admin or writer of acme"
    hub_world.add_user("dave", orgs={"acme": "write"})  # and gives the role back: the work resumes
    assert unattended_client("access", "acme")[0] == dave
    assert not Pause.objects.exists()


@pytest.mark.django_db
def test_taking_over_from_someone_in_good_standing_asks_first_and_loses_nothing_ticked(lending, alice, alice_client):
    dave = lending
    take_on(signed_in(dave), "access:acme")
    asked = take_on(alice_client, "access:acme", "usage:acme", htmx=True)
    page = asked.content.decode()
    assert asked.status_code == 409
    assert "Replace dave for access requests in acme" in page
    assert 'value="access:acme" checked' in page  # what alice ticked is still ticked
    assert Delegation.objects.get(capability="access").person == dave
    assert Delegation.objects.get(capability="usage").person == alice  # the rest was saved
    confirmed = take_on(alice_client, "access:acme", "usage:acme", replace=("access:acme",))
    assert confirmed.status_code == 302
    assert Delegation.objects.get(capability="access").person == alice
    assert Event.objects.filter(summary__contains="in place of dave").exists()


@pytest.mark.django_db
def test_a_delegate_who_was_replaced_sees_it_on_their_profile(lending, alice_client):
    dave = lending
    take_on(alice_client, "access:acme")
    page = signed_in(dave).get(URL).content.decode()
    assert "now done with alice's token" in page


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_job_for_a_namespace_records_the_pause_on_its_run(lending, register, run_jobs):
    dave = lending

    def refresh(run):
        _, client = unattended_client("access", "acme")
        return f"refreshed acme as {client.whoami().name}"

    register("probe.refresh", refresh, label="Refresh probe", capability="access")
    take_on(signed_in(dave), "access:acme")  # offered: a registered job does it
    schedule.run_now("probe.refresh")
    run_jobs()
    assert ScheduledRun.objects.get().outcome == "refreshed acme as dave"
    dave.is_active = False
    dave.save()
    schedule.run_now("probe.refresh")
    run_jobs()
    latest = ScheduledRun.objects.latest("created_at")
    assert (latest.state, latest.outcome) == (PAUSED, "paused: dave was deactivated")


@pytest.mark.django_db
def test_a_capability_is_offered_once_a_job_that_does_it_is_registered(lending, alice, alice_client, register):
    assert take_on(alice_client, "discussions:acme").status_code == 400  # no job does it: not one hubdash offers
    assert not Delegation.objects.filter(capability="discussions").exists()
    register("discussions.inbox", lambda run: "read", capability="discussions")
    page = alice_client.get(URL).content.decode()
    assert "Use my token for this team's discussions inbox in acme" in page and "access requests" not in page
    assert take_on(alice_client, "discussions:acme").status_code in (200, 302)
    assert Delegation.objects.filter(capability="discussions", namespace="acme", person=alice).exists()
