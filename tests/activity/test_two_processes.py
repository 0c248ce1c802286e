"""Two hubdash processes receive the same deliveries at the same moment: each is stored exactly once.

The processes are gunicorn with the project's config. On PostgreSQL (CI's second run) they share the
suite's test database; on SQLite they share a database file of their own (the suite's is in memory).
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection

from hubdash.activity.models import Event
from tests.activity.conftest import NEW_SECRET, v3
from tests.serving.stack import DATABASE_FILE, migrated

pytestmark = [pytest.mark.backend, pytest.mark.serving]  # two real gunicorn processes

ROOT = Path(__file__).resolve().parents[2]
DELIVERIES = 500


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(tmp: Path) -> tuple[str, bool]:
    """The database both processes use, and whether it is the suite's own (PostgreSQL)."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = config["USER"], config["PASSWORD"]
        host, port = config["HOST"] or "127.0.0.1", config["PORT"] or 5432
        return f"postgres://{user or ''}:{password or ''}@{host}:{port}/{config['NAME']}", True
    return f"sqlite:///{tmp / DATABASE_FILE}", False


@pytest.fixture
def two_servers(transactional_db) -> Iterator[tuple[list[str], object]]:
    tmp = Path(tempfile.mkdtemp(prefix="hubdash-two-"))
    url, shared = database_url(tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBDASH_")}
    env.update(DATABASE_URL=url, HUBDASH_VAR_DIR=str(tmp), HUBDASH_WEBHOOK_SECRETS=NEW_SECRET, HUBDASH_WORKERS="1")
    env["DJANGO_SETTINGS_MODULE"] = "hubdash.settings"
    if not shared:  # as `manage.py migrate` leaves it: a copy of the database the serving tests migrate once
        migrated({k: v for k, v in env.items() if k != "DATABASE_URL"})
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers, bases = [], []
    for _ in range(2):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [gunicorn, "-c", "hubdash/gunicorn.conf.py", "hubdash.wsgi"],
                cwd=ROOT,
                env={**env, "HUBDASH_BIND": f"127.0.0.1:{port}"},
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base in bases:
            for _ in range(600):
                try:
                    requests.get(base + "/healthz", timeout=5)
                    break
                except requests.RequestException:
                    time.sleep(0.1)

        def count() -> int:
            if shared:
                return Event.objects.count()
            with sqlite3.connect(tmp / DATABASE_FILE) as db:
                return db.execute("SELECT count(*) FROM activity_event").fetchone()[0]

        yield bases, count
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


def test_two_processes_store_each_of_the_same_deliveries_once(two_servers):
    bases, count = two_servers
    bodies = [json.dumps(v3("repo", "create", repo=f"acme/model-{n}")).encode() for n in range(DELIVERIES)]
    statuses: list[int] = []
    lock = threading.Lock()
    work = list(enumerate(bodies))

    def sender(base: str, start: threading.Barrier) -> None:
        session = requests.Session()
        start.wait()
        for _, body in list(work):
            # As the Hub does: a delivery that is not acknowledged is sent again.
            for _ in range(20):
                status = session.post(
                    base + "/webhooks/hub",
                    data=body,
                    headers={"Content-Type": "application/json", "X-Webhook-Secret": NEW_SECRET},
                    timeout=30,
                ).status_code
                if status < 500:
                    break
                time.sleep(0.05)
            with lock:
                statuses.append(status)

    start = threading.Barrier(4)
    threads = [threading.Thread(target=sender, args=(base, start)) for base in bases for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 4 * DELIVERIES and set(statuses) <= {200, 201}
    assert statuses.count(201) == DELIVERIES
    assert count() == DELIVERIES
