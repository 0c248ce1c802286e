"""Bulk decisions over hubsim: the queue's selection, the preview's plan, the job with the person's own token,
each request's outcome, the summary, the mirror and the feed."""

from __future__ import annotations

import html
import math
import re
import time

import pytest

from tests.access.bulk_world import World, requester, world_fixture  # noqa: F401
from tests.uploads.jobs import run_jobs

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]

SPLIT = {"acme/gated-a": 120, "acme/gated-b": 80, "acme/gated-c": 50}  # 250 requests, 2 + 1 + 1 batch calls


def a_window_with_time_left(needed: float = 30, shortest: int = 300) -> int:
    """hubsim's rate-limit windows follow the wall clock (every `window_s` seconds): a window length, the Hub's
    5 minutes or a minute longer at a time, whose current window has `needed` seconds left, so that the waits
    a test measures are whole ones (and none of them waits for a window to end before it starts)."""
    window = shortest
    while window - time.time() % window < needed:
        window += 60
    return window


def file_many(world: World, split: dict[str, int]) -> None:
    for repo_id, n in split.items():
        short = repo_id.rsplit("-", 1)[1]
        world.file(repo_id, *(requester(f"{short}-user-{i:03d}") for i in range(n)))


def preview(world: World, **post: object):
    from hubdash.access.models_rules import BulkRun

    response = world.alice.post("/access/bulk/", post)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = BulkRun.objects.latest("id")
    assert response["Location"] == f"/access/bulk/{run.pk}/"
    return run, world.alice.get(response["Location"])


def test_250_acceptances_on_3_repos_use_one_batch_call_per_100_and_the_rereads_the_preview_stated(world):
    from hubdash.access.models import AccessRequest
    from hubdash.activity.models import Event

    file_many(world, SPLIT)
    world.refresh()
    ids = list(AccessRequest.objects.filter(status="pending").values_list("pk", flat=True))
    assert len(ids) == 250
    # One of them the Hub refuses ("not found") while still listing it as pending.
    world.hub.control(
        "POST",
        "access/refusals",
        {"id": "acme/gated-a", "type": "model", "user": "a-user-007", "error": "request_not_found"},
    )

    run, page = preview(world, status="accepted", request=ids)
    text = page.content.decode()
    assert "Accept 250 requests on 3 repos" in text
    for repo_id, n in SPLIT.items():
        cells = f'<td data-label="Requests">{n}</td><td data-label="Batch calls">{math.ceil(n / 100)}</td>'
        assert re.search(rf'data-repo="{repo_id}">.*?{cells}', text)
    assert "Hub calls: <strong>4</strong>" in text
    assert "plus up to 3 list calls on a repo where the Hub answers “not found”" in text
    assert world.calls("POST") == []  # a preview sends nothing

    world.forget_calls()
    assert world.alice.post(f"/access/bulk/{run.pk}/start/").status_code == 302
    run_jobs()

    batches = world.calls("POST", "/user-access-request/batch")
    per_repo = {repo_id: sum(1 for c in batches if f"/{repo_id}/" in c["path"]) for repo_id in SPLIT}
    assert per_repo == {repo_id: math.ceil(n / 100) for repo_id, n in SPLIT.items()}
    rereads = world.calls("GET", "/user-access-request/")
    assert len(rereads) <= 3 and {c["path"].split("/")[3] for c in rereads} == {"acme"}
    assert all("/acme/gated-a/" in c["path"] for c in rereads)
    assert len(world.calls("POST")) == 4  # nothing one by one: every requester is shown

    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert "<strong>249 accepted</strong>, 1 refused" in page and "0 not tried" in page
    assert 'data-state="done"' in page
    held = world.state("acme/gated-a") | world.state("acme/gated-b") | world.state("acme/gated-c")
    assert sum(1 for s in held.values() if s == "accepted") == 249 and held["a-user-007"] == "pending"
    assert AccessRequest.objects.filter(status="accepted", decided_by__username="alice").count() == 249
    assert AccessRequest.objects.get(username="a-user-007").status == "pending"
    event = Event.objects.filter(source="hubdash", member__username="alice").latest("id")
    assert event.summary.startswith("accepted 249 of 250 access requests on 3 repos (1 refused")
    assert event.details["done"] == 249 and event.details["refused"] == 1


def test_requests_decided_or_withdrawn_on_the_hub_since_are_said_so(world):
    from huggingface_hub import HfApi

    from hubdash.access.models import AccessRequest
    from tests.personas import ALICE_TOKEN

    world.file("acme/gated-a", requester("ann"), requester("ben"), requester("cat"))
    world.refresh()
    ids = list(AccessRequest.objects.values_list("pk", flat=True))
    run, _ = preview(world, status="accepted", request=ids)
    # Meanwhile, on the Hub: someone accepts ben there with the official client, and cat withdraws.
    HfApi(endpoint=world.hub.url).accept_access_request("acme/gated-a", "ben", token=ALICE_TOKEN)
    world.hub.control("POST", "access/cancel", {"id": "acme/gated-a", "type": "model", "user": "cat"})
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    run_jobs()

    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert "Already decided on the Hub (now: accepted)." in page
    assert "Withdrawn: the request is no longer on the Hub." in page
    assert "<strong>1 accepted</strong>, 0 refused, 1 already decided on the Hub, 1 withdrawn, 0 not tried" in page
    assert world.state("acme/gated-a") == {"ann": "accepted", "ben": "accepted"}
    assert dict(AccessRequest.objects.values_list("username", "status")) == {
        "ann": "accepted",
        "ben": "accepted",
        "cat": "withdrawn",
    }


def test_a_rate_limit_mid_batch_pauses_until_the_window_resets_and_goes_on(world, monkeypatch):
    from hubdash.access import bulk
    from hubdash.access.models import AccessRequest
    from hubdash.access.models_rules import BulkRun

    file_many(world, {"acme/gated-a": 150, "acme/gated-b": 60, "acme/gated-c": 30})  # 2 + 1 + 1 batch calls
    world.refresh()
    ids = list(AccessRequest.objects.values_list("pk", flat=True))
    run, _ = preview(world, status="accepted", request=ids)
    # A small quota: two calls a window, whoami aside; every wait is then the rest of a window, never a second
    # at its very end.
    quota = {"quotas": {"api": 2, "whoami": 100}, "window_s": a_window_with_time_left()}
    world.hub.control("POST", "ratelimit", quota)
    slept: list[tuple[float, str]] = []

    def fake_sleep(seconds: float) -> None:
        slept.append((seconds, BulkRun.objects.get(pk=run.pk).note))
        world.hub.control("POST", "ratelimit", quota)  # the window resets: a fresh quota

    monkeypatch.setattr(bulk, "sleep", fake_sleep)
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    run_jobs()

    assert slept, "the job never waited for the window"
    # The waits for the rate limit are the rest of a window (a pacing pause between calls may be shorter).
    waits = [seconds for seconds, note in slept if "Paused by the Hub's rate limit" in note]
    assert waits and all(seconds > 1 for seconds in waits), slept
    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert "<strong>240 accepted</strong>, 0 refused" in page and "0 not tried" in page
    assert len(world.calls("POST", "/batch")) - sum(1 for c in world.calls("POST", "/batch") if c["status"] == 429) == 4


def test_hidden_requesters_are_decided_one_at_a_time_by_request_id(world):
    from hubdash.access.models import AccessRequest

    world.hub.control("POST", "access/options", {"id": "acme/gated-c", "type": "model", "hideRequesters": True})
    world.file("acme/gated-c", requester("hid-1"), requester("hid-2"), requester("hid-3"))
    world.file("acme/gated-b", requester("shown-1"), requester("shown-2"))
    world.refresh()
    assert AccessRequest.objects.filter(hidden=True).count() == 3
    run, page = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    assert "Hub calls: <strong>4</strong> (1 batch call and 3 for hidden requesters, one each)" in page.content.decode()
    world.forget_calls()
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    run_jobs()
    assert len(world.calls("POST", "/acme/gated-c/user-access-request/handle")) == 3
    assert len(world.calls("POST", "/acme/gated-b/user-access-request/batch")) == 1
    assert set(world.state("acme/gated-c").values()) == {"accepted"}


def test_all_matching_the_filter_takes_every_page_of_it_and_nothing_else(world):
    from hubdash.access.models_rules import BulkItem

    world.file("acme/gated-a", *(requester(f"uni-{i}", email=f"p{i}@uni.edu") for i in range(60)))
    world.file("acme/gated-a", *(requester(f"corp-{i}", email=f"p{i}@corp.com") for i in range(5)))
    world.refresh()
    run, page = preview(world, status="accepted", all="on", query="domain=uni.edu&status=pending&page=2")
    assert "Accept 60 requests on 1 repo" in page.content.decode()
    assert set(BulkItem.objects.filter(run=run).values_list("who", flat=True)) == {f"uni-{i}" for i in range(60)}


def test_a_person_cannot_bulk_decide_in_a_namespace_they_may_not_manage(world):
    from hubdash.access.models import AccessRequest
    from hubdash.access.models_rules import BulkRun

    world.file("acme/gated-a", requester("ann"))
    world.refresh()
    ids = list(AccessRequest.objects.values_list("pk", flat=True))
    for client in (world.bob, world.charlie):  # a read token; no token
        response = client.post("/access/bulk/", {"status": "accepted", "request": ids})
        assert response.status_code == 403
        assert "You may not decide access requests in acme" in response.content.decode()
    assert not BulkRun.objects.exists()
    # all matching: nothing of acme matches for bob
    response = world.bob.post("/access/bulk/", {"status": "accepted", "all": "on", "query": ""})
    assert response.status_code == 400 and not BulkRun.objects.exists()
    # alice's run is hers alone
    run, _ = preview(world, status="accepted", request=ids)
    assert world.bob.get(f"/access/bulk/{run.pk}/").status_code == 404
    assert world.bob.post(f"/access/bulk/{run.pk}/start/").status_code == 404
    assert BulkRun.objects.get(pk=run.pk).state == "draft"


def test_a_token_revoked_before_the_job_runs_sends_nothing_and_says_why(world):
    from hubdash.access.models import AccessRequest
    from tests.personas import ALICE_TOKEN

    world.file("acme/gated-a", requester("ann"), requester("ben"))
    world.refresh()
    run, _ = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    world.hub.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    world.forget_calls()
    run_jobs()
    assert world.calls("POST") == []
    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert "The Hub rejected your token (revoked or expired) before the job ran: nothing was sent." in page
    assert "<strong>0 accepted</strong>, 0 refused, 2 not tried" in page


def test_bad_input_is_a_clear_400_and_keeps_nothing(world):
    from hubdash.access.models_rules import BulkRun

    response = world.alice.post("/access/bulk/", {"status": "accepted"})
    assert response.status_code == 400 and "Tick at least one request" in response.content.decode()
    response = world.alice.post("/access/bulk/", {"status": "rejected", "reason": "x" * 201, "request": ["1"]})
    assert response.status_code == 400
    response = world.alice.post("/access/bulk/", {"status": "accepted", "request": ["nope"]})
    assert response.status_code == 400
    assert not BulkRun.objects.exists()


def test_the_progress_polls_while_the_job_runs_and_stops_when_it_is_done(world):
    from hubdash.access.models import AccessRequest

    world.file("acme/gated-b", requester("ann"))
    world.refresh()
    run, _ = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    fragment = world.alice.get(f"/access/bulk/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="bulk-progress"') and 'hx-trigger="every 2s"' in fragment
    run_jobs()
    fragment = world.alice.get(f"/access/bulk/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in fragment and "Finished" in fragment


def test_the_preview_says_its_share_of_the_persons_quota_as_the_hub_last_told_it(world):
    from hubdash.access.models import AccessRequest

    world.hub.control("POST", "ratelimit", {"quotas": {"api": 50, "whoami": 100}, "window_s": 300})
    world.file("acme/gated-a", requester("ann"), requester("ben"))
    world.refresh()  # alice's token: 1 repo listing, 3 status lists (the Hub says what is left after each)
    ids = list(AccessRequest.objects.values_list("pk", flat=True))
    _, page = preview(world, status="accepted", request=ids)
    quota = html.unescape(page.content.decode().split('data-testid="bulk-quota">', 1)[1].split("</p>", 1)[0])
    left = 50 - len(world.calls())
    assert (
        quota == f"This call comes out of your token's quota: {left} of 50 calls left in its current 5-minute window."
    )


def test_a_worker_stopped_mid_run_leaves_a_summary_saying_what_was_not_tried(world, monkeypatch):
    from hubdash.access import bulk
    from hubdash.access.models import AccessRequest

    file_many(world, {"acme/gated-a": 150})
    world.refresh()
    run, _ = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    batches = 0
    real = bulk.hub_access.decide_batch

    def decide_then_stop(*args, **kwargs):
        nonlocal batches
        batches += 1
        if batches == 2:
            raise KeyboardInterrupt  # the worker's second Ctrl-C, between two batches
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk.hub_access, "decide_batch", decide_then_stop)
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    run_jobs()  # the worker records the task as failed and goes on
    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert 'data-state="done"' in page
    assert "<strong>100 accepted</strong>, 0 refused, 50 not tried" in page
    assert "The worker was stopped while deciding these" in page


def test_a_run_whose_worker_was_killed_is_said_stopped_and_resumed_without_deciding_one_twice(world, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from hubdash.access import bulk, bulk_runs
    from hubdash.access.jobs import refresh_all
    from hubdash.access.models import AccessRequest
    from hubdash.access.models_rules import BulkRun
    from hubdash.activity.models import Event

    file_many(world, {"acme/gated-a": 250})  # 3 batch calls: 100, 100, 50
    world.refresh()
    run, _ = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    assert world.alice.post(f"/access/bulk/{run.pk}/start/").status_code == 302

    class Killed(BaseException):
        """SIGKILL: the process is gone, and none of hubdash's code runs after it."""

    batches = 0
    real = bulk.hub_access.decide_batch

    def decide_then_die(*args, **kwargs):
        nonlocal batches
        batches += 1
        answers = real(*args, **kwargs)  # the Hub did the call...
        if batches == 2:
            raise Killed  # ...and the worker died before it kept the answer
        return answers

    with monkeypatch.context() as killed:
        killed.setattr(bulk.hub_access, "decide_batch", decide_then_die)
        killed.setattr(bulk_runs, "_finish", lambda run, stopped: "")  # nothing is said on the way out
        with pytest.raises(Killed):
            bulk_runs.run_bulk.call(run.pk)
    assert sum(1 for s in world.state("acme/gated-a").values() if s == "accepted") == 200

    # While its heartbeat is fresh the run is running; once it is stale, the page says what became of it.
    page = world.alice.get(f"/access/bulk/{run.pk}/").content.decode()
    assert 'data-state="running"' in page and "Resume:" not in page
    BulkRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    page = html.unescape(world.alice.get(f"/access/bulk/{run.pk}/").content.decode())
    assert 'data-state="done"' in page
    assert "<strong>100 accepted</strong>, 0 refused, 150 not tried" in page
    assert "The worker deciding these stopped (killed or restarted)" in page
    assert "Resume: accept the 150 not tried" in page
    # The page only shows it: the periodic refresh's sweep ends the run and tells the feed.
    assert BulkRun.objects.get(pk=run.pk).state == "running"
    told = Event.objects.filter(source="hubdash", member__username="alice", summary__contains="not tried")
    assert not told.exists()
    refresh_all(None)  # type: ignore[arg-type]
    assert BulkRun.objects.get(pk=run.pk).state == "done"
    event = Event.objects.filter(source="hubdash", member__username="alice").latest("id")
    assert event.summary == "accepted 100 of 250 access requests on 1 repo (150 not tried)"
    assert 'data-state="done"' in world.alice.get(f"/access/bulk/{run.pk}/").content.decode()

    # Only its owner may resume it, with a POST.
    assert world.bob.post(f"/access/bulk/{run.pk}/resume/").status_code == 404
    assert world.alice.get(f"/access/bulk/{run.pk}/resume/").status_code == 405
    world.forget_calls()
    assert world.alice.post(f"/access/bulk/{run.pk}/resume/").status_code == 302
    run_jobs()

    # The 100 sent before the kill are read back from the Hub's accepted list, never sent again; the last 50
    # go in one batch.
    batch_calls = world.calls("POST", "/user-access-request/batch")
    assert len(batch_calls) == 1
    reads = {c["path"] for c in world.calls("GET")} - {"/api/whoami-v2"}  # the token checked again
    assert reads == {"/api/models/acme/gated-a/user-access-request/accepted"}
    page = html.unescape(world.alice.get(f"/access/bulk/{run.pk}/").content.decode())
    assert "<strong>250 accepted</strong>, 0 refused, 0 not tried" in page and "Resume:" not in page
    assert page.count("Done before the worker stopped (confirmed on the Hub when the run was resumed).") == 100
    assert set(world.state("acme/gated-a").values()) == {"accepted"}
    assert AccessRequest.objects.filter(status="accepted", decided_by__username="alice").count() == 250
    # Resuming a finished run with nothing left does nothing.
    world.forget_calls()
    world.alice.post(f"/access/bulk/{run.pk}/resume/")
    run_jobs()
    assert world.calls("POST") == []


def test_a_bulk_rejection_says_who_and_why_in_the_feed_and_the_hub_keeps_the_reason(world):
    from hubdash.access.models import AccessRequest
    from hubdash.activity.models import Event

    world.file("acme/gated-b", requester("ann"), requester("ben"))
    world.refresh()
    ids = list(AccessRequest.objects.values_list("pk", flat=True))
    run, _ = preview(world, status="rejected", reason="Only for our partners.", request=ids)
    world.alice.post(f"/access/bulk/{run.pk}/start/")
    run_jobs()

    held = world.hub.control("GET", "access/model/acme/gated-b")
    assert {(r["user"], r["status"], r["rejectionReason"]) for r in held} == {
        ("ann", "rejected", "Only for our partners."),
        ("ben", "rejected", "Only for our partners."),
    }
    event = Event.objects.filter(source="hubdash", action="access").latest("id")
    assert (event.actor, event.summary) == (
        "alice",
        "rejected 2 of 2 access requests on 1 repo: Only for our partners.",
    )


def test_a_stopped_run_shown_by_its_page_but_not_yet_swept_can_be_resumed_at_once(world):
    from datetime import timedelta

    from django.utils import timezone

    from hubdash.access.models import AccessRequest
    from hubdash.access.models_rules import BulkRun

    file_many(world, {"acme/gated-a": 3})
    world.refresh()
    run, _ = preview(world, status="accepted", request=list(AccessRequest.objects.values_list("pk", flat=True)))
    stale = timezone.now() - timedelta(minutes=5)
    BulkRun.objects.filter(pk=run.pk).update(state="running", started_at=stale, heartbeat_at=stale)

    page = html.unescape(world.alice.get(f"/access/bulk/{run.pk}/").content.decode())
    assert 'data-state="done"' in page and "Resume: accept the 3 not tried" in page
    assert BulkRun.objects.get(pk=run.pk).state == "running"  # a GET writes nothing

    response = world.alice.post(f"/access/bulk/{run.pk}/resume/", follow=True)
    assert "Resumed: accept the 3 requests not tried." in html.unescape(response.content.decode())
    run_jobs()
    assert set(world.state("acme/gated-a").values()) == {"accepted"}
