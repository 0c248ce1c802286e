"""Browsing the Hub as a person does it, in Chromium: search, facets, paging, Back, repo pages by
revision, the app shell on a laptop and a phone, accessibility, and a hostile card that stays inert.

hubdash runs on `live_server` against hubsim's demo world, signed in as alice with her demo token.
Screenshots of every page at both widths go to test-results/ (ignored by git).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS, Console
from tests.personas import PASSWORD, signed_in

pytestmark = pytest.mark.browser

DEMO_TOKEN = "hf_demo_alice_write"
WIDE, PHONE = (1280, 900), (390, 844)


@dataclass
class Tab:
    """A signed-in page, and what went wrong in it that a person would see in the console."""

    page: Page
    url: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        response = self.page.goto(self.url + path)
        assert response is not None and response.ok, f"{path} answered {response and response.status}"
        return self.page

    def shoot(self, name: str) -> None:
        """A full-page screenshot at the current width."""
        ARTIFACTS.mkdir(exist_ok=True)
        width = self.page.viewport_size["width"] if self.page.viewport_size else 0
        # caret="initial": hiding the caret injects a <style> that the CSP (rightly) reports.
        self.page.screenshot(path=str(ARTIFACTS / f"browse-{name}-{width}.png"), full_page=True, caret="initial")

    def shoot_both(self, name: str) -> None:
        for width, height in (WIDE, PHONE):
            self.page.set_viewport_size({"width": width, "height": height})
            self.shoot(name)
        self.page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})

    def expect(self, text: str) -> None:
        """A console message this test provoked on purpose (tests/browser/conftest.py `Console.expect`)."""
        Console(self.problems).expect(text)

    def assert_quiet(self) -> None:
        assert self.problems == [], "console errors:\n" + "\n".join(self.problems)


@pytest.fixture
def alice_on_demo_hub(demo_hub, settings, transactional_db):
    """A hubdash member with alice's demo token connected, hubdash pointed at the demo Hub."""
    from django.contrib.auth.models import User

    from hubdash.hub import connect_token

    settings.HF_ENDPOINT = demo_hub.url
    user = User.objects.create_user("alice", "alice@example.com", PASSWORD)
    connect_token(user, DEMO_TOKEN)
    return user


@pytest.fixture
def tab(browser: Browser, console: Console, live_server, alice_on_demo_hub, settings) -> Iterator[Tab]:
    """A page signed in as alice (the session cookie of a forced login), recording console errors."""
    client = signed_in(alice_on_demo_hub)
    context = browser.new_context(viewport={"width": WIDE[0], "height": WIDE[1]})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The console is watched by tests/browser/conftest.py: the tab shares its list of problems.
    yield Tab(page, live_server.url, console.problems)
    context.close()


def hub_ids(hub, kind: str, **params: object) -> list[str]:
    """What the demo Hub itself lists for alice, in hubdash's default order (trending)."""
    response = requests.get(
        f"{hub.url}/api/{kind}s",
        params={"limit": 1000, "sort": "trendingScore", **params},
        headers={"authorization": f"Bearer {DEMO_TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    return [item["id"] for item in response.json()]


def expect_results(page: Page, ids: list[str]) -> None:
    """The listing shows exactly these repos, in this order (waiting for a swap still under way)."""
    expect(page.locator("#listing-body .repo-title a")).to_have_text(ids)


def assert_whole_page(page: Page, title: str) -> None:
    """A full page, not a bare fragment: the shell with its navigation, one h1, the search form."""
    expect(page.locator("header.shell")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").first).to_be_attached()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("search")).to_be_visible()


# -- listings -----------------------------------------------------------------------------------------


def test_typing_a_search_updates_results_and_url_without_a_reload_and_back_restores_the_page(tab, demo_hub):
    page = tab.open("/models/")
    results = page.locator("#listing-body .repo-item")
    expect(results).to_have_count(30)
    page.evaluate("window.__noReload = 1")

    page.get_by_label("Search", exact=True).press_sequentially("whisper", delay=30)

    expected = hub_ids(demo_hub, "model", search="whisper")
    assert 0 < len(expected) < 30
    expect_results(page, expected)
    expect(page).to_have_url(re.compile(r"/models/\?.*search=whisper"))
    assert page.evaluate("window.__noReload") == 1, "the page reloaded instead of swapping the results"
    assert_whole_page(page, "Models")
    tab.shoot_both("listing-search")

    page.go_back()
    expect(page).to_have_url(tab.url + "/models/")
    assert_whole_page(page, "Models")
    expect_results(page, hub_ids(demo_hub, "model")[:30])
    expect(page.get_by_label("Search", exact=True)).to_have_value("")
    tab.assert_quiet()


def test_a_facet_adds_a_removable_chip_that_narrows_the_results_and_survives_a_search(tab, demo_hub):
    page = tab.open("/models/")
    facets = page.get_by_role("complementary", name="Filter by tag")
    page.evaluate("window.__noReload = 1")

    facets.get_by_role("link", name="mit", exact=True).click()

    expect(page).to_have_url(re.compile(r"filter=license%3Amit"))
    chip = page.get_by_role("link", name="Remove filter mit")
    expect(chip).to_be_visible()
    licensed = hub_ids(demo_hub, "model", filter="license:mit")
    assert 0 < len(licensed) < 30
    expect_results(page, licensed)
    # The tag now filtering is no longer offered as a facet.
    expect(facets.get_by_role("link", name="mit", exact=True)).to_have_count(0)
    tab.shoot_both("listing-facet")

    # Typing a search keeps the tag filter: both narrow the results.
    term = sorted(licensed)[0].split("/")[1].split("-")[0]
    both = hub_ids(demo_hub, "model", filter="license:mit", search=term)
    assert 0 < len(both) < len(licensed)
    page.get_by_label("Search", exact=True).fill(term)
    expect(page).to_have_url(re.compile(rf"search={term}"))
    expect(page).to_have_url(re.compile(r"filter=license%3Amit"))
    expect_results(page, both)
    expect(chip).to_be_visible()

    chip.click()
    expect(page.get_by_role("link", name=re.compile("^Remove filter"))).to_have_count(0)
    expect(page).not_to_have_url(re.compile("filter="))
    expect(page).to_have_url(re.compile(rf"search={term}"))
    expect_results(page, hub_ids(demo_hub, "model", search=term)[:30])
    assert page.evaluate("window.__noReload") == 1, "the page reloaded instead of swapping the results"
    tab.assert_quiet()


def test_load_more_appends_next_page_is_shareable_and_back_restores_the_whole_page(tab, demo_hub):
    everything = hub_ids(demo_hub, "model")
    page = tab.open("/models/")
    expect_results(page, everything[:30])

    page.get_by_role("button", name="Load more").click()
    expect_results(page, everything[:60])
    expect(page).to_have_url(tab.url + "/models/")  # what the person sees is this page, grown
    assert_whole_page(page, "Models")

    page.get_by_role("link", name="Next page").click()
    expect_results(page, everything[60:90])
    expect(page).to_have_url(re.compile(r"cursor="))
    assert_whole_page(page, "Models")

    # The next page's URL is shareable: a fresh visit shows the same repos.
    fresh = page.context.new_page()
    fresh.goto(page.url)
    expect_results(fresh, everything[60:90])
    fresh.close()

    # Back: the whole first page again, as a page, not a fragment.
    page.go_back()
    expect(page).to_have_url(tab.url + "/models/")
    expect_results(page, everything[:30])
    assert_whole_page(page, "Models")
    tab.assert_quiet()


# -- repo pages ---------------------------------------------------------------------------------------


@pytest.fixture
def tagged_repo(demo_hub) -> dict[str, Any]:
    """A repo with two commits and a tag `v1.0` on the first, made through the Hub's own API."""
    from huggingface_hub import HfApi

    first = demo_hub.add_repo(
        "acme/browse-probe",
        type="model",
        pipeline_tag="text-classification",
        library_name="transformers",
        files={"README.md": "---\nlicense: mit\n---\n# Browse probe\n\nA model for the browser tests.\n"},
    )["sha"]
    api = HfApi(endpoint=demo_hub.url, token=DEMO_TOKEN)
    api.create_tag("acme/browse-probe", tag="v1.0", revision=first)
    second = api.upload_file(
        path_or_fileobj=b'{"model_type": "bert"}\n', path_in_repo="config.json", repo_id="acme/browse-probe"
    ).oid
    history = [commit.commit_id for commit in api.list_repo_commits("acme/browse-probe", revision="v1.0")]
    assert history[0] == first and second not in history
    return {"first": first, "second": second, "tag_history": history}


def test_open_a_repo_from_the_listing_and_switch_revision(tab, tagged_repo):
    page = tab.open("/models/")
    page.get_by_label("Search", exact=True).fill("browse-probe")
    page.get_by_role("link", name="acme/browse-probe").click()

    expect(page).to_have_url(tab.url + "/models/acme/browse-probe/")
    expect(page.locator("h1.repo-name")).to_have_text("acme/browse-probe")
    expect(page.get_by_role("heading", name="Browse probe")).to_be_visible()  # the card
    facts = page.locator("section", has=page.get_by_role("heading", name="Facts"))
    expect(facts).to_contain_text(tagged_repo["second"][:12])
    expect(facts).to_contain_text("text-classification")
    files = page.locator("section", has=page.get_by_role("heading", name="Files", exact=True))
    expect(files.get_by_role("link", name="config.json", exact=True)).to_be_visible()
    expect(page.get_by_text(f"Showing commit {tagged_repo['second'][:12]}")).to_be_visible()
    tab.shoot_both("repo")

    page.get_by_label("Revision").fill("v1.0")
    page.get_by_role("button", name="Show").click()

    expect(page).to_have_url(re.compile(r"\?revision=v1\.0$"))
    expect(page.locator(".revision-picker")).to_contain_text(f"Showing commit {tagged_repo['first'][:12]} of v1.0")
    expect(facts).to_contain_text(tagged_repo["first"][:12])
    expect(files.get_by_role("link", name="README.md", exact=True)).to_be_visible()
    expect(files.get_by_role("link", name="config.json", exact=True)).to_have_count(0)

    page.get_by_role("link", name="History").click()
    expect(page).to_have_url(re.compile(r"/history/\?revision=v1\.0$"))
    commits = page.locator(".commit")
    expect(commits).to_have_count(len(tagged_repo["tag_history"]))
    expect(commits.first).to_contain_text(tagged_repo["first"][:7])
    expect(page.get_by_text(tagged_repo["second"][:7])).to_have_count(0)
    tab.shoot_both("repo-history-tag")
    page.get_by_role("link", name="Files").first.click()
    expect(page).to_have_url(re.compile(r"/files/\?revision=v1\.0$"))
    tab.shoot_both("repo-files-tag")

    # A commit id works as well as a tag.
    tab.open(f"/models/acme/browse-probe/?revision={tagged_repo['second']}")
    expect(page.locator(".revision-picker")).to_contain_text(f"Showing commit {tagged_repo['second'][:12]}")
    tab.assert_quiet()


def test_a_hostile_card_renders_inert(tab, demo_hub):
    dialogs: list[str] = []
    requested: list[str] = []
    tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    tab.page.on("request", lambda request: requested.append(request.url))

    page = tab.open("/models/mallory/friendly-model/")
    card = page.locator("article.markdown")
    expect(card.get_by_role("heading", name="Friendly model")).to_be_visible()
    expect(card).to_contain_text("Read the docs")
    page.wait_for_load_state("networkidle")
    tab.shoot_both("hostile-card")

    assert dialogs == []
    assert "pwned" not in page.title()
    # The injected hx-get named hubdash's token page; nothing may have fetched it.
    assert [url for url in requested if "/account/" in url or url.startswith("javascript:")] == []
    live = card.evaluate(
        """card => [...card.querySelectorAll('*')].flatMap(el => [...el.attributes]
             .filter(a => /^(on|hx-|data-hx-)/i.test(a.name) || /^\\s*javascript:/i.test(a.value))
             .map(a => `${el.tagName} ${a.name}=${a.value}`))"""
    )
    assert live == []
    expect(card.locator("script, iframe, form, style")).to_have_count(0)
    # The card's relative <img src="x"> points at the Hub; hubsim serves plain http, which the CSP
    # (img-src https:) blocks. The real Hub is https, so that one report is hubsim's, not hubdash's.
    tab.problems[:] = [p for p in tab.problems if not ("Loading the image" in p and f"'{demo_hub.url}/" in p)]
    tab.problems[:] = [p for p in tab.problems if not ("CSP violation: img-src" in p and f"({demo_hub.url}/" in p)]
    tab.assert_quiet()


# -- the shell, the console and accessibility ---------------------------------------------------------

MAIN_LINKS = ["Home", "Models", "Datasets", "Spaces", "Team"]


def test_the_app_shell_on_a_laptop_and_a_phone(tab):
    page = tab.open("/models/")
    wide_nav = page.get_by_role("navigation", name="Main").filter(visible=True)
    expect(wide_nav).to_have_count(1)
    for name in MAIN_LINKS:
        expect(wide_nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(wide_nav.get_by_role("link", name="Models", exact=True)).to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    tab.shoot("shell")

    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    header = page.locator("header.shell")
    box = header.bounding_box()
    assert box is not None and box["height"] < 80, f"the header is {box} on a phone"
    expect(page.get_by_role("navigation", name="Main").filter(visible=True)).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "the page scrolls sideways"

    page.locator("summary", has=page.get_by_text("Menu", exact=True)).click()
    sheet = page.get_by_role("navigation", name="Main").filter(visible=True)
    expect(sheet).to_have_count(1)
    for name in MAIN_LINKS:
        expect(sheet.get_by_role("link", name=name, exact=True)).to_be_visible()
    tab.shoot("shell-menu-open")
    assert serious_violations(page, "the phone menu") == []
    sheet.get_by_role("link", name="Datasets", exact=True).click()
    expect(page).to_have_url(tab.url + "/datasets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Datasets")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    tab.assert_quiet()


PAGES = {
    "home": "/",
    "models": "/models/",
    "models-facet": "/models/?filter=license%3Amit&filter=transformers",
    "repo": "/models/acme/gated-llm/",
    "repo-files": "/models/acme/gated-llm/files/",
    "repo-history": "/models/acme/gated-llm/history/",
    "model-tags": "/tags/models/",
    "metrics": "/metrics/",
}


def serious_violations(page: Page, where: str) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one readable line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = []
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            nodes = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            found.append(f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} — {nodes}")
    return found


def test_browse_pages_are_accessible_fit_a_phone_and_log_no_errors(tab):
    failures = []
    for name, path in PAGES.items():
        tab.page.set_viewport_size({"width": WIDE[0], "height": WIDE[1]})
        page = tab.open(path)
        # One heading names the page (a card's own headings live in its article).
        headings = page.locator("h1:not(article.markdown h1)").all_inner_texts()
        if len(headings) != 1:
            failures.append(f"{path}: page headings {headings}")
        gap = page.evaluate(
            "document.querySelector('h1').getBoundingClientRect().top"
            " - document.querySelector('header.shell').getBoundingClientRect().bottom"
        )
        if gap > 100:
            failures.append(f"{path}: {gap:.0f} px of blank space between the header and the page's heading")
        shown_hidden = page.evaluate(
            "[...document.querySelectorAll('[hidden]')].filter(e => e.getBoundingClientRect().height > 0)"
            ".map(e => e.outerHTML.slice(0, 60))"
        )
        if shown_hidden:
            failures.append(f"{path}: elements marked hidden take space: {shown_hidden}")
        tab.shoot(name)
        failures += serious_violations(page, path)  # colour contrast is most of its time: once per page
        page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
        if not page.evaluate("document.documentElement.scrollWidth <= innerWidth"):
            failures.append(f"{path}: scrolls sideways at {PHONE[0]} px")
        tab.shoot(name)
    assert failures == [], "\n".join(failures)
    tab.assert_quiet()


def test_a_hub_failure_during_live_search_shows_in_the_results_and_a_bad_query_says_why(tab, demo_hub):
    page = tab.open("/models/")
    page.evaluate("window.__noReload = 1")
    demo_hub.fault(method="GET", path="/api/models", status=503)
    page.get_by_label("Search", exact=True).press_sequentially("bert", delay=30)
    alert = page.locator("#listing-body .hub-error")
    expect(alert).to_contain_text("The Hub is having trouble")
    expect(alert.get_by_role("link", name="Retry")).to_be_visible()
    demo_hub.control("DELETE", "faults")
    page.get_by_label("Author").fill("not/valid")
    page.get_by_label("Author").press("Enter")
    expect(page.locator("#listing-body .form-errors")).to_contain_text("An author is a Hub user or organisation name")
    assert page.evaluate("window.__noReload") == 1
    # Both answers carry their status (so that no cache keeps them): Chromium logs each, as asked for.
    tab.expect("the server responded with a status of 503")
    tab.expect("the server responded with a status of 400")
    tab.assert_quiet()


def test_choosing_a_sort_or_page_size_updates_the_results_in_place(tab, demo_hub):
    page = tab.open("/models/")
    page.evaluate("window.__noReload = 1")
    page.get_by_label("Sort by").select_option("likes")
    expect(page).to_have_url(re.compile(r"sort=likes"))
    expect_results(page, hub_ids(demo_hub, "model", sort="likes")[:30])
    page.get_by_label("Page size").select_option("10")
    expect(page).to_have_url(re.compile(r"limit=10"))
    expect(page.locator("#listing-body .repo-item")).to_have_count(10)
    assert page.evaluate("window.__noReload") == 1
    tab.assert_quiet()


def test_search_then_back_and_forward_leave_the_console_clean(tab, demo_hub):
    """htmx's own indicator style is an inline <style>, which the CSP refuses: none is ever inserted, after
    live search, a repo opened from the results, or history restored by Back and Forward."""
    page = tab.open("/models/")
    box = page.get_by_label("Search", exact=True)
    box.press_sequentially("whi", delay=10)
    expect(page).to_have_url(re.compile(r"search=whi\b"))
    box.press_sequentially("sper", delay=10)
    expect(page).to_have_url(re.compile(r"search=whisper"))
    expect_results(page, hub_ids(demo_hub, "model", search="whisper"))
    first = page.locator("#listing-body .repo-title a").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.go_back()
    expect(page).to_have_url(re.compile(r"search=whisper"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"search=whi$"))
    expect(page.get_by_label("Search", exact=True)).to_have_value("whi")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"search=whisper"))
    expect_results(page, hub_ids(demo_hub, "model", search="whisper"))
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.go_back()
    expect(page.get_by_label("Search", exact=True)).to_have_value("whisper")
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    tab.assert_quiet()
