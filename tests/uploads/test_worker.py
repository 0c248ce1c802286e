"""The Procfile's worker as a real process (`sweep_uploads`, then `db_worker`) on the suite's database:
it pushes an upload, and when it is killed in the middle of a push the upload ends failed, never running.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from hubdash.activity.models import Event
from hubdash.run import procfile_line
from hubdash.uploads.models import Upload
from hubdash.uploads.sweep import WORKER_LOST
from tests.uploads.conftest import LIST_URL, REPO, URL, staged_and_incoming

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = config["USER"] or "", config["PASSWORD"] or ""
        host, port = config["HOST"] or "127.0.0.1", config["PORT"] or 5432
        return f"postgres://{user}:{password}@{host}:{port}/{config['NAME']}"
    return f"sqlite:///{config['NAME']}"


@pytest.fixture
def start_worker(uploading) -> Iterator[Callable[[], subprocess.Popen]]:
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        HF_ENDPOINT=uploading.hub.url,
        HUBDASH_UPLOAD_HEARTBEAT_SECONDS="0.5",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    workers: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        worker = subprocess.Popen(["/bin/sh", "-c", procfile_line("worker")], cwd=ROOT, env=env, start_new_session=True)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def wait_for(check: Callable[[], bool], seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < end, "gave up waiting"
        time.sleep(0.1)


def state() -> str:
    return Upload.objects.get().state


def upload(uploading, name: str = "notes.txt", data: bytes = b"pushed by a real worker\n") -> None:
    handle = io.BytesIO(data)
    handle.name = name
    assert uploading.alice.post(URL, {"files": handle, "branch": "main"}).status_code == 302


def test_the_procfile_worker_pushes_an_upload(uploading, start_worker):
    start_worker()
    upload(uploading)
    wait_for(lambda: state() in ("done", "failed"))
    assert Upload.objects.get().state == "done", Upload.objects.get().reason
    assert uploading.content("notes.txt") == b"pushed by a real worker\n"
    assert staged_and_incoming() == []


@pytest.mark.long
def test_a_worker_killed_mid_push_leaves_the_upload_failed_never_running(uploading, start_worker):
    uploading.hub.fault(method="POST", path=f"/api/models/{REPO}/commit/*", hang=True)
    worker = start_worker()
    upload(uploading)
    wait_for(lambda: state() == "pushing")
    before = Upload.objects.get().heartbeat_at
    wait_for(lambda: Upload.objects.get().heartbeat_at != before, 10)  # it beats while it pushes
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert state() == "pushing"  # nobody has noticed yet

    def page_says_failed() -> bool:
        fragment = uploading.alice.get(LIST_URL).content.decode()  # each view sweeps
        return 'data-state="failed"' in fragment

    wait_for(page_says_failed, 30)
    failed = Upload.objects.get()
    assert failed.reason == WORKER_LOST
    assert WORKER_LOST.split(" (")[0] in uploading.alice.get(URL).content.decode()
    assert not DBTaskResult.objects.filter(status="RUNNING").exists()
    [event] = Event.objects.filter(action="push", repo_id=REPO)
    assert event.details["outcome"] == "failed" and event.details["reason"] == WORKER_LOST
    assert staged_and_incoming() == []

    # A new worker starts clean, and the next upload goes through.
    uploading.hub.control("DELETE", "faults")
    start_worker()
    Upload.objects.all().delete()
    upload(uploading, "after.txt", b"after the restart\n")
    wait_for(lambda: state() in ("done", "failed"))
    assert state() == "done"
    assert uploading.content("after.txt") == b"after the restart\n"
