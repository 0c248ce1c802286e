"""`make bench-upload`: a 2 GiB file uploaded through hubdash to hubsim, against a direct upload.

hubdash runs as `make run` runs it (gunicorn with one worker, and the Procfile's job worker) against a
hubsim process; the file is posted as a browser posts it (multipart, streamed from disk, never read into
this process's memory), then pushed by the job. Printed: the transfer to hubdash, the push, the whole;
the peak memory (VmHWM) of the web worker and of the job worker (targets: each under 150 MB); and the
whole against `huggingface_hub.upload_file` of a file of the same size to the same hubsim in the same run
(target: under 1.5 times). The two files differ, so that neither upload finds the other's bytes on the Hub.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ["HF_HUB_DISABLE_XET"] = "1"  # hubsim speaks LFS only; set before huggingface_hub is imported
os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"

from huggingface_hub import HfApi

from hubdash.run import commands
from tests.bench import summary
from tests.bench.pages import free_port, signed_in, wait_for
from tests.demo import DEMO_TOKEN, ROOT, prepare_account, start_hubsim

SIZE = int(os.environ.get("BENCH_UPLOAD_BYTES", str(2 << 30)))
CHUNK = 1 << 20
REPO = "alice/bench-upload"


def make_file(path: Path, seed: bytes) -> None:
    block = bytearray(os.urandom(CHUNK))
    block[: len(seed)] = seed
    with path.open("wb") as out:
        for n in range(SIZE // CHUNK):
            block[-4:] = n.to_bytes(4, "big")  # no two chunks alike
            out.write(block)
        out.write(bytes(SIZE % CHUNK))


def peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{pid}$", status, re.M):
                found.append(int(entry.name))
    return found


def multipart(fields: dict[str, str], file: Path, boundary: str) -> tuple[list[bytes], int, Iterator[bytes]]:
    """The body a browser sends, as head pieces, the total length, and the file's chunks (read lazily)."""
    head = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{file.name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = sum(len(h) for h in head) + file.stat().st_size + len(tail)

    def rest() -> Iterator[bytes]:
        with file.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
        yield tail

    return head, length, rest()


def post_file(base: str, session_cookies: dict[str, str], file: Path) -> int:
    port = int(base.rsplit(":", 1)[1])
    boundary = "bench" + secrets.token_hex(8)
    fields = {"csrfmiddlewaretoken": session_cookies["hubdash-csrf"], "branch": "main", "message": "Bench upload"}
    head, length, rest = multipart(fields, file, boundary)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.putrequest("POST", f"/models/{REPO}/upload/")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(length))
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in session_cookies.items()))
    conn.putheader("Referer", f"{base}/models/{REPO}/upload/")
    conn.endheaders()
    for piece in head:
        conn.send(piece)
    for chunk in rest:
        conn.send(chunk)
    status = conn.getresponse().status
    conn.close()
    return status


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="hubdash-bench-upload-"))
    free = shutil.disk_usage(work).free
    if free < 6 * SIZE:
        print(f"bench-upload needs about {6 * SIZE >> 30} GiB free in {work.parent}; {free >> 30} GiB are.")
        return 1
    hub_port, web_port = free_port(), free_port()
    hubsim, banner = start_hubsim(hub_port)
    hub_url = f"http://127.0.0.1:{hub_port}"
    env = dict(
        os.environ,
        HF_ENDPOINT=hub_url,
        HUBDASH_VAR_DIR=str(work / "var"),
        HUBDASH_BIND=f"127.0.0.1:{web_port}",
        HUBDASH_WORKERS="1",
        HF_HUB_DISABLE_XET="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.pop("DATABASE_URL", None)
    procs: list[subprocess.Popen[bytes]] = []
    try:
        via_hubdash, direct = work / "via-hubdash.bin", work / "direct.bin"
        make_file(via_hubdash, b"hubdash")
        make_file(direct, b"direct")
        api = HfApi(endpoint=hub_url, token=DEMO_TOKEN)
        api.create_repo(REPO, exist_ok=True)
        prepare_account(env)
        cmds = commands()
        logs = {name: (work / f"{name}.log").open("wb") for name in ("web", "worker")}
        procs = [
            subprocess.Popen(cmds[name], cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT)
            for name in ("web", "worker")
        ]
        web, job = procs
        base = f"http://127.0.0.1:{web_port}"
        wait_for(base + "/healthz")
        session = signed_in(base)

        start = time.monotonic()
        status = post_file(base, dict(session.cookies), via_hubdash)
        received = time.monotonic()
        if status not in (302, 303):
            print(f"the upload was refused: HTTP {status}")
            return 1
        while True:
            fragment = session.get(f"{base}/models/{REPO}/uploads/", timeout=30).text
            if 'data-state="done"' in fragment or 'data-state="failed"' in fragment:
                break
            time.sleep(0.2)
        pushed = time.monotonic()
        if 'data-state="done"' not in fragment:
            print("the push failed:", re.sub(r"\s+", " ", fragment)[:800])
            print((work / "worker.log").read_text()[-4000:])
            return 1
        web_peak = max(peak_mb(pid) for pid in children(web.pid))
        job_peak = peak_mb(job.pid)

        direct_start = time.monotonic()
        api.upload_file(path_or_fileobj=str(direct), path_in_repo="direct.bin", repo_id=REPO)
        direct_s = time.monotonic() - direct_start

        whole = pushed - start
        info = api.get_paths_info(REPO, ["via-hubdash.bin"])[0]
        assert info.lfs is not None and info.size == SIZE, "the file on hubsim is not the one sent"
        print(banner)
        print(f"one {SIZE / (1 << 30):.2f} GiB file to hubsim, through hubdash (gunicorn, 1 worker + db_worker):")
        print(f"  browser -> hubdash (streamed to disk) {received - start:7.1f} s")
        print(f"  job: queued -> pushed (LFS)           {pushed - received:7.1f} s")
        print(f"  whole                                 {whole:7.1f} s")
        print(f"  peak RSS web worker {web_peak:6.1f} MB, job worker {job_peak:6.1f} MB (target: each < 150 MB)")
        print(f"direct huggingface_hub.upload_file      {direct_s:7.1f} s")
        print(f"ratio hubdash / direct                  {whole / direct_s:7.2f}x (target: < 1.5x)")
        size = f"{SIZE / (1 << 30):.2f} GiB"
        summary.record(
            "upload",
            f"a {size} file through hubdash against a direct upload_file",
            f"{whole / direct_s:.2f} times ({whole:.0f} s against {direct_s:.0f} s)",
            "under 1.5 times",
            whole / direct_s < 1.5,
        )
        summary.record(
            "upload",
            f"peak memory during the {size} upload",
            f"web worker {web_peak:.0f} MB, job worker {job_peak:.0f} MB",
            "each under 150 MB",
            max(web_peak, job_peak) < 150,
        )
        return 0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        hubsim.terminate()
        hubsim.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
