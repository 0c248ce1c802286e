"""Sign-in throttling that nobody can turn against the team: real addresses behind a proxy, a limit per
address whatever the username, password re-checks counted like sign-ins, bounded input.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.personas import ALICE_TOKEN, PASSWORD, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("real_password_hashing"), pytest.mark.backend]

PROXY = "10.0.0.2"  # what gunicorn puts in REMOTE_ADDR when nginx forwards a request
ATTACKER = "203.0.113.7"
COLLEAGUE = "198.51.100.9"


def from_address(remote_addr: str, forwarded_for: str | None = None) -> Client:
    """A browser whose requests reach hubdash from `remote_addr`, with what the proxy chain forwarded."""
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client(**extra)


def sign_in(client: Client, username: str, password: str) -> int:
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.FORWARDED_ALLOW_IPS = ["127.0.0.1", "10.0.0.0/24"]


def test_behind_a_proxy_an_attacker_locks_alice_out_only_from_his_own_address(alice, behind_proxy, settings):
    attacker = from_address(PROXY, ATTACKER)
    statuses = [sign_in(attacker, "alice", "guess") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429 and sign_in(attacker, "alice", PASSWORD) == 429
    # Alice, through the same proxy from her own address, signs in.
    assert sign_in(from_address(PROXY, COLLEAGUE), "alice", PASSWORD) == 302


def test_a_forged_forwarded_address_does_not_escape_the_lock(alice, behind_proxy, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(from_address(PROXY, ATTACKER), "alice", "guess")
    # The attacker claims to be the colleague; the proxy appends where the request really came from.
    forged = from_address(PROXY, f"{COLLEAGUE}, {ATTACKER}")
    assert sign_in(forged, "alice", PASSWORD) == 429
    # A chain of trusted proxies is walked from the right to the first address that is not ours.
    via_two_proxies = from_address(PROXY, f"{COLLEAGUE}, {ATTACKER}, 10.0.0.3")
    assert sign_in(via_two_proxies, "alice", PASSWORD) == 429


def test_forwarded_addresses_are_ignored_unless_behind_a_trusted_proxy(alice, settings):
    # Not behind a proxy (the default): the header is whatever the client wrote.
    for n in range(settings.AXES_FAILURE_LIMIT):
        sign_in(from_address(ATTACKER, f"192.0.2.{n}"), "alice", "guess")
    assert sign_in(from_address(ATTACKER, COLLEAGUE), "alice", PASSWORD) == 429
    assert sign_in(from_address(COLLEAGUE), "alice", PASSWORD) == 302
    # Behind a proxy, but this connection does not come from it: the header is ignored too.
    settings.BEHIND_PROXY = True
    settings.FORWARDED_ALLOW_IPS = [PROXY]
    assert sign_in(from_address(ATTACKER, COLLEAGUE), "alice", PASSWORD) == 429


def test_one_address_trying_many_usernames_is_paused(alice, bob, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8  # 50 by default; fewer keeps the test short
    attacker = from_address(ATTACKER)
    statuses = [sign_in(attacker, f"user{n}", "guess") for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT)]
    assert statuses[:-1] == [200] * (settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1) and statuses[-1] == 429
    locked = attacker.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert locked.status_code == 429 and b"Too many failed sign-ins" in locked.content
    # Everyone else signs in as usual.
    assert sign_in(from_address(COLLEAGUE), "bob", PASSWORD) == 302


def test_the_address_limit_defaults_to_fifty():
    from django.conf import settings

    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50


def test_colleagues_typos_do_not_lock_out_their_shared_address(alice, bob, charlie, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    office = from_address(COLLEAGUE)
    for person in ("alice", "bob", "charlie", "alice", "bob"):
        assert [sign_in(office, person, "typo") for _ in range(2)] == [200, 200]
        assert sign_in(Client(REMOTE_ADDR=COLLEAGUE), person, PASSWORD) == 302  # clears that person's typos


def test_over_long_sign_in_input_gets_a_message_not_a_500(alice):
    client = Client(raise_request_exception=False)
    long_name = client.post(reverse("login"), {"username": "a" * 300, "password": "guess"})
    assert long_name.status_code == 200 and b"at most 150 characters" in long_name.content
    long_password = client.post(reverse("login"), {"username": "alice", "password": "p" * 5000})
    assert long_password.status_code == 200 and b"at most 1024 characters" in long_password.content
    # The admin site's own sign-in form does not bound the username; the throttle does before storing it.
    admin = client.post("/admin/login/", {"username": "a" * 300, "password": "guess"})
    assert admin.status_code == 200


def test_password_rechecks_are_throttled_like_sign_in(hub_world, alice, settings):
    alice_client = signed_in(alice)
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    statuses = [
        alice_client.post(reverse("token-remove"), {"password": "guess"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1) and statuses[-1] == 429
    # While paused, even her right password does not replace or remove the token...
    replace = alice_client.post(reverse("token"), {"token": ALICE_TOKEN, "password": PASSWORD})
    assert replace.status_code == 429 and b"Too many failed sign-ins" in replace.content
    assert "no-store" in replace["Cache-Control"] and b"Back to your profile" in replace.content
    assert alice_client.post(reverse("token-remove"), {"password": PASSWORD}).status_code == 429
    assert b"Replace token" in alice_client.get(reverse("token")).content  # still connected
    # ...and the same lock holds for signing in from her address.
    assert sign_in(Client(), "alice", PASSWORD) == 429


def test_a_right_password_recheck_clears_earlier_typos_like_a_sign_in(hub_world, alice, settings):
    alice_client = signed_in(alice)
    alice_client.post(reverse("token"), {"token": ALICE_TOKEN})
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert alice_client.post(reverse("token-remove"), {"password": "typo"}).status_code == 400
    assert alice_client.post(reverse("token-remove"), {"password": PASSWORD}).status_code == 302
    # Her earlier typos are forgiven: one more at sign-in does not lock her out.
    assert sign_in(Client(), "alice", "typo") == 200 and sign_in(Client(), "alice", PASSWORD) == 302


def test_the_pause_page_says_how_long_the_pause_lasts(alice, settings):
    from datetime import timedelta

    settings.AXES_COOLOFF_TIME = timedelta(minutes=20)
    browser = from_address("198.51.100.20")
    statuses = [sign_in(browser, "alice", "guess") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429
    page = browser.post(reverse("login"), {"username": "alice", "password": PASSWORD}).content.decode()
    assert 'paused for <strong id="paused-for">20 minutes</strong> after the last failed attempt' in page
