"""A bulk change as a person makes it, in Chromium: save a view, select all in it (narrowed to the public
ones), plan "make private", read the preview, confirm, watch the progress end (the region polls itself), then
undo (the password asked, since undoing makes them public again).

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token; the job
queue is run in this process, as `db_worker --batch` would.
"""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import expect

from tests.browser.test_browse import DEMO_TOKEN, alice_on_demo_hub, tab
from tests.personas import PASSWORD
from tests.uploads.jobs import run_jobs

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]


def test_save_a_view_select_all_in_it_plan_confirm_watch_and_undo(tab, demo_hub):
    api = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    public = [m.id for m in api.list_models(author="alice") if not m.private]
    assert len(public) >= 2
    page = tab.open("/models/?author=alice&sort=created")
    page.locator("summary", has_text="Save this view…").click()
    form = page.locator("#save-view")
    form.get_by_label("Save this view as").fill("alice's public models")
    form.get_by_role("button", name="Save this view").click()
    page.locator("#save-view").get_by_role("link", name="Open it").click()
    expect(page.locator("h1")).to_have_text("alice's public models")
    page.get_by_label("Visibility").select_option(label="Public")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("view-count")).to_contain_text(f"{len(public)} repos match")
    page.get_by_label("Change all that match").select_option(label="Make private")
    page.get_by_role("button", name="Plan for all that match").click()

    expect(page.get_by_role("heading", name="Make private")).to_be_visible()
    items = page.locator("#plan-items")
    for repo_id in public:
        expect(items.locator("tr").filter(has_text=repo_id)).to_contain_text("public → private")
    expect(page.locator("#plan-to-change")).to_have_text(str(len(public)))
    expect(page.locator("#plan-calls")).to_contain_text(str(2 * len(public)))
    expect(page.locator(".subtitle")).to_contain_text("All that the saved view “alice's public models” matches")
    assert not any(api.model_info(r).private for r in public)  # nothing before confirmation

    page.get_by_role("button", name="Confirm and run").click()
    expect(page.locator("#plan-progress")).to_be_visible()
    run_jobs()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=15_000)
    expect(page.locator("#progress-line")).to_contain_text(f"{len(public)} done, 0 refused, 0 skipped, 0 not tried")
    assert all(api.model_info(r).private for r in public)

    page.get_by_role("button", name="Undo…").click()
    expect(page.get_by_role("heading", name="Restore the states before plan")).to_be_visible()
    for repo_id in public:
        expect(items.locator("tr").filter(has_text=repo_id)).to_contain_text("private → public")
    page.get_by_label("Your hubdash password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm and run").click()
    run_jobs()
    expect(page.get_by_role("heading", name="Summary")).to_be_visible(timeout=15_000)
    assert not any(api.model_info(r).private for r in public)
    tab.assert_quiet()
