"""Uploading files over the real stack: hubdash's views and job, hubsim as the Hub, the personas' tokens.

Each upload is checked on the Hub afterwards (the bytes, read back through huggingface_hub), on the
repo's Upload tab, in the feed, and on disk (nothing staged is left behind, whatever the outcome).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta

import pytest
from django_tasks_db.models import DBTaskResult

from hubdash.activity.models import Event
from hubdash.uploads import staging
from hubdash.uploads.models import Upload
from hubdash.uploads.sweep import NEVER_RAN
from tests.pages import read
from tests.personas import ALICE_TOKEN
from tests.uploads.conftest import LIST_URL, REPO, URL, staged_and_incoming

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]


def named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def push_events() -> list[Event]:
    return list(Event.objects.filter(source="hubdash", action="push", repo_id=REPO).order_by("id"))


def test_a_small_text_file_arrives_byte_for_byte_and_the_tab_shows_its_commit(uploading, run_jobs):
    text = "weights: none\nname: fresh ✓\n".encode()
    response = uploading.alice.post(URL, {"files": named(text, "config.yaml"), "branch": "main", "message": ""})
    assert response.status_code == 302
    page = read(uploading.alice.get(response["Location"]))
    assert "1 file received; pushing to main in the background." in page
    assert "waiting for a worker" in page
    assert 'hx-trigger="every 2s, ' in page  # the list refreshes itself while the push is pending
    [upload] = Upload.objects.all()
    assert upload.state == "queued" and upload.member.username == "alice"
    assert uploading.writes() == []  # nothing reaches the Hub from the web request

    run_jobs()

    upload.refresh_from_db()
    assert upload.state == "done", upload.reason
    assert uploading.content("config.yaml") == text
    info = uploading.api().get_paths_info(REPO, ["config.yaml"])[0]
    assert info.lfs is None  # a small text file is committed as a regular file
    commit = uploading.api().list_repo_commits(REPO)[0]
    assert commit.title == "Upload config.yaml"
    fragment = read(uploading.alice.get(LIST_URL))
    assert f'href="{upload.commit_url}"' in fragment and "commit on the Hub" in fragment
    assert "every 2s" not in fragment  # nothing left to wait for: no more polling
    [event] = push_events()
    assert event.details["outcome"] == "success"
    assert event.details["url"] == upload.commit_url
    assert event.member.username == "alice"
    assert event.summary == "uploaded config.yaml to main"
    assert staged_and_incoming() == []


def test_a_queued_upload_tells_the_list_of_uploads_to_redraw_itself_at_once(uploading):
    before = read(uploading.alice.get(URL))
    assert "None yet." in before and 'hubdash:uploads-changed from:body"' in before  # listening, not polling
    assert "every 2s" not in before
    refused = uploading.alice.post(URL, {"branch": "main", "message": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "HX-Trigger" not in refused  # nothing queued: nothing to redraw
    queued = uploading.alice.post(
        URL, {"files": named(b"hello", "a.txt"), "branch": "main", "message": ""}, HTTP_HX_REQUEST="true"
    )
    assert queued.status_code == 200 and "1 file received" in read(queued)
    assert json.loads(queued["HX-Trigger"]) == {"hubdash:uploads-changed": {}}
    assert 'id="uploads"' not in read(queued)  # the list answers on its own address, as the event asks it to
    assert "a.txt" in read(uploading.alice.get(LIST_URL))


@pytest.mark.long
def test_a_200_mb_file_goes_through_lfs_byte_for_byte(uploading, run_jobs, tmp_path):
    big = tmp_path / "weights.bin"
    digest = hashlib.sha256()
    with big.open("wb") as out:
        block = hashlib.shake_256(b"hubdash").digest(1 << 20)
        for n in range(200):
            chunk = bytes([n % 251]) + block[1:]
            digest.update(chunk)
            out.write(chunk)
    with big.open("rb") as handle:
        response = uploading.alice.post(
            URL,
            {"files": handle, "path": "checkpoints/weights.bin", "branch": "main", "message": "Add weights"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert "1 file received" in read(response)

    run_jobs()

    upload = Upload.objects.get()
    assert upload.state == "done", upload.reason
    # Hashed as it arrived, so the push does not read the file again: the hash is the content's own.
    assert upload.files == [{"path": "checkpoints/weights.bin", "size": 200 << 20, "sha256": digest.hexdigest()}]
    info = uploading.api().get_paths_info(REPO, ["checkpoints/weights.bin"])[0]
    assert info.lfs is not None and info.lfs.sha256 == digest.hexdigest() and info.size == 200 << 20
    local = uploading.api().hf_hub_download(REPO, "checkpoints/weights.bin", local_dir=tmp_path / "back")
    back = hashlib.sha256()
    with open(local, "rb") as handle:
        while chunk := handle.read(1 << 20):
            back.update(chunk)
    assert back.hexdigest() == digest.hexdigest()
    assert staged_and_incoming() == []


def test_a_staged_file_whose_size_changed_before_the_push_is_hashed_again(uploading, run_jobs):
    data = bytes(range(256)) * 4096
    response = uploading.alice.post(URL, {"files": named(data, "model.bin"), "branch": "main", "message": ""})
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert upload.files[0]["sha256"] == hashlib.sha256(data).hexdigest()
    changed = data + b"more"  # the hash received with the upload no longer fits the staged bytes
    (staging.files_of(upload.staging, 1)[0]).write_bytes(changed)

    run_jobs()

    upload.refresh_from_db()
    assert upload.state == "done", upload.reason
    info = uploading.api().get_paths_info(REPO, ["model.bin"])[0]
    assert info.lfs is not None and info.lfs.sha256 == hashlib.sha256(changed).hexdigest()
    assert uploading.content("model.bin") == changed


def test_several_files_with_their_paths_as_a_pull_request(uploading, run_jobs):
    response = uploading.alice.post(
        URL,
        {
            "files": [named(b"a", "a.txt"), named(b"b", "b.txt")],
            "path": ["docs/a.txt", "docs/deeper/b.txt"],
            "branch": "main",
            "message": "Add docs",
            "description": "Two files",
            "create_pr": "on",
        },
    )
    assert response.status_code == 302
    run_jobs()
    upload = Upload.objects.get()
    assert upload.state == "done", upload.reason
    assert upload.pr_url.endswith("/discussions/1")
    assert uploading.content("docs/deeper/b.txt", revision="refs/pr/1") == b"b"
    assert "docs/a.txt" not in uploading.api().list_repo_files(REPO)  # main is untouched until the PR is merged
    page = read(uploading.alice.get(URL))
    assert "pull request on the Hub" in page
    [event] = push_events()
    assert event.summary == "opened a pull request with 2 files against main"
    assert event.details["pr_url"] == upload.pr_url


def test_a_folder_for_all_files_and_a_missing_branch_fails_with_its_name(uploading, run_jobs):
    response = uploading.alice.post(
        URL, {"files": [named(b"1", "one.txt"), named(b"2", "two.txt")], "path": "data/", "branch": "nope"}
    )
    assert response.status_code == 302
    run_jobs()
    upload = Upload.objects.get()
    assert [f["path"] for f in upload.files] == ["data/one.txt", "data/two.txt"]
    assert upload.state == "failed"
    assert "The branch nope does not exist on the Hub" in upload.reason
    assert upload.reason in read(uploading.alice.get(URL))
    [event] = push_events()
    assert event.details["outcome"] == "failed" and "nope" in event.details["reason"]
    assert staged_and_incoming() == []


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../escape.txt", "cannot contain . or .."),
        ("/etc/passwd", "cannot start with /"),
        (".git/config", "cannot go into .git"),
        ("a//b.txt", "empty folder name"),
        ("sub/./b.txt", "cannot contain . or .."),
    ],
)
def test_a_path_the_hub_would_refuse_is_refused_before_anything_is_sent(uploading, path, problem):
    response = uploading.alice.post(URL, {"files": named(b"x", "x.txt"), "path": path, "branch": "main"})
    assert response.status_code == 400
    page = read(response)
    assert problem in page
    assert re.search(r'<p class="error" role="alert">[^<]*' + re.escape(problem), page)  # under the files field
    assert "nothing was uploaded" in page
    assert Upload.objects.count() == 0
    assert uploading.writes() == []
    assert staged_and_incoming() == []


def test_a_bad_branch_name_and_no_file_are_refused(uploading):
    response = uploading.alice.post(URL, {"files": named(b"x", "x.txt"), "branch": "bad..branch"})
    assert response.status_code == 400
    assert "Not a branch name the Hub accepts." in read(response)
    response = uploading.alice.post(URL, {"branch": "main"})
    assert response.status_code == 400
    assert "Choose at least one file." in read(response)
    assert Upload.objects.count() == 0 and staged_and_incoming() == []


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_kept(uploading, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    page = read(uploading.alice.get(URL))
    assert 'data-max-bytes="1000"' in page and "Up to 1000" in page  # the browser is told before sending
    response = uploading.alice.post(
        URL, {"branch": "main", "files": [named(b"s" * 10, "small.txt"), named(b"x" * 5000, "huge.bin")]}
    )
    assert response.status_code == 413
    assert "huge.bin is larger than the limit of 1000" in read(response)
    assert Upload.objects.count() == 0
    assert uploading.writes() == []
    assert staged_and_incoming() == []


def test_a_read_only_token_or_no_token_cannot_upload(uploading):
    for client, why in ((uploading.bob, "read-only"), (uploading.charlie, "may not change this repo")):
        page = client.get(URL)
        assert page.status_code == 403 and why in read(page)
        response = client.post(URL, {"files": named(b"x", "x.txt"), "branch": "main"})
        assert response.status_code == 403
        assert why in read(response)
        assert client.get(LIST_URL).status_code == 403
    assert "Upload</a>" not in read(uploading.bob.get(f"/models/{REPO}/"))  # no tab for who may not write
    assert "Upload</a>" in read(uploading.alice.get(f"/models/{REPO}/"))
    assert Upload.objects.count() == 0 and uploading.writes() == [] and staged_and_incoming() == []


def test_the_push_uses_the_uploaders_own_token_and_fails_when_it_is_revoked(uploading, run_jobs):
    uploading.alice.post(URL, {"files": named(b"1", "one.txt"), "branch": "main"})
    run_jobs()
    commits = [r for r in uploading.hub.requests() if "/commit/" in r["path"]]
    assert [r["user"] for r in commits] == ["alice"]

    uploading.alice.post(URL, {"files": named(b"2", "two.txt"), "branch": "main"})
    uploading.hub.control("POST", "tokens/revoke", {"token": ALICE_TOKEN})
    run_jobs()
    second = Upload.objects.order_by("id").last()
    assert second is not None and second.state == "failed"
    assert "The Hub rejected your token" in second.reason  # no other token was tried in its place
    commits = [r for r in uploading.hub.requests() if "/commit/" in r["path"]]
    assert [r["status"] for r in commits] == [200]  # only the first upload's commit ever went through
    assert [e.details["outcome"] for e in push_events()] == ["success", "failed"]
    assert staged_and_incoming() == []


@pytest.mark.parametrize("fault", [{"status": 503}, {"reset": True}, {"status": 429, "retry_after": 30}])
def test_a_hub_fault_during_the_push_fails_it_with_the_reason_and_nothing_half_done(uploading, run_jobs, fault):
    uploading.hub.fault(method="POST", path=f"/api/models/{REPO}/commit/*", **fault)
    response = uploading.alice.post(URL, {"files": named(b"payload", "data.txt"), "branch": "main"})
    assert response.status_code == 302
    run_jobs()
    upload = Upload.objects.get()
    assert upload.state == "failed"
    assert upload.reason
    assert "data.txt" not in uploading.api().list_repo_files(REPO)
    page = read(uploading.alice.get(URL))
    assert upload.reason.split(":")[0] in page
    [event] = push_events()
    assert event.details["outcome"] == "failed" and event.details["reason"] == upload.reason
    assert staged_and_incoming() == []
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()


def test_a_queued_upload_whose_job_ended_without_pushing_is_failed_not_left_waiting(uploading):
    uploading.alice.post(URL, {"files": named(b"x", "x.txt"), "branch": "main"})
    upload = Upload.objects.get()
    DBTaskResult.objects.filter(id=upload.task_id).update(status="FAILED")  # as if its worker crashed early
    Upload.objects.filter(id=upload.id).update(created_at=upload.created_at - timedelta(minutes=5))
    fragment = read(uploading.alice.get(LIST_URL))  # the tab's poll sweeps
    assert 'data-state="failed"' in fragment and NEVER_RAN in fragment
    assert "every 2s" not in fragment
    [event] = push_events()
    assert event.details["outcome"] == "failed" and event.details["reason"] == NEVER_RAN
    assert staged_and_incoming() == []
