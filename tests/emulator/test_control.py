"""hubsim as a process and through its control API: seed, reset, persistence, logs."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests
from huggingface_hub import HfApi

ROOT = Path(__file__).resolve().parents[2]


def start_process(*args: str) -> tuple[subprocess.Popen, str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.hubsim", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()  # type: ignore[union-attr]
    elapsed = time.perf_counter() - started
    assert line.startswith("hubsim serving at http://127.0.0.1:"), line + process.stderr.read()  # type: ignore[union-attr]
    return process, line.split()[3], elapsed


def test_process_starts_with_demo_world_and_serves(tmp_path):
    process, url, _ = start_process("--seed", "demo")
    try:
        models = requests.get(f"{url}/api/models", params={"limit": 5, "sort": "downloads"})
        assert models.status_code == 200 and len(models.json()) == 5 and "next" in models.links
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_data_dir_keeps_the_world_across_restarts(tmp_path):
    process, url, _ = start_process("--data-dir", str(tmp_path))
    try:
        requests.post(f"{url}/_hubsim/users", json={"name": "kim", "tokens": {"hf_kim": "write"}}).raise_for_status()
        api = HfApi(endpoint=url, token="hf_kim")
        api.create_repo("kim/kept")
        api.upload_file(path_or_fileobj=b"\0binary" * 1000, path_in_repo="w.bin", repo_id="kim/kept")
    finally:
        process.terminate()
        process.wait(timeout=10)
    process, url, _ = start_process("--data-dir", str(tmp_path))
    try:
        api = HfApi(endpoint=url, token="hf_kim")
        assert "w.bin" in api.list_repo_files("kim/kept")
        assert requests.get(f"{url}/kim/kept/resolve/main/w.bin").content == b"\0binary" * 1000
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_demo_world_is_realistic(demo_hub):
    url = demo_hub.url
    anonymous = HfApi(endpoint=url, token=False)
    alice = HfApi(endpoint=url, token="hf_demo_alice_write")
    public = {t: len(list(getattr(anonymous, f"list_{t}")())) for t in ("models", "datasets", "spaces")}
    everything = {t: len(list(getattr(alice, f"list_{t}")())) for t in ("models", "datasets", "spaces")}
    assert 280 <= sum(everything.values()) <= 320
    assert all(public[t] < everything[t] for t in ("models", "datasets")), "some repos are private"
    models = list(anonymous.list_models(full=True, sort="downloads", limit=200))
    assert len({m.pipeline_tag for m in models}) >= 10 and len({m.library_name for m in models}) >= 4
    assert any(m.gated for m in models)
    assert any(t.startswith("license:") for m in models for t in m.tags)
    assert any(t.startswith("dataset:") for m in models for t in m.tags)
    datasets = list(anonymous.list_datasets(filter="task_categories:text-classification"))
    assert datasets
    hostile = anonymous.model_info("mallory/friendly-model")
    assert hostile.id == "mallory/friendly-model"
    card = requests.get(f"{url}/mallory/friendly-model/resolve/main/README.md").text
    assert "<script>" in card and "javascript:" in card and "hx-get" in card
    sizes = {s.size for s in anonymous.model_info(models[0].id, files_metadata=True).siblings}
    assert max(sizes) > 100_000
    me = alice.whoami()
    assert {o["name"]: o["roleInOrg"] for o in me["orgs"]} == {"acme": "admin", "datalab": "write"}


def test_reset_empties_the_world_and_the_logs(hub):
    hub.add_user("kim", tokens={"hf_kim": "write"})
    HfApi(endpoint=hub.url, token="hf_kim").create_repo("kim/x")
    assert hub.requests()
    hub.reset()
    assert hub.requests() == []
    assert requests.get(f"{hub.url}/api/models").json() == []
    assert requests.get(f"{hub.url}/api/whoami-v2", headers={"Authorization": "Bearer hf_kim"}).status_code == 401


def test_control_api_rejects_bad_input_clearly(hub):
    assert requests.post(f"{hub.url}/_hubsim/users", json={"name": "bad name"}).status_code == 400
    assert requests.post(f"{hub.url}/_hubsim/repos", json={"id": "nonamespace"}).status_code == 400
    assert requests.post(f"{hub.url}/_hubsim/faults", json={"status": 500}).status_code == 400
    assert requests.post(f"{hub.url}/_hubsim/reset", json={"seed": "nope"}).status_code == 400
    # The control API itself is never faulted: a catch-all rule leaves it usable.
    hub.fault(method="*", path="*", status=500)
    assert requests.get(f"{hub.url}/api/models").status_code == 500
    assert requests.get(f"{hub.url}/_hubsim/requests").status_code == 200


def test_concurrent_requests_are_served_in_parallel(hub):
    import concurrent.futures

    hub.fault(method="GET", path="/api/models", delay_s=0.5)
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: requests.get(f"{hub.url}/api/models").status_code, range(8)))
    assert statuses == [200] * 8
    assert time.perf_counter() - started < 2.0  # 8 x 0.5 s served side by side, not one after another


def test_hubdash_never_imports_hubsim():
    for path in (ROOT / "hubdash").rglob("*.py"):
        text = path.read_text()
        assert "hubsim" not in text, f"{path} imports the test emulator"
    assert os.path.isdir(ROOT / "hubdash")


def test_a_trickle_fault_sends_the_real_answer_in_pieces(hub):
    hub.add_repo("acme/one")
    whole = requests.get(f"{hub.url}/api/models").content
    hub.fault(method="GET", path="/api/models", trickle_s=0.05, times=1)
    conn = http.client.HTTPConnection(urlsplit(hub.url).netloc, timeout=10)
    conn.request("GET", "/api/models")
    answer = conn.getresponse()
    assert answer.headers["Content-Length"] == str(len(whole))
    pieces = []
    while piece := answer.read1():  # what has arrived so far
        pieces.append(piece)
    conn.close()
    assert b"".join(pieces) == whole and len(pieces) > 1


def test_a_redirect_fault_answers_with_its_location(hub):
    hub.fault(method="GET", path="/api/whoami-v2", redirect="http://127.0.0.1:9/api/whoami-v2", status=307, times=1)
    answer = requests.get(f"{hub.url}/api/whoami-v2", allow_redirects=False)
    assert answer.status_code == 307 and answer.headers["Location"] == "http://127.0.0.1:9/api/whoami-v2"
    hub.fault(method="GET", path="/api/models", redirect="/api/datasets", times=1)
    answer = requests.get(f"{hub.url}/api/models", allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == "/api/datasets"
