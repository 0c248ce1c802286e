"""Managing repos as a person does it, in Chromium: create a model and land on its page, switch its
visibility in place (making it public asks first), delete it with the typed confirmation. The create
form and the settings panel are screenshotted at a laptop's and a phone's width and scanned by axe.

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token.
"""

from __future__ import annotations

import pytest
from huggingface_hub import HfApi
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_browse import DEMO_TOKEN, PHONE, WIDE, alice_on_demo_hub, serious_violations, tab
from tests.personas import PASSWORD

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]  # the fixtures, shared with the browse tests


def on_hub(hub) -> HfApi:
    return HfApi(endpoint=hub.url, token=DEMO_TOKEN)


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.screenshot(path=str(ARTIFACTS / f"manage-{name}-{width}.png"), full_page=True, caret="initial")


def test_create_a_model_and_land_on_its_page(tab, demo_hub):
    page = tab.open("/")
    page.get_by_role("link", name="New repo").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create a repo")
    page.get_by_label("Owner").select_option("alice")
    page.get_by_label("Name", exact=True).press_sequentially("bad--name", delay=20)
    expect(page.locator("#name-check")).to_contain_text("Not a valid name")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Name", exact=True).press_sequentially("my-first-model", delay=20)
    expect(page.locator("#name-check")).to_contain_text("follows the Hub's naming rules")
    page.get_by_text("Private", exact=True).click()
    page.get_by_role("button", name="Create repo").click()

    expect(page).to_have_url(tab.url + "/models/alice/my-first-model/")
    expect(page.get_by_role("heading", level=1)).to_have_text("alice/my-first-model")
    expect(page.locator("#repo-badges")).to_contain_text("private")
    expect(page.get_by_text("Created alice/my-first-model.")).to_be_visible()
    assert on_hub(demo_hub).model_info("alice/my-first-model").private is True
    tab.assert_quiet()


def test_switch_visibility_in_place_and_each_change_asks_first(tab, demo_hub):
    page = tab.open("/models/acme/internal-classifier/")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_test_id("current-visibility")).to_have_text("private")
    page.evaluate("window.__noReload = 1")

    page.get_by_role("button", name="Make public").click()
    expect(page.get_by_text("Make acme/internal-classifier public?")).to_be_visible()
    assert on_hub(demo_hub).model_info("acme/internal-classifier").private is True
    page.get_by_role("button", name="Yes, make it public").click()

    expect(page.get_by_text("The Hub says: now public.")).to_be_visible()
    expect(page.get_by_test_id("current-visibility")).to_have_text("public")
    expect(page.locator("#repo-badges")).not_to_contain_text("private")  # the header follows, out of band
    assert on_hub(demo_hub).model_info("acme/internal-classifier").private is False

    page.get_by_role("button", name="Make private").click()  # hiding it asks too: downloads would stop
    expect(page.get_by_role("link", name="Cancel")).to_be_focused()
    page.get_by_role("button", name="Yes, make it private").click()
    expect(page.get_by_text("The Hub says: now private.")).to_be_visible()
    expect(page.locator("#repo-badges")).to_contain_text("private")
    assert on_hub(demo_hub).model_info("acme/internal-classifier").private is True

    page.get_by_label("Access requests").select_option("manual")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Yes, gate it").click()
    expect(page.get_by_test_id("current-gating")).to_have_text("gated, manual approval")
    assert page.evaluate("window.__noReload") == 1
    assert on_hub(demo_hub).model_info("acme/internal-classifier").gated == "manual"
    tab.assert_quiet()


def test_delete_with_the_typed_confirmation(tab, demo_hub):
    demo_hub.add_repo("alice/doomed-model")
    page = tab.open("/models/alice/doomed-model/settings/")
    page.get_by_label("Type the repo's full name to confirm").fill("doomed-model")
    page.get_by_label("Your hubdash password").fill(PASSWORD)
    page.get_by_role("button", name="Delete alice/doomed-model").click()
    expect(page.get_by_text("Type alice/doomed-model exactly.")).to_be_in_viewport()
    why = page.get_by_role("alert").filter(has_text="alice/doomed-model was not deleted")
    expect(why).to_be_focused()  # where the person is looking, not the top of the page
    expect(why).to_be_in_viewport()
    assert on_hub(demo_hub).repo_exists("alice/doomed-model")
    tab.problems.remove(f"{page.url}: Failed to load resource: the server responded with a status of 400 (Bad Request)")

    page.get_by_label("Type the repo's full name to confirm").fill("alice/doomed-model")
    page.get_by_label("Your hubdash password").fill("not the password")
    page.get_by_role("button", name="Delete alice/doomed-model").click()
    expect(why).to_be_focused()
    expect(page.get_by_label("Your hubdash password")).to_be_in_viewport()
    tab.problems.remove(f"{page.url}: Failed to load resource: the server responded with a status of 400 (Bad Request)")

    page.get_by_label("Type the repo's full name to confirm").fill("alice/doomed-model")
    page.get_by_label("Your hubdash password").fill(PASSWORD)
    page.get_by_role("button", name="Delete alice/doomed-model").click()

    expect(page).to_have_url(tab.url + "/models/?author=alice")
    expect(page.get_by_text("Deleted alice/doomed-model.")).to_be_visible()
    expect(page.locator("#listing-body a[href='/models/alice/doomed-model/']")).to_have_count(0)
    assert not on_hub(demo_hub).repo_exists("alice/doomed-model")
    tab.assert_quiet()


def test_create_form_and_settings_panel_are_accessible_and_fit_a_phone(tab):
    failures = []
    for name, path in (("new", "/new/?type=space"), ("settings", "/models/acme/gated-llm/settings/")):
        for width, height in (WIDE, PHONE):
            page = tab.open(path)
            page.set_viewport_size({"width": width, "height": height})
            if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
                failures.append(f"{path} at {width} px scrolls sideways")
            shoot(page, name)
        page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
        failures += serious_violations(page, path)
    page = tab.open("/new/?type=space")
    expect(page.get_by_label("Space SDK")).to_be_visible()  # Space-only choices show for a Space
    page.get_by_text("Model", exact=True).click()
    expect(page.get_by_label("Space SDK")).to_be_hidden()
    assert failures == []
    tab.assert_quiet()
