"""Uploading a file as a person does it, in Chromium: the Upload tab, the transfer's progress reaching
100 %, then the commit link appearing when the job has pushed it (the list refreshes itself).

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token; the
job queue is run in this process, as `db_worker --batch` would.
"""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import Request, expect

from tests.browser.test_browse import DEMO_TOKEN, alice_on_demo_hub, tab
from tests.uploads.jobs import run_jobs

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]  # the fixtures, shared with the browse tests

REPO = "alice/upload-target"


def test_upload_a_file_with_progress_and_see_its_commit_link(tab, demo_hub, tmp_path):
    api = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    api.create_repo(REPO)
    data = ("line of notes\n" * 200_000).encode()  # 2.8 MB: several progress events
    page = tab.open(f"/models/{REPO}/")
    page.get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload files")).to_be_visible()
    page.get_by_label("Files", exact=True).set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": data}
    )
    path = page.get_by_label("notes.txt (2.7 MB)")
    expect(path).to_have_value("notes.txt")  # one path per file, its name by default
    path.fill("docs/../notes.txt")
    expect(page.locator("#upload-check")).to_contain_text("cannot contain . or ..")
    path.fill("docs/notes.txt")
    expect(page.locator("#upload-check")).to_be_hidden()
    page.get_by_label("Commit message").fill("Add notes")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_test_id("upload-percent")).to_contain_text("100 %")
    expect(page.get_by_text("1 file received; pushing to main in the background.")).to_be_visible()
    expect(page.locator("#uploads")).to_contain_text("waiting for a worker")
    run_jobs()
    link = page.get_by_role("link", name="commit on the Hub")
    expect(link).to_be_visible(timeout=15_000)  # the list polls itself while the push is pending
    assert "/commit/" in (link.get_attribute("href") or "")
    local = api.hf_hub_download(REPO, "docs/notes.txt", local_dir=tmp_path)
    assert open(local, "rb").read() == data
    tab.assert_quiet()


def test_the_list_of_uploads_shows_a_queued_upload_at_once_without_waiting_for_its_poll(tab, demo_hub):
    HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN).create_repo(REPO)
    page = tab.open(f"/models/{REPO}/upload/")
    expect(page.locator("#uploads")).to_contain_text("None yet.")  # nothing under way: the list does not poll
    finished: list[Request] = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.get_by_label("Files", exact=True).set_input_files({"name": "a.txt", "mimeType": "text/plain", "buffer": b"hi"})
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("1 file received; pushing to main in the background.")).to_be_visible()
    expect(page.locator("#uploads")).to_contain_text("waiting for a worker")
    [posted] = [r for r in finished if r.method == "POST"]
    redrawn = [r for r in finished if r.method == "GET" and r.url.endswith(f"/models/{REPO}/uploads/")]
    assert redrawn, "the list was not asked for again"
    # Asked for by the event the upload's answer sent, not by a poll (every 2 s, and only once it shows a push).
    answered_ms = posted.timing["startTime"] + posted.timing["responseEnd"]
    assert redrawn[0].timing["startTime"] - answered_ms < 1500
    tab.assert_quiet()


def test_a_file_over_the_limit_is_refused_in_the_browser_before_sending(tab, demo_hub, settings):
    HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN).create_repo(REPO)
    settings.UPLOAD_MAX_BYTES = 1000
    page = tab.open(f"/models/{REPO}/upload/")
    expect(page.get_by_text("Up to 1000 bytes per file.")).to_be_visible()
    page.get_by_label("Files", exact=True).set_input_files(
        {"name": "big.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 5000}
    )
    expect(page.locator("#upload-check")).to_contain_text("big.bin is 4.9 KB, larger than the limit of 1000")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.method) if r.method == "POST" else None)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_timeout(300)
    assert requests == []  # nothing was sent
    expect(page.get_by_test_id("upload-percent")).to_be_hidden()
    tab.assert_quiet()
