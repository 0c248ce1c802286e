"""The jobs page: admins see each scheduled job (period, whose token, last and next run, pauses) and can run
one now; members and outsiders cannot; what jobs and pauses say is escaped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from hubdash.jobs.models import QUEUED, RUN_NOW, Delegation, Pause, ScheduledRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def probe(register):
    register("probe.page", lambda run: "refreshed 3 repos", every=timedelta(minutes=5), label="Refresh <b>probe</b>",
             capability="access")  # fmt: skip
    return "probe.page"


def test_the_jobs_page_is_for_admins(probe, alice_client, bob_client, charlie_client):
    assert alice_client.get(reverse("jobs")).status_code == 200
    assert bob_client.get(reverse("jobs")).status_code == 403
    assert charlie_client.get(reverse("jobs")).status_code == 403
    anonymous = Client().get(reverse("jobs"))
    assert anonymous.status_code == 302 and reverse("login") in anonymous["Location"]
    assert bob_client.post(reverse("job-run-now", args=[probe])).status_code == 403
    assert not ScheduledRun.objects.exists()


def test_the_nav_links_the_jobs_page_for_admins_only(probe, alice_client, bob_client):
    link = f'href="{reverse("jobs")}"'
    assert link in alice_client.get(reverse("profile")).content.decode()
    assert link not in bob_client.get(reverse("profile")).content.decode()


def test_the_page_lists_each_job_with_its_period_token_last_and_next_run(probe, alice, alice_client):
    Delegation.objects.create(capability="access", namespace="acme", person=alice)
    Pause.objects.create(capability="access", namespace="datalab", reason="nobody has taken this on")
    page = alice_client.get(reverse("jobs")).content.decode()
    assert "Refresh &lt;b&gt;probe&lt;/b&gt;" in page and "<b>probe" not in page
    assert "every 5 minutes" in page
    assert "acme: alice's token" in page
    assert "datalab:" in page and "nobody has taken this on" in page
    assert "never" in page and "due now" in page


def test_run_now_enqueues_one_run_and_the_page_shows_it_then_its_outcome(probe, alice, alice_client, run_jobs):
    response = alice_client.post(reverse("job-run-now", args=[probe]))
    assert response.status_code == 302 and response["Location"] == reverse("jobs")
    run = ScheduledRun.objects.get()
    assert (run.trigger, run.state, run.requested_by) == (RUN_NOW, QUEUED, alice)
    page = alice_client.get(reverse("jobs")).content.decode()
    assert "a run is queued" in page and "queued" in page
    alice_client.post(reverse("job-run-now", args=[probe]))
    assert ScheduledRun.objects.count() == 1  # still waiting: asking again is the same run


@pytest.mark.django_db(transaction=True)
def test_a_run_now_outcome_is_shown_escaped(register, alice, run_jobs):
    from tests.personas import signed_in

    register("probe.escape", lambda run: "<script>alert(1)</script> done", label="Escape probe")
    client = signed_in(alice)
    client.post(reverse("job-run-now", args=["probe.escape"]))
    run_jobs()
    page = client.get(reverse("jobs")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; done" in page and "<script>alert" not in page
    assert "(run now by alice)" in page


def test_run_now_is_a_post_with_csrf_for_a_known_job(probe, alice):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post(reverse("job-run-now", args=[probe])).status_code == 403
    assert strict.get(reverse("job-run-now", args=[probe])).status_code == 405
    assert not ScheduledRun.objects.exists()
    lenient = Client()
    lenient.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert lenient.post(reverse("job-run-now", args=["probe.nothing"])).status_code == 404


def test_pauses_are_escaped(alice_client):
    Pause.objects.create(capability="usage", namespace="acme", reason="<img src=x onerror=alert(1)> was deactivated")
    page = alice_client.get(reverse("jobs")).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; was deactivated" in page and "<img src=x" not in page
    assert "Usage snapshots in acme" in page


def test_admins_home_page_says_when_scheduled_work_is_paused(alice_client, bob_client):
    home = alice_client.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("jobs-paused")}"' in home
    assert reverse("jobs-paused") not in bob_client.get(reverse("home")).content.decode()
    assert alice_client.get(reverse("jobs-paused")).content.decode().strip() == ""  # nothing paused: nothing said
    Pause.objects.create(capability="access", namespace="acme", reason="alice was deactivated")
    line = alice_client.get(reverse("jobs-paused"), headers={"HX-Request": "true"}).content.decode()
    assert "Scheduled work is paused" in line and "access requests in acme (alice was deactivated)" in line
    assert f'href="{reverse("jobs")}"' in line
    assert bob_client.get(reverse("jobs-paused")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_a_usage_run_with_no_namespace_watched_links_to_the_usage_settings(alice, run_jobs):
    from tests.personas import signed_in

    client = signed_in(alice)
    client.post(reverse("job-run-now", args=["usage.snapshot"]))  # the usage app's own job: nothing is watched
    run_jobs()
    page = client.get(reverse("jobs")).content.decode()
    assert "no namespace is watched" in page
    assert f'<a href="{reverse("usage-settings")}">choose the namespaces to watch</a>' in page
