"""Each gunicorn worker listens on a socket of its own (SO_REUSEPORT), so that the kernel, not whichever
worker wakes first, spreads new connections over the workers. A second hubdash on a taken address still
refuses to start, a Unix socket stays one socket shared by all, and a worker stopping after a reload
hands its share of new connections to the others at once."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.serving.stack import SIGN_IN, Served, hubdash_env, prepare, serving, start_gunicorn, stop

# Which worker answered each request: its pid, first on the access-log line (gunicorn writes <pid>).
WITH_PIDS = {"GUNICORN_CMD_ARGS": "--access-logformat '%(p)s %(U)s %(s)s'"}


def answered_by(var_dir: Path, since: int = 0) -> Counter[str]:
    """Requests for the sign-in page per worker pid, from the access log's lines after `since`."""
    lines = (var_dir / "gunicorn.log").read_text().splitlines()[since:]
    return Counter(match[1] for line in lines if (match := re.match(r"<(\d+)> /accounts/login/", line)))


def log_length(var_dir: Path) -> int:
    return len((var_dir / "gunicorn.log").read_text().splitlines())


def listening_sockets(port: int) -> int:
    """Sockets in LISTEN state (0A) on this TCP port, from the kernel's own table."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[1].endswith(f":{port:04X}") and row.split()[3] == "0A")


def listening_unix_sockets(path: Path) -> int:
    """Unix sockets listening (flag __SO_ACCEPTCON) and bound to this path, from the kernel's own table."""
    rows = Path("/proc/net/unix").read_text().splitlines()[1:]
    return sum(1 for row in rows if row.split()[-1] == str(path) and int(row.split()[3], 16) & 0x10000)


def fresh_request(port: int, timeout: float = 10) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", SIGN_IN, headers={"Connection": "close"})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def booted(port: int, workers: int) -> None:
    """Wait for every worker to listen (the first may answer before the last has booted)."""
    deadline = time.monotonic() + 30
    while listening_sockets(port) < workers:
        assert time.monotonic() < deadline, f"{listening_sockets(port)} of {workers} workers listen after 30 s"
        time.sleep(0.1)


def logged(var_dir: Path, since: int, count: int) -> Counter[str]:
    """The access log's sign-in lines after `since`, once it holds `count` (it is written after the answer)."""
    deadline = time.monotonic() + 10
    while sum(answered_by(var_dir, since).values()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return answered_by(var_dir, since)


@pytest.fixture(scope="module")
def four_workers() -> Iterator[Served]:
    with serving(behind_nginx=False, HUBDASH_WORKERS="4", **WITH_PIDS) as served:
        booted(served.port, 4)
        yield served


def test_every_worker_listens_for_itself_and_takes_new_connections(four_workers: Served) -> None:
    assert listening_sockets(four_workers.port) == 4  # one per worker, none left to the master
    before = log_length(four_workers.var_dir)
    assert [fresh_request(four_workers.port) for _ in range(40)] == [200] * 40
    workers = logged(four_workers.var_dir, before, 40)
    assert sum(workers.values()) == 40 and len(workers) == 4, workers


def test_a_second_hubdash_on_the_same_address_refuses_to_start(four_workers: Served) -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="hubdash-second-"))
    try:
        second = start_gunicorn(hubdash_env(var_dir, f"127.0.0.1:{four_workers.port}"))
        try:
            assert second.wait(timeout=60) != 0
        finally:
            stop(second)
        said = (var_dir / "gunicorn.log").read_text()
        address = f"127.0.0.1:{four_workers.port}"
        assert f"Cannot listen at {address} (Address already in use): is hubdash running already?" in said
        assert listening_sockets(four_workers.port) == 4  # it took no share of the first one's traffic
        assert requests.get(four_workers.url + SIGN_IN, timeout=10).status_code == 200
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: Path) -> None:
        super().__init__("localhost", timeout=10)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(str(self.path))


def test_on_a_unix_socket_the_workers_share_one() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hubdash-unix-"))
    path = folder / "hubdash.sock"
    env = hubdash_env(folder / "var", f"unix:{path}", HUBDASH_WORKERS="2")
    prepare(env)
    server = start_gunicorn(env)
    try:
        deadline = time.monotonic() + 30
        while (folder / "var" / "gunicorn.log").read_text().count("Booting worker") < 2 or not path.is_socket():
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start on its Unix socket"
            time.sleep(0.1)
        time.sleep(1)  # the workers' own start, after gunicorn's line for each
        statuses = []
        for _ in range(40):
            connection = UnixHTTPConnection(path)
            connection.request("GET", SIGN_IN, headers={"Connection": "close"})
            answer = connection.getresponse()
            answer.read()
            statuses.append(answer.status)
            connection.close()
        assert statuses == [200] * 40
        # One socket, shared: a socket per worker would have had each worker take the path from the one
        # before, the first one's left listening where no one can reach it.
        assert listening_unix_sockets(path) == 1
    finally:
        stop(server)
        shutil.rmtree(folder, ignore_errors=True)


def slow_upload(port: int, accepted: threading.Event, stop_sending: threading.Event) -> None:
    """A form post whose body trickles in, keeping one worker busy until told to stop. A first request
    on the same connection shows that a worker has accepted it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {SIGN_IN} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        answer = b""
        while b"</html>" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                return  # closed before answering: `accepted` stays unset, and the test says so
            answer += chunk
        accepted.set()
        sock.sendall(
            f"POST {SIGN_IN} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n".encode()
        )
        while not stop_sending.wait(0.2):
            sock.sendall(b"a=1&")


def worker_pids(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_a_worker_finishing_an_upload_after_a_reload_leaves_new_visitors_to_the_others() -> None:
    with serving(behind_nginx=False, HUBDASH_WORKERS="2") as served:
        booted(served.port, 2)
        old = worker_pids(served.gunicorn_pid)
        accepted, stop_sending = threading.Event(), threading.Event()
        upload = threading.Thread(target=slow_upload, args=(served.port, accepted, stop_sending))
        upload.start()
        try:
            assert accepted.wait(10)
            time.sleep(0.5)  # its body is being read by one of the two workers
            os.kill(served.gunicorn_pid, signal.SIGHUP)  # reload: two new workers, the old ones stop
            deadline = time.monotonic() + 30
            # Two new workers; of the old ones, only the one reading the upload (for up to graceful_timeout).
            while len(worker_pids(served.gunicorn_pid) - old) < 2 or len(worker_pids(served.gunicorn_pid) & old) > 1:
                assert time.monotonic() < deadline, "the reload did not replace the workers"
                time.sleep(0.1)
            assert len(worker_pids(served.gunicorn_pid) & old) == 1
            # The stopping worker's socket is gone at once (without the worker class that closes it, it
            # stays until the worker exits: up to graceful_timeout, 30 s), and every new visitor is
            # answered at once by the new workers.
            deadline = time.monotonic() + 10
            while listening_sockets(served.port) != 2:
                assert time.monotonic() < deadline, f"{listening_sockets(served.port)} sockets listen, not 2"
                time.sleep(0.1)
            assert [fresh_request(served.port, timeout=5) for _ in range(40)] == [200] * 40
        finally:
            stop_sending.set()
            upload.join()
