"""gunicorn's control socket (`gunicornc`) is each hubdash instance's own, under its HUBDASH_VAR_DIR."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.serving.stack import free_port, hubdash_env, start_gunicorn, stop

pytestmark = pytest.mark.serving


def wait_for_socket(path: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not path.is_socket():
        assert process.poll() is None, f"gunicorn exited with {process.returncode}"
        assert time.monotonic() < deadline, f"no control socket at {path} after 30 s"
        time.sleep(0.1)


def control(path: Path, command: str) -> dict[str, object]:
    answer = subprocess.run(
        [str(Path(sys.executable).parent / "gunicornc"), "-s", str(path), "-c", command, "-j"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert answer.returncode == 0, answer.stdout + answer.stderr
    return json.loads(answer.stdout)  # type: ignore[no-any-return]


def test_two_instances_on_one_machine_keep_their_own_control_sockets() -> None:
    var_dirs = [Path(tempfile.mkdtemp(prefix="hubdash-ctl-")) for _ in range(2)]
    sockets = [var_dir / "gunicorn.ctl" for var_dir in var_dirs]
    first = start_gunicorn(hubdash_env(var_dirs[0], f"127.0.0.1:{free_port()}"))
    try:
        wait_for_socket(sockets[0], first)
        second = start_gunicorn(hubdash_env(var_dirs[1], f"127.0.0.1:{free_port()}"))
        try:
            wait_for_socket(sockets[1], second)
            assert control(sockets[0], "show stats")["pid"] == first.pid
            assert control(sockets[1], "show stats")["pid"] == second.pid
        finally:
            stop(second)
        # The second instance came and went, and took only its own socket with it.
        assert not sockets[1].exists()
        assert control(sockets[0], "show stats")["pid"] == first.pid
    finally:
        stop(first)
        for var_dir in var_dirs:
            shutil.rmtree(var_dir, ignore_errors=True)
