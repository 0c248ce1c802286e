"""gunicorn as hubdash configures it: its stock threaded workers on one listening socket that the master
holds. A second hubdash on a taken address refuses to start, a reload (HUP) answers every request sent
meanwhile, and the workers' threads switch as HUBDASH_SWITCH_INTERVAL_MS says."""

from __future__ import annotations

import http.client
import os
import runpy
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.serving.stack import ROOT, SIGN_IN, Served, hubdash_env, serving, start_gunicorn, stop


def worker_pids(master: int) -> set[int]:
    return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}


def settled(master: int, count: int, leaving: frozenset[int] = frozenset()) -> set[int]:
    """The master's workers once there are `count` of them and none of `leaving` is left."""
    deadline = time.monotonic() + 60
    while True:
        pids = worker_pids(master)
        if len(pids) == count and not pids & leaving:
            return pids
        assert time.monotonic() < deadline, f"workers {sorted(pids)}, waiting for {count} without {sorted(leaving)}"
        time.sleep(0.05)


@pytest.mark.serving
def test_a_second_hubdash_on_a_taken_address_refuses_to_start() -> None:
    with serving(behind_nginx=False, HUBDASH_WORKERS="1") as first:
        var_dir = Path(tempfile.mkdtemp(prefix="hubdash-second-"))
        try:
            second = start_gunicorn(hubdash_env(var_dir, f"127.0.0.1:{first.port}"))
            try:
                assert second.wait(timeout=60) != 0  # gunicorn tries five times, a second apart, then exits
            finally:
                stop(second)
            said = (var_dir / "gunicorn.log").read_text()
            address = f"('127.0.0.1', {first.port})"
            assert f"Connection in use: {address}" in said and "Address already in use" in said
            assert f"Can't connect to {address}" in said
            assert requests.get(first.url + SIGN_IN, timeout=10).status_code == 200  # the first serves on
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)


def fresh_connection(served: Served) -> str:
    """One request on a connection of its own, as `make run`'s visitors without nginx may send them."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    try:
        connection.request("GET", SIGN_IN, headers={"Connection": "close"})
        answer = connection.getresponse()
        answer.read()
        return str(answer.status)
    finally:
        connection.close()


@pytest.mark.serving
@pytest.mark.parametrize("behind_nginx", [True, False], ids=["nginx", "gunicorn-alone"])
def test_a_reload_answers_every_request_sent_meanwhile(behind_nginx: bool) -> None:
    with serving(behind_nginx=behind_nginx, HUBDASH_WORKERS="2") as served:
        old = settled(served.gunicorn_pid, 2)
        said: Counter[str] = Counter()
        lock = threading.Lock()
        stopping = threading.Event()

        def visitor() -> None:
            # Behind nginx, a browser's keep-alive connection to nginx; alone, a connection per request.
            browser = requests.Session()
            while not stopping.is_set():
                try:
                    if behind_nginx:
                        status = str(browser.get(served.url + SIGN_IN, timeout=30).status_code)
                    else:
                        status = fresh_connection(served)
                except (OSError, requests.RequestException, http.client.HTTPException) as error:
                    status = type(error).__name__
                with lock:
                    said[status] += 1

        def answered() -> int:
            with lock:
                return sum(said.values())

        def more(count: int) -> None:
            target = answered() + count
            deadline = time.monotonic() + 60
            while answered() < target:
                assert time.monotonic() < deadline, f"{answered()} answers, waiting for {target}: {said}"
                time.sleep(0.02)

        visitors = [threading.Thread(target=visitor) for _ in range(6)]
        for thread in visitors:
            thread.start()
        try:
            more(50)
            os.kill(served.gunicorn_pid, signal.SIGHUP)  # new workers start, the old ones finish and stop
            new = settled(served.gunicorn_pid, 2, leaving=frozenset(old))
            more(50)  # answered by the new workers only
        finally:
            stopping.set()
            for thread in visitors:
                thread.join()
        assert not new & old
        assert said == Counter({"200": sum(said.values())}), said


def test_worker_threads_switch_as_the_setting_says(settings) -> None:  # type: ignore[no-untyped-def]
    """gunicorn runs the configuration's post_worker_init in each worker once it has loaded hubdash."""
    config = runpy.run_path(str(ROOT / "hubdash" / "gunicorn.conf.py"))
    default = sys.getswitchinterval()
    try:
        settings.SWITCH_INTERVAL_MS = 3
        config["post_worker_init"](None)
        assert sys.getswitchinterval() == pytest.approx(0.003)
    finally:
        sys.setswitchinterval(default)
