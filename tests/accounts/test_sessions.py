"""Sessions are Django's cached database sessions: they live across pages and workers, and end when they
expire, when the person signs out, is deactivated or changes their password."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hubdash import hub
from tests.personas import ALICE_TOKEN, PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.backend]

ROOT = Path(__file__).resolve().parents[2]


def _signed_in_browser(user) -> Client:
    browser = Client()
    assert browser.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return browser


def _session_key(browser: Client) -> str:
    return browser.cookies[settings.SESSION_COOKIE_NAME].value


def _asks_to_sign_in(browser: Client) -> bool:
    response = browser.get(reverse("profile"))
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_signed_in_browser_stays_signed_in_across_pages(alice):
    browser = _signed_in_browser(alice)
    for path in (reverse("profile"), reverse("team"), reverse("profile")):
        assert browser.get(path).status_code == 200


@pytest.mark.parametrize("person", ["alice", "charlie"])  # with a Hub token, and without one
def test_a_signed_in_page_reads_the_session_from_the_cache_and_the_person_with_their_token_at_once(
    hub_world, request, person
):
    user = request.getfixturevalue(person)
    if person == "alice":
        hub.connect_token(user, ALICE_TOKEN)
    browser = _signed_in_browser(user)
    assert browser.get(reverse("profile")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(reverse("profile")).status_code == 200
    assert [query["sql"].split(" FROM ")[1].split()[0] for query in queries.captured_queries] == ['"auth_user"']


def test_a_session_outlives_its_copy_in_the_cache(alice):
    browser = _signed_in_browser(alice)
    cache.clear()  # culled, or Redis restarted: the database still has it
    assert browser.get(reverse("profile")).status_code == 200


def _expire(key: str) -> None:
    """What the end of a session's lifetime leaves: its row past its expiry date, and no copy in the cache
    (the copy is kept exactly as long as the session lasts)."""
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.delete(SessionStore(key).cache_key)


def test_an_expired_session_leads_to_sign_in(alice):
    browser = _signed_in_browser(alice)
    _expire(_session_key(browser))
    assert _asks_to_sign_in(browser)


def test_a_made_up_or_ended_session_cookie_leads_to_sign_in(alice):
    for cookie in ("x" * 32, "short", ""):
        browser = Client()
        browser.cookies[settings.SESSION_COOKIE_NAME] = cookie
        assert _asks_to_sign_in(browser)
    ended = _signed_in_browser(alice)
    assert ended.post(reverse("logout")).status_code == 302
    assert _asks_to_sign_in(ended)


def test_signing_in_again_after_an_expired_session_works(alice):
    browser = _signed_in_browser(alice)
    _expire(_session_key(browser))
    assert _asks_to_sign_in(browser)
    again = browser.post(reverse("login"), {"username": alice.username, "password": PASSWORD})
    assert again.status_code == 302
    assert browser.get(reverse("profile")).status_code == 200


def test_deactivation_signs_the_person_out_everywhere_even_once_reactivated(alice_client, bob):
    laptop, phone = _signed_in_browser(bob), _signed_in_browser(bob)
    assert laptop.get(reverse("profile")).status_code == 200 and phone.get(reverse("profile")).status_code == 200
    assert alice_client.post(reverse("team-active", args=[bob.pk]), {}).status_code == 302
    # Reactivated at once: a copy of the old sessions left in the cache would sign them back in.
    assert alice_client.post(reverse("team-active", args=[bob.pk]), {"active": "on"}).status_code == 302
    assert _asks_to_sign_in(laptop) and _asks_to_sign_in(phone)
    assert alice_client.get(reverse("profile")).status_code == 200  # the admin who did it stays signed in


def _another_worker(code: str) -> None:
    """Run Django code in a process of its own, as another gunicorn worker would, on the suite's database
    and cache (the cache settings come from the same environment)."""
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        host, port = config["HOST"] or "127.0.0.1", config["PORT"] or 5432
        url = f"postgres://{config['USER'] or ''}:{config['PASSWORD'] or ''}@{host}:{port}/{config['NAME']}"
    else:
        url = f"sqlite:///{config['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hubdash.settings"}
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True)


@pytest.mark.django_db(transaction=True)
def test_signing_out_in_one_worker_signs_out_in_every_worker(alice):
    browser = _signed_in_browser(alice)
    assert browser.get(reverse("profile")).status_code == 200  # this worker has read the session
    key = _session_key(browser)
    _another_worker(
        "from django.test import Client; browser = Client(HTTP_HOST='localhost'); "
        f"browser.cookies[{settings.SESSION_COOKIE_NAME!r}] = {key!r}; "
        "assert browser.get('/account/').status_code == 200; "
        "assert browser.post('/accounts/logout/').status_code == 302"
    )
    assert _asks_to_sign_in(browser)
