"""An organisation admin keeps their rights in the browser when the cached Hub identity expires: the
Settings tab is still on the repo's page and opens the settings (the cache entry is deleted as expiry
would; alice is admin of acme in hubsim's demo world)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from hubdash.hub.tokens import _cache_key
from tests.browser.test_browse import DEMO_TOKEN, alice_on_demo_hub, tab

pytestmark = pytest.mark.browser
__all__ = ["alice_on_demo_hub", "tab"]  # the fixtures, shared with the browse tests

REPO = "/models/acme/internal-classifier/"


def test_an_org_admins_settings_tab_stays_after_the_identity_cache_entry_is_gone(tab):
    cache.delete(_cache_key(DEMO_TOKEN))  # the identity cache period passed without Home or Profile
    page = tab.open(REPO)
    settings_tab = page.get_by_role("link", name="Settings", exact=True)
    expect(settings_tab).to_be_visible()
    expect(page.get_by_role("link", name="Upload", exact=True)).to_be_visible()
    cache.delete(_cache_key(DEMO_TOKEN))  # and again before the click
    settings_tab.click()
    expect(page).to_have_url(tab.url + REPO + "settings/")
    expect(page.get_by_role("link", name="Settings", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Your Hub token may not change this repo")).to_have_count(0)
    tab.assert_quiet()
