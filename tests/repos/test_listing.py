"""Listings: what the Hub is asked for each parameter, what people see, paging, order, fragments, failures."""

from __future__ import annotations

import re
import threading
from urllib.parse import parse_qs

import pytest
from django.db import connection

from hubdash.hub import repos as hub_repos

from .conftest import add_models


def _list_calls(browsing, kind="models"):
    return [r for r in browsing.hub_calls(f"/api/{kind}") if r["path"] == f"/api/{kind}"]


def _query(call) -> dict[str, list[str]]:
    return parse_qs(call["query"]) if isinstance(call["query"], str) else call["query"]


def _link(path: str, href: str) -> str:
    """A link as the browser follows it from `path` (Django's querystring tag gives `?...` links)."""
    href = href.replace("&amp;", "&")
    return path + href if href.startswith("?") else href


def _shown_ids(response) -> list[str]:
    html = response.content.decode()
    return [f"{ns}/{name}" for ns, name in re.findall(r'class="ns">([^<]+)/</span>([^<]+)</a>', html)]


@pytest.mark.django_db
def test_a_listing_shows_each_repo_with_its_task_library_downloads_and_likes(browsing):
    browsing.hub.add_repo(
        "acme/bert-tiny", pipeline_tag="fill-mask", library_name="transformers", downloads=1_234_567, likes=1_500
    )
    response = browsing.alice.get("/models/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _shown_ids(response) == ["acme/bert-tiny"]
    assert "fill-mask" in html and "transformers" in html
    assert "1.2M" in html and "1.5k" in html
    assert 'title="1,234,567 downloads"' in html


@pytest.mark.django_db
def test_every_parameter_is_passed_to_the_hub(browsing):
    browsing.hub.add_repo("acme/bert-tiny", tags=["license:mit", "en"])
    query = "search=bert&author=acme&filter=license:mit&filter=en&sort=likes&limit=20&full=on&config=on"
    response = browsing.alice.get(f"/models/?{query}")
    assert response.status_code == 200
    sent = _query(_list_calls(browsing)[-1])
    assert sent["search"] == ["bert"]
    assert sent["author"] == ["acme"]
    assert sent["filter"] == ["license:mit", "en"]
    assert sent["sort"] == ["likes"]
    assert sent["limit"] == ["20"]
    assert sent["full"] == ["true"] and sent["config"] == ["true"]
    assert _shown_ids(response) == ["acme/bert-tiny"]


@pytest.mark.django_db
def test_full_shows_commit_and_files_and_config_shows_the_model_config(browsing):
    browsing.hub.add_repo("acme/bert-tiny", config={"model_type": "bert", "architectures": ["BertModel"]})
    plain = browsing.alice.get("/models/").content.decode()
    assert "Config: bert" not in plain and not re.search(r"<code>[0-9a-f]{7}</code>", plain)
    rich = browsing.alice.get("/models/?full=on&config=on").content.decode()
    assert "Config: bert" in rich and "BertModel" in rich
    assert re.search(r"\d+ files?", rich)
    assert re.search(r"<code>[0-9a-f]{7}</code>", rich)


@pytest.mark.django_db
def test_search_and_filters_narrow_the_results(browsing):
    browsing.hub.add_repo("acme/bert-tiny", tags=["license:mit"])
    browsing.hub.add_repo("acme/gpt-small", tags=["license:mit", "en"])
    browsing.hub.add_repo("datalab/bert-large")
    assert sorted(_shown_ids(browsing.alice.get("/models/?search=bert"))) == ["acme/bert-tiny", "datalab/bert-large"]
    assert _shown_ids(browsing.alice.get("/models/?filter=license:mit&filter=en")) == ["acme/gpt-small"]
    assert sorted(_shown_ids(browsing.alice.get("/models/?author=acme"))) == ["acme/bert-tiny", "acme/gpt-small"]


@pytest.mark.django_db
def test_selected_tags_show_as_removable_chips_and_facets_come_from_the_vocabulary(browsing):
    browsing.hub.add_repo("acme/bert-tiny", tags=["license:mit"], pipeline_tag="fill-mask")
    html = browsing.alice.get("/models/?filter=fill-mask&search=bert").content.decode()
    assert 'aria-label="Remove filter Fill-Mask"' in html
    remove = re.search(r'class="chip-remove" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "filter=" not in remove and "search=bert" in remove
    # Facets: the Hub's vocabulary by type, each adding its tag to the ones already chosen.
    assert "Tasks" in html and "Libraries" in html and "Licenses" in html
    add = re.search(r'href="([^"]*filter=transformers[^"]*)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(add.split("?", 1)[1])["filter"] == ["fill-mask", "transformers"]


@pytest.mark.django_db
def test_the_tag_vocabulary_is_fetched_once_for_everyone(browsing):
    browsing.alice.get("/models/")
    browsing.bob.get("/models/?search=x")
    browsing.charlie.get("/models/?search=y")
    assert len(browsing.hub_calls("/api/models-tags-by-type")) == 1


@pytest.mark.django_db
def test_private_repos_appear_only_to_tokens_that_may_see_them(browsing):
    browsing.hub.add_repo("acme/secret", private=True)
    browsing.hub.add_repo("acme/open")
    alice = browsing.alice.get("/models/").content.decode()
    assert "acme/</span>secret" in alice and "badge private" in alice
    assert _shown_ids(browsing.charlie.get("/models/")) == ["acme/open"]


@pytest.mark.django_db
def test_sorting_descending_is_the_hubs_own_order(browsing):
    add_models(browsing.hub, 5)
    response = browsing.alice.get("/models/?sort=downloads")
    assert _shown_ids(response) == [f"acme/model-{i:02d}" for i in (4, 3, 2, 1, 0)]
    assert _query(_list_calls(browsing)[-1])["sort"] == ["downloads"]


@pytest.mark.django_db
def test_ascending_order_is_honoured_when_the_whole_set_fits_in_one_call(browsing):
    add_models(browsing.hub, 5)
    response = browsing.alice.get("/models/?sort=downloads&direction=asc&limit=10")
    assert _shown_ids(response) == [f"acme/model-{i:02d}" for i in range(5)]
    assert "Ascending order, sorted by hubdash" in response.content.decode()
    calls = _list_calls(browsing)
    assert len(calls) == 1 and _query(calls[0])["limit"] == [str(hub_repos.ASCENDING_LIMIT)]


@pytest.mark.django_db
def test_ascending_order_is_explained_when_the_set_is_too_large(browsing, monkeypatch):
    monkeypatch.setattr(hub_repos, "ASCENDING_LIMIT", 3)
    add_models(browsing.hub, 5)
    response = browsing.alice.get("/models/?sort=downloads&direction=asc")
    html = response.content.decode()
    assert "The Hub sorts only in descending order" in html
    assert _shown_ids(response) == [f"acme/model-{i:02d}" for i in (4, 3, 2, 1, 0)]


@pytest.mark.django_db
def test_ascending_paging_with_offsets(browsing, monkeypatch):
    add_models(browsing.hub, 25)
    first = browsing.alice.get("/models/?sort=downloads&direction=asc&limit=10")
    ids = _shown_ids(first)
    assert ids == [f"acme/model-{i:02d}" for i in range(10)]
    cursor = re.search(r'href="[^"]*cursor=(\d+)[^"]*">Next page', first.content.decode()).group(1)
    second = browsing.alice.get(f"/models/?sort=downloads&direction=asc&limit=10&cursor={cursor}")
    assert _shown_ids(second) == [f"acme/model-{i:02d}" for i in range(10, 20)]
    assert len(_list_calls(browsing)) == 1  # the whole set was fetched once and paged here


@pytest.mark.django_db
def test_paging_follows_the_hubs_cursor_without_refetching_from_the_start(browsing):
    add_models(browsing.hub, 25)
    first = browsing.alice.get("/models/?sort=downloads&limit=10")
    html = first.content.decode()
    next_url = _link("/models/", re.search(r'<a class="button" href="([^"]+)">Next page', html).group(1))
    assert "cursor=" in next_url and "sort=downloads" in next_url
    second = browsing.alice.get(next_url)
    assert _shown_ids(second) == [f"acme/model-{i:02d}" for i in range(14, 4, -1)]
    calls = _list_calls(browsing)
    assert len(calls) == 2 and "cursor" in _query(calls[1])
    assert "Back to the first page" in second.content.decode()
    third = browsing.alice.get(
        _link("/models/", re.search(r'<a class="button" href="([^"]+)">Next page', second.content.decode()).group(1))
    )
    assert len(_shown_ids(third)) == 5 and "Next page" not in third.content.decode()


@pytest.mark.django_db
def test_an_htmx_request_gets_the_results_fragment_and_a_history_restore_the_whole_page(browsing):
    add_models(browsing.hub, 3)
    fragment = browsing.alice.get("/models/?search=model", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="listing-body")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert body.lstrip().startswith('<div id="listing-body"') and "<html" not in body
    assert "HX-Request" in fragment["Vary"]
    # The form sends every field; the address bar gets the short URL that means the same listing.
    full_form = "/models/?search=model&author=&filter=&sort=trending&direction=desc&limit=30&full=on"
    pushed = browsing.alice.get(full_form, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="listing-body")
    assert pushed["HX-Push-Url"] == "/models/?search=model&full=on"
    restore = browsing.alice.get(
        "/models/?search=model", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restore.content.decode() and 'id="listing-form"' in restore.content.decode()
    plain = browsing.alice.get("/models/?search=model")
    assert "<html" in plain.content.decode() and "HX-Request" in plain["Vary"]


@pytest.mark.django_db
def test_load_more_answers_only_the_next_rows(browsing):
    add_models(browsing.hub, 15)
    first = browsing.alice.get("/models/?limit=10&sort=downloads").content.decode()
    more_url = _link("/models/", re.search(r'hx-get="([^"]+)" hx-target="#load-more"', first).group(1))
    more = browsing.alice.get(more_url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more").content.decode()
    assert more.lstrip().startswith('<li class="repo-item">') and "listing-body" not in more
    assert more.count('class="repo-item"') == 5 and 'id="load-more"' not in more


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=alphabetical", "Sort by"),
        ("limit=7", "Page size"),
        ("author=a/b", "An author is a Hub user or organisation name"),
        ("direction=up", "Direction"),
        ("filter=" + "x" * 201, "at most 200 printable characters"),
    ],
)
def test_bad_parameters_are_a_clear_400_without_asking_the_hub(browsing, query, message):
    response = browsing.alice.get(f"/models/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _list_calls(browsing) == []


@pytest.mark.django_db
def test_spaces_cannot_be_sorted_by_downloads(browsing):
    browsing.hub.add_repo("acme/demo", type="space", sdk="gradio")
    assert browsing.alice.get("/spaces/?sort=downloads").status_code == 400
    ok = browsing.alice.get("/spaces/?sort=likes")
    assert ok.status_code == 200 and _shown_ids(ok) == ["acme/demo"]
    assert "gradio" in ok.content.decode()


@pytest.mark.django_db
def test_datasets_listing_uses_the_dataset_vocabulary(browsing):
    browsing.hub.add_repo("acme/squad-mini", type="dataset", tags=["task_categories:question-answering"])
    html = browsing.alice.get("/datasets/").content.decode()
    assert "acme/</span>squad-mini" in html and "Modalities" in html


@pytest.mark.django_db
def test_a_warm_listing_asks_the_hub_nothing_and_tokens_never_share_answers(browsing):
    browsing.hub.add_repo("acme/secret", private=True)
    browsing.alice.get("/models/?search=secret")
    browsing.alice.get("/models/?search=secret")
    assert len(_list_calls(browsing)) == 1
    assert _shown_ids(browsing.charlie.get("/models/?search=secret")) == []
    assert len(_list_calls(browsing)) == 2


@pytest.mark.django_db
def test_a_search_typed_and_then_opened_by_its_link_asks_the_hub_once(browsing):
    add_models(browsing.hub, 3)
    typed = "/models/?search=model&author=&filter=&sort=trending&direction=desc&limit=30"
    fragment = browsing.alice.get(typed, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="listing-body")
    assert fragment["HX-Push-Url"] == "/models/?search=model"
    opened = browsing.alice.get(fragment["HX-Push-Url"])
    assert _shown_ids(opened) == _shown_ids(fragment) and len(_shown_ids(opened)) == 3
    assert len(_list_calls(browsing)) == 1
    # The links in the results are the short ones too, whichever form the request came in.
    assert "author=&amp;" not in fragment.content.decode() and "limit=30" not in fragment.content.decode()


@pytest.mark.django_db
def test_a_listing_drawn_around_a_hub_failure_is_not_kept(browsing):
    add_models(browsing.hub, 2)
    browsing.hub.control("POST", "faults", {"method": "GET", "path": "/api/models", "status": 503, "times": 1})
    failed = browsing.alice.get("/models/?search=model")
    assert failed.status_code == 503 and "The Hub is having trouble" in failed.content.decode()
    again = browsing.alice.get("/models/?search=model")
    assert again.status_code == 200 and len(_shown_ids(again)) == 2


@pytest.mark.backend
@pytest.mark.django_db(transaction=True)
def test_the_same_listing_opened_by_many_people_at_once_asks_the_hub_once(hub_world, alice):
    from hubdash import hub
    from tests.personas import ALICE_TOKEN, signed_in

    hub.connect_token(alice, ALICE_TOKEN)
    add_models(hub_world, 3)
    browsers = [signed_in(alice) for _ in range(6)]
    for browser in browsers:  # each browser's first request (the session's last-seen write) out of the way
        assert browser.get("/models/?search=nothing-like-it").status_code == 200
    hub_world.control("POST", "faults", {"method": "GET", "path": "/api/models", "delay_s": 0.3})
    hub_world.control("DELETE", "requests")
    barrier = threading.Barrier(len(browsers))
    shown: list[list[str]] = []

    def open_listing(browser) -> None:
        try:
            barrier.wait()
            shown.append(_shown_ids(browser.get("/models/?search=model&sort=likes")))
        finally:
            connection.close()

    threads = [threading.Thread(target=open_listing, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(shown) == len(browsers) and all(ids == shown[0] for ids in shown) and len(shown[0]) == 3
    calls = [r for r in hub_world.requests() if r["path"] == "/api/models"]
    assert len(calls) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fault", "status", "message"),
    [
        ({"status": 503}, 503, "The Hub is having trouble"),
        ({"status": 429, "retry_after": 42}, 429, "Wait 42 s"),
        ({"reset": True}, 503, "connection to the Hub broke off"),
        ({"truncate": True}, 503, "connection to the Hub broke off"),
        ({"body": "{not json"}, 503, "could not read"),
        ({"body": '{"an": "object"}'}, 503, "could not read"),
        ({"body": '[{"id": 5}]'}, 503, "could not read"),
    ],
)
def test_hub_failures_fill_the_error_region_and_the_page_still_renders(browsing, fault, status, message):
    browsing.hub.add_repo("acme/bert-tiny")
    browsing.hub.fault(method="GET", path="/api/models", **fault)
    response = browsing.alice.get("/models/")
    assert response.status_code == status
    html = response.content.decode()
    assert message in html and 'class="hub-error"' in html
    assert 'id="listing-form"' in html and "Filter by tag" in html  # the rest of the page is there
    assert "Retry" in html or "Try again" in html


@pytest.mark.django_db
def test_a_rejected_token_leads_to_reconnecting_it(browsing):
    browsing.hub.control("POST", "tokens/revoke", {"token": "hf_alice_write_0123456789abcdefSENTINEL"})
    response = browsing.alice.get("/models/")
    assert response.status_code == 401
    assert "Reconnect your token" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("fault", [{"delay_s": 2}, {"hang": True}])
def test_a_slow_or_hung_hub_ends_in_the_error_region_within_the_page_budget(browsing, monkeypatch, fault):
    monkeypatch.setattr(hub_repos, "PAGE_BUDGET_S", 0.5)
    browsing.hub.fault(method="GET", path="/api/models", **fault)
    # Its own query: the other case's is not answered from the cache.
    response = browsing.alice.get(f"/models/?search={'hang' if 'hang' in fault else 'slow'}")
    assert response.status_code == 503
    assert "did not answer in time" in response.content.decode()


@pytest.mark.django_db
def test_an_unreachable_hub_is_reported_as_unreachable(browsing, settings):
    settings.HF_ENDPOINT = "http://127.0.0.1:9"
    response = browsing.alice.get("/models/?search=nothing-cached")
    assert response.status_code == 503
    assert "cannot reach the Hub" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/models/", "/models/acme/bert-tiny/", "/metrics/", "/"])
def test_a_token_whose_key_was_removed_asks_to_reconnect_instead_of_failing(browsing, settings, url):
    from hubdash.env import new_token_key_spec

    browsing.hub.add_repo("acme/bert-tiny")
    settings.HUBDASH_TOKEN_KEYS = [new_token_key_spec()]  # the key that sealed alice's token is gone
    response = browsing.alice.get(url)
    assert response.status_code in (200, 401)
    assert "Reconnect your token" in response.content.decode()


@pytest.mark.django_db
def test_each_kind_shows_its_own_repos_for_the_same_query(browsing):
    browsing.hub.add_repo("acme/a-model")
    browsing.hub.add_repo("acme/a-space", type="space", sdk="gradio")
    assert _shown_ids(browsing.alice.get("/models/?limit=10")) == ["acme/a-model"]
    assert _shown_ids(browsing.alice.get("/spaces/?limit=10")) == ["acme/a-space"]
    assert _shown_ids(browsing.alice.get("/datasets/?limit=10")) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('[{"id": "gpt2", "likes": 1}, {"id": "acme/kept", "likes": 2}]', 200),  # no namespace: left out
        ('[{"id": "acme/huge", "downloads": 1e999}]', 503),
        ('[{"id": "acme/naive", "lastModified": "2024-01-01T00:00:00"}]', 200),
        ("[1, 2]", 503),
        ("null", 503),
    ],
)
def test_hub_answers_of_the_wrong_shape_never_end_in_a_500(browsing, body, status):
    browsing.hub.fault(method="GET", path="/api/models", body=body)
    response = browsing.alice.get("/models/?sort=updated&direction=asc")
    assert response.status_code == status
    if status == 200:
        assert "gpt2" not in "".join(_shown_ids(response))
    else:
        assert "could not read" in response.content.decode()


@pytest.mark.django_db
def test_an_error_body_that_is_not_an_object_is_the_hub_having_trouble(browsing):
    browsing.hub.fault(method="GET", path="/api/models", status=500, body="[1]")
    response = browsing.alice.get("/models/")
    assert response.status_code == 503 and 'class="hub-error"' in response.content.decode()


@pytest.mark.django_db
def test_cursors_follow_the_hubs_next_link_whether_it_pages_by_cursor_or_by_number(settings):
    import httpx2

    settings.HF_ENDPOINT = "https://huggingface.co"

    def answer(link: str) -> httpx2.Response:
        return httpx2.Response(200, headers={"Link": link}, request=httpx2.Request("GET", "https://huggingface.co/x"))

    by_cursor = answer('<https://huggingface.co/api/models?sort=likes&cursor=abc%3D>; rel="next"')
    assert hub_repos._next_cursor(by_cursor) == "abc="
    assert hub_repos._cursor_params("abc=") == [("cursor", "abc=")]
    by_page = answer('<https://huggingface.co/api/models/acme/x/commits/main?p=2>; rel="next"')
    assert hub_repos._next_cursor(by_page) == "p:2"
    assert hub_repos._cursor_params("p:2") == [("p", "2")]
    elsewhere = answer('<https://evil.example/api/models?cursor=abc>; rel="next"')
    assert hub_repos._next_cursor(elsewhere) is None


def test_each_kind_keeps_its_own_form_choices_whichever_was_made_first():
    from django.http import QueryDict

    from hubdash.repos.forms import ListingForm

    by_downloads = QueryDict("sort=downloads&config=on")
    space, model, dataset = (ListingForm(kind, by_downloads) for kind in ("space", "model", "dataset"))
    assert not space.is_valid() and "sort" in space.errors
    assert model.is_valid() and model.query().config
    assert dataset.is_valid() and "config" not in dataset.fields
    assert ListingForm("space", QueryDict("sort=likes")).is_valid()
