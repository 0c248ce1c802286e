"""`/webhooks/` (admins): the receiver's URL and secrets, the admin's webhooks on hubsim, a test event."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from huggingface_hub import HfApi
from playwright.sync_api import Browser, Page, expect

from hubdash import hub
from hubdash.activity.models import Event, WebhookSecret
from tests.activity.conftest import deliver, v3
from tests.activity.test_end_to_end import shoot
from tests.personas import ALICE_TOKEN, signed_in

PAGE = "/webhooks/"
HERE = "http://testserver/webhooks/hub"  # the receiver as the test client reaches it


def read(response) -> str:
    return response.content.decode()


def team_events() -> list[str]:
    return list(Event.objects.filter(source="hubdash", action="team").order_by("id").values_list("summary", flat=True))


@pytest.fixture
def admin(hub_world, alice) -> Client:
    hub.connect_token(alice, ALICE_TOKEN)
    return signed_in(alice)


@pytest.fixture
def hub_api(hub_world) -> HfApi:
    return HfApi(endpoint=hub_world.url, token=ALICE_TOKEN)


def hooks(api: HfApi) -> dict[str, object]:
    return {h.id: h for h in api.list_webhooks()}


def new_secret(client: Client, label: str = "staging") -> str:
    response = client.post("/webhooks/secrets/", {"label": label})
    assert response.status_code == 201
    return re.search(r'id="new-secret">([^<]+)<', read(response)).group(1)


# -- secrets -----------------------------------------------------------------------------------------


def test_the_admin_sees_the_receiver_url_and_masked_secrets(admin, alice):
    row, value = WebhookSecret.generate("production", created_by=alice)
    page = read(admin.get(PAGE))
    assert f'<code id="receiver-url">{HERE}</code>' in page
    assert "production" in page and f"whs_••••{row.last4}" in page
    assert value not in page


def test_the_receiver_url_is_the_one_the_proxy_was_reached_at(admin, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["hubdash.example.org", "testserver"]
    page = read(admin.get(PAGE, HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="hubdash.example.org"))
    assert '<code id="receiver-url">https://hubdash.example.org/webhooks/hub</code>' in page


def test_a_generated_secret_is_shown_once_and_the_receiver_accepts_it(admin):
    value = new_secret(admin, "staging")
    assert value.startswith("whs_")
    assert value not in read(admin.get(PAGE))  # never again
    answer = deliver(v3("repo", "create"), secret=value)
    assert answer.status == 201
    assert "staging" in Event.objects.get(pk=answer.body["event"]).verified_by
    assert team_events() == ["generated the webhook secret “staging”"]


def test_a_secret_needs_a_label(admin):
    response = admin.post("/webhooks/secrets/", {"label": ""})
    assert response.status_code == 400
    assert "This field is required" in read(response)
    assert not WebhookSecret.objects.exists()


def test_a_retired_secret_is_refused(admin):
    value = new_secret(admin, "old")
    row = WebhookSecret.objects.get(label="old")
    response = admin.post(f"/webhooks/secrets/{row.pk}/retire", follow=True)
    assert "deliveries signed with it are now refused" in read(response)
    assert deliver(v3("repo", "create"), secret=value).status == 401
    assert team_events()[-1] == "retired the webhook secret “old”"
    assert admin.post(f"/webhooks/secrets/{row.pk}/retire").status_code == 404  # already retired


# -- the admin's webhooks on the Hub -----------------------------------------------------------------


def test_the_page_lists_the_admins_webhooks_with_what_they_watch_state_target_and_last_heard(admin, hub_world, hub_api):
    here = hub_api.create_webhook(url=HERE, watched=[{"type": "org", "name": "acme"}], secret="s1")
    elsewhere = hub_api.create_webhook(url="https://example.com/hook", watched=[{"type": "user", "name": "alice"}])
    hub_api.disable_webhook(elsewhere.id)
    stopped = hub_api.create_webhook(url=HERE, watched=[{"type": "model", "name": "acme/bert"}])
    hub_world.control("POST", f"webhooks/{stopped.id}", {"suspend": True})
    page = read(admin.get(PAGE))
    rows = dict(re.findall(r'<tr data-webhook="(\w+)">(.*?)</tr>', page, re.S))
    assert set(rows) == {here.id, elsewhere.id, stopped.id}
    assert "org acme" in rows[here.id] and "enabled" in rows[here.id] and "this hubdash" in rows[here.id]
    assert "never" in rows[here.id]
    assert "user alice" in rows[elsewhere.id] and ">disabled<" in rows[elsewhere.id]
    assert "https://example.com/hook" in rows[elsewhere.id] and ">Enable<" in rows[elsewhere.id]
    assert "suspended by the Hub" in rows[stopped.id] and ">Re-enable<" in rows[stopped.id]


def test_last_heard_is_the_latest_delivery_from_that_webhook(admin, hub_api, secrets):
    here = hub_api.create_webhook(url=HERE, watched=[{"type": "org", "name": "acme"}], secret="s1")
    other = hub_api.create_webhook(url=HERE, watched=[{"type": "user", "name": "alice"}], secret="s2")
    payload = v3("repo", "create")
    payload["webhook"]["id"] = here.id
    assert deliver(payload).status == 201
    rows = dict(re.findall(r'<tr data-webhook="(\w+)">(.*?)</tr>', read(admin.get(PAGE)), re.S))
    assert "<time" in rows[here.id] and "now" in rows[here.id]
    assert "never" in rows[other.id]


def test_enable_disable_and_delete_change_the_hub(admin, hub_world, hub_api):
    hook = hub_api.create_webhook(url=HERE, watched=[{"type": "org", "name": "acme"}])
    hub_world.control("POST", f"webhooks/{hook.id}", {"suspend": True})
    response = admin.post(f"/webhooks/{hook.id}/enable", follow=True)
    assert f"Webhook {hook.id} is enabled." in read(response)
    assert hooks(hub_api)[hook.id].disabled is False
    admin.post(f"/webhooks/{hook.id}/disable")
    assert hooks(hub_api)[hook.id].disabled is True
    admin.post(f"/webhooks/{hook.id}/delete")
    assert hook.id not in hooks(hub_api)
    assert team_events() == [
        f"enabled Hub webhook {hook.id}",
        f"disabled Hub webhook {hook.id}",
        f"deleted Hub webhook {hook.id}",
    ]


def test_a_change_to_a_webhook_the_hub_does_not_have_says_so(admin):
    response = admin.post("/webhooks/0123456789abcdef01234567/disable")
    assert response.status_code == 404
    assert 'class="hub-error"' in read(response)
    assert team_events() == ["disable of Hub webhook 0123456789abcdef01234567 failed"]


def test_register_creates_a_webhook_pointing_here_with_a_secret_the_receiver_accepts(
    hub_world, hub_api, alice, live_server, transactional_db
):
    hub.connect_token(alice, ALICE_TOKEN)
    admin = signed_in(alice)
    host = live_server.url.removeprefix("http://")
    response = admin.post("/webhooks/register", {"watched": ["user:alice", "org:acme"]}, HTTP_HOST=host)
    assert response.status_code == 302
    [hook] = hub_api.list_webhooks()
    assert hook.url == f"{live_server.url}/webhooks/hub"
    assert {(w.type, w.name) for w in hook.watched} == {("user", "alice"), ("org", "acme")}
    secret = WebhookSecret.objects.get(retired_at=None)
    assert secret.label == f"Hub webhook {hook.id}"
    # The Hub delivers a change with the secret it was given, and the receiver takes it.
    hub_api.create_repo("acme/watched-here")
    assert [d["status"] for d in hub_world.deliveries(wait=True)] == [201]
    event = Event.objects.get(source="hub")
    assert event.repo_id == "acme/watched-here" and secret.label in event.verified_by
    rows = dict(re.findall(r'<tr data-webhook="(\w+)">(.*?)</tr>', read(admin.get(PAGE, HTTP_HOST=host)), re.S))
    assert "this hubdash" in rows[hook.id] and "<time" in rows[hook.id]
    assert team_events()[0] == "registered a Hub webhook watching alice, acme"


def test_register_offers_only_the_admins_own_namespaces(admin, hub_api):
    page = read(admin.get(PAGE))
    assert re.findall(r'name="watched" value="([^"]+)"', page) == ["user:alice", "org:acme", "org:datalab"]
    response = admin.post("/webhooks/register", {"watched": ["org:someone-else"]})
    assert response.status_code == 400
    assert hub_api.list_webhooks() == [] and not WebhookSecret.objects.exists()


@pytest.mark.parametrize(
    ("fault", "status", "says"),
    [
        ({"status": 500}, 503, "Hub"),
        ({"status": 429, "retry_after": 30}, 429, "30"),
        ({"status": 200, "body": "[{"}, 503, "could not read"),
    ],
)
def test_hub_faults_show_the_error_region_not_a_500(admin, hub_world, hub_api, fault, status, says):
    hub_world.fault(method="GET", path="/api/settings/webhooks", times=1, **fault)
    response = admin.get(PAGE)
    assert response.status_code == 200
    page = read(response)
    assert 'class="hub-error"' in page and says in page
    assert 'id="receiver-url"' in page  # the rest of the page still works
    hub_world.fault(method="POST", path="/api/settings/webhooks", times=1, **fault)
    response = admin.post("/webhooks/register", {"watched": ["org:acme"]})
    assert response.status_code == status
    assert 'class="hub-error"' in read(response)
    assert WebhookSecret.objects.get().retired_at is not None  # the secret made for it is never used
    assert "failed" in team_events()[-1]


def test_without_a_token_the_page_asks_for_one(hub_world, alice):
    page = read(signed_in(alice).get(PAGE))
    assert 'data-kind="no_token"' in page and 'id="receiver-url"' in page


# -- the test event ----------------------------------------------------------------------------------


def test_a_test_event_goes_through_the_receivers_storage_and_shows_the_feed_line(admin):
    WebhookSecret.generate("production")
    response = admin.post("/webhooks/test")
    assert response.status_code == 200
    page = read(response)
    event = Event.objects.get(source="hub")
    assert f'data-event="{event.pk}"' in page and "hubdash/webhook-test" in page and "pushed to main" in page
    assert event.details["test"] is True and "test event" in event.verified_by
    admin.post("/webhooks/test")
    assert Event.objects.filter(source="hub").count() == 2  # each test is its own event, not a retry


def test_without_any_secret_the_test_button_is_disabled_and_says_why(admin, settings):
    settings.WEBHOOK_SECRETS = []
    page = read(admin.get(PAGE))
    assert "Generate a secret above first" in page
    assert 'action="/webhooks/test"' not in page and "disabled" in page
    WebhookSecret.generate("production")
    page = read(admin.get(PAGE))
    assert 'action="/webhooks/test"' in page and "Generate a secret above first" not in page


def test_a_test_event_without_any_secret_says_to_generate_one(admin):
    response = admin.post("/webhooks/test")
    assert response.status_code == 409
    assert "Generate a secret first" in read(response)
    assert not Event.objects.exists()


# -- who may -----------------------------------------------------------------------------------------


def test_only_admins_get_the_page_and_its_changes(hub_world, bob_client, hub_api):
    hook = hub_api.create_webhook(url=HERE, watched=[{"type": "org", "name": "acme"}])
    row, _ = WebhookSecret.generate("production")
    for method, url, data in [
        ("get", PAGE, {}),
        ("post", "/webhooks/secrets/", {"label": "mine"}),
        ("post", f"/webhooks/secrets/{row.pk}/retire", {}),
        ("post", "/webhooks/register", {"watched": ["user:bob"]}),
        ("post", f"/webhooks/{hook.id}/delete", {}),
        ("post", "/webhooks/test", {}),
    ]:
        assert getattr(bob_client, method)(url, data).status_code == 403, url
    assert WebhookSecret.objects.filter(retired_at=None).count() == 1 and hook.id in hooks(hub_api)
    assert "/webhooks/" not in read(bob_client.get("/activity/"))


def test_changes_need_a_post_with_csrf(admin, alice):
    assert admin.get("/webhooks/test").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice, backend="hubdash.hub.auth.ModelBackend")
    assert strict.post("/webhooks/secrets/", {"label": "x"}).status_code == 403
    assert not WebhookSecret.objects.exists()


def test_the_feed_links_admins_to_the_set_up_page(admin):
    assert 'href="/webhooks/"' in read(admin.get("/activity/"))


# -- in a browser ------------------------------------------------------------------------------------


@pytest.fixture
def setup_page(browser: Browser, live_server, alice, hub_world, settings) -> Iterator[Page]:
    hub.connect_token(alice, ALICE_TOKEN)
    client = signed_in(alice)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert problems == []


@pytest.mark.browser
def test_an_admin_sets_up_a_webhook_in_the_browser(setup_page, live_server, hub_api, transactional_db):
    page = setup_page
    page.goto(f"{live_server.url}/activity/")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Label").fill("staging")
    page.get_by_role("button", name="Generate a secret").click()
    expect(page.locator("#new-secret")).to_contain_text("whs_")
    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator(".test-result")).to_contain_text("hubdash/webhook-test")
    page.get_by_role("button", name="Register on the Hub").click()
    expect(page.locator("tr[data-webhook]")).to_contain_text("this hubdash")
    shoot(page, "webhooks")
    page.get_by_role("button", name="Disable").click()
    expect(page.locator("tr[data-webhook]")).to_contain_text("disabled")
    assert [h.disabled for h in hub_api.list_webhooks()] == [True]


@pytest.mark.parametrize(
    "body",
    [
        "[{}]",
        '[{"id": "a1", "watched": [{"type": 1, "name": "acme"}], "domains": ["repo"], "disabled": false}]',
        '[{"id": "a1", "watched": [], "domains": ["repo"], "disabled": "maybe"}]',
        '[{"id": "a1", "watched": "acme", "domains": ["repo"], "disabled": false}]',
    ],
)
def test_a_webhook_list_of_an_unexpected_shape_is_could_not_read(admin, hub_world, body):
    hub_world.fault(method="GET", path="/api/settings/webhooks", times=1, status=200, body=body)
    response = admin.get(PAGE)
    assert response.status_code == 200
    assert "could not read" in read(response) and 'id="receiver-url"' in read(response)


def test_the_webhook_reader_refuses_to_run_outside_translated():
    from hubdash.hub.webhooks import _webhook

    with pytest.raises(RuntimeError, match="inside"):
        _webhook(object())
