"""Connecting, replacing and removing Hub tokens; encryption at rest; key rotation; the sentinel."""

from __future__ import annotations

import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from hubdash.env import new_token_key_spec
from hubdash.hub.models import HubToken
from tests.personas import ALICE_TOKEN, BOB_TOKEN, FINE_TOKEN, PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.backend]


def connect(client, token, password=None):
    data = {"token": token}
    if password is not None:
        data["password"] = password
    return client.post(reverse("token"), data)


def test_connecting_a_write_token_shows_who_you_are(hub_world, alice_client, alice):
    response = connect(alice_client, ALICE_TOKEN)
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    row = HubToken.objects.get(user=alice)
    assert (row.role, row.hub_username, row.last4, row.rejected_at) == ("write", "alice", ALICE_TOKEN[-4:], None)
    page = alice_client.get(reverse("profile")).content.decode()
    assert "Alice Martin" in page and "@alice" in page
    assert "acme" in page and "admin" in page and "datalab" in page
    assert f"hf_…{ALICE_TOKEN[-4:]}" in page


def test_read_only_and_fine_grained_tokens_show_their_role_and_scopes(hub_world, bob_client, alice_client):
    connect(bob_client, BOB_TOKEN)
    assert "Read" in bob_client.get(reverse("profile")).content.decode()
    connect(alice_client, FINE_TOKEN)
    page = alice_client.get(reverse("profile")).content.decode()
    # In the words people use, not the Hub's identifiers.
    assert "Fine-grained" in page and "acme-ci" in page and "fineGrained" not in page
    assert "Read access to repos in acme" in page and "Write access to repos in acme" in page


def test_a_token_the_hub_rejects_is_refused_with_the_hubs_reason(hub_world, alice_client, alice):
    response = connect(alice_client, "hf_not_a_real_token_123456")
    assert response.status_code == 400
    assert "Invalid credentials in Authorization header" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()


def test_garbage_input_gets_a_clear_message(hub_world, alice_client):
    for value in ("", "   ", "hf_with space", "x" * 300):
        response = connect(alice_client, value)
        assert response.status_code == 400
    assert not hub_world.requests()  # nothing that is not a token is sent to the Hub


def test_hub_unreachable_keeps_nothing_and_says_so(hub_world, alice_client, alice):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=503)
    response = connect(alice_client, ALICE_TOKEN)
    assert response.status_code == 503 and "trouble" in response.content.decode()
    hub_world.control("DELETE", "faults")
    hub_world.fault(method="GET", path="/api/whoami-v2", reset=True)
    response = connect(alice_client, ALICE_TOKEN)
    assert response.status_code == 503 and "broke off" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()


def test_hub_timeout_is_bounded(hub_world, alice_client, settings):
    from hubdash.hub import transport

    settings.HUB_READ_TIMEOUT = 0.5
    transport.install()  # pick up the shorter timeout
    try:
        hub_world.fault(method="GET", path="/api/whoami-v2", hang=True)
        response = connect(alice_client, ALICE_TOKEN)
        assert response.status_code == 503
    finally:
        settings.HUB_READ_TIMEOUT = 10
        transport.install()


def test_replacing_a_token_asks_for_the_password(hub_world, alice_client, alice):
    connect(alice_client, ALICE_TOKEN)
    refused = connect(alice_client, FINE_TOKEN, password="wrong password")
    assert refused.status_code == 400 and "not your password" in refused.content.decode()
    assert HubToken.objects.get(user=alice).role == "write"
    assert connect(alice_client, FINE_TOKEN).status_code == 400  # no password at all
    accepted = connect(alice_client, FINE_TOKEN, password=PASSWORD)
    assert accepted.status_code == 302 and HubToken.objects.get(user=alice).role == "fineGrained"


def test_removing_a_token_asks_for_the_password(hub_world, alice_client, alice):
    connect(alice_client, ALICE_TOKEN)
    refused = alice_client.post(reverse("token-remove"), {"password": "nope"})
    assert refused.status_code == 400 and HubToken.objects.filter(user=alice).exists()
    alice_client.post(reverse("token-remove"), {"password": PASSWORD})
    assert not HubToken.objects.filter(user=alice).exists()
    assert "not connected a Hub token" in alice_client.get(reverse("profile")).content.decode()


def test_tokens_are_encrypted_and_bound_to_their_owner(hub_world, alice_client, bob_client, alice, bob):
    connect(alice_client, ALICE_TOKEN)
    connect(bob_client, BOB_TOKEN)
    alice_row, bob_row = HubToken.objects.get(user=alice), HubToken.objects.get(user=bob)
    assert ALICE_TOKEN.encode() not in bytes(alice_row.ciphertext)
    # Alice's ciphertext pasted onto Bob's row does not decrypt as Bob's token.
    bob_row.ciphertext, bob_row.key_id = alice_row.ciphertext, alice_row.key_id
    bob_row.save()
    page = bob_client.get(reverse("profile")).content.decode()
    assert "can no longer decrypt" in page and "Reconnect" in page


def test_key_rotation_keeps_tokens_working_and_a_removed_key_fails_clearly(hub_world, alice_client, alice, settings):
    key_a = settings.HUBDASH_TOKEN_KEYS[0]
    connect(alice_client, ALICE_TOKEN)
    assert HubToken.objects.get(user=alice).key_id == key_a.split(":")[0]
    key_b = new_token_key_spec()
    settings.HUBDASH_TOKEN_KEYS = [key_b, key_a]
    assert "Alice Martin" in alice_client.get(reverse("profile")).content.decode()  # still readable under A
    call_command("rotate_token_keys")
    assert HubToken.objects.get(user=alice).key_id == key_b.split(":")[0]
    settings.HUBDASH_TOKEN_KEYS = [key_b]
    from django.core.cache import cache

    cache.clear()
    assert "Alice Martin" in alice_client.get(reverse("profile")).content.decode()


def test_rotation_without_the_old_key_is_an_error_and_changes_nothing(hub_world, alice_client, alice, settings):
    connect(alice_client, ALICE_TOKEN)
    before = bytes(HubToken.objects.get(user=alice).ciphertext)
    settings.HUBDASH_TOKEN_KEYS = [new_token_key_spec()]
    with pytest.raises(CommandError, match="no longer configured"):
        call_command("rotate_token_keys")
    assert bytes(HubToken.objects.get(user=alice).ciphertext) == before
    page = alice_client.get(reverse("profile")).content.decode()
    assert "can no longer decrypt" in page


def test_malformed_token_keys_are_a_clear_error(settings):
    from hubdash.hub.vault import TokenKeyError, parse_keys

    for spec in (["nokey"], ["k1:" + "A" * 10], ["k1:%%%"]):
        with pytest.raises(TokenKeyError):
            parse_keys(spec)


def test_sentinel_token_never_leaks(hub_world, alice_client, alice, caplog):
    """The token is never in a body, header, redirect, log record, or the database outside its ciphertext."""
    caplog.set_level(logging.DEBUG)
    responses = [connect(alice_client, ALICE_TOKEN)]
    for name in ("profile", "token", "team", "home"):
        responses.append(alice_client.get(reverse(name)))
    responses.append(alice_client.post(reverse("profile-refresh"), headers={"HX-Request": "true"}))
    responses.append(alice_client.post(reverse("profile-refresh")))
    responses.append(connect(alice_client, ALICE_TOKEN, password="wrong"))
    responses.append(connect(alice_client, "hf_bad_SENTINEL_token_0000"))
    secret_parts = (ALICE_TOKEN, ALICE_TOKEN[3:-4])
    for response in responses:
        blob = response.content.decode() + repr(dict(response.headers)) + response.get("Location", "")
        assert not any(part in blob for part in secret_parts), response
    for record in caplog.records:
        assert ALICE_TOKEN not in record.getMessage()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # our own table names
            for row in cursor.fetchall():
                assert ALICE_TOKEN not in repr(row), table
    # hubsim saw it only as the Authorization of whoami: its log names the user, not the token.
    assert all(ALICE_TOKEN not in repr(r) for r in hub_world.requests())


def test_token_page_is_not_cached(hub_world, alice_client):
    response = alice_client.get(reverse("token"))
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_token_whose_key_is_gone_can_still_be_replaced_and_removed(hub_world, alice_client, alice, settings):
    connect(alice_client, ALICE_TOKEN)
    settings.HUBDASH_TOKEN_KEYS = [new_token_key_spec()]  # the old key is lost
    replaced = connect(alice_client, FINE_TOKEN, password=PASSWORD)
    assert replaced.status_code == 302 and HubToken.objects.get(user=alice).role == "fineGrained"
    assert "acme-ci" in alice_client.get(reverse("profile")).content.decode()
    settings.HUBDASH_TOKEN_KEYS = [new_token_key_spec()]  # lost again
    alice_client.post(reverse("token-remove"), {"password": PASSWORD})
    assert not HubToken.objects.filter(user=alice).exists()


def test_rate_limited_hub_says_when_to_retry_and_stores_nothing(hub_world, alice_client, alice):
    hub_world.fault(method="GET", path="/api/whoami-v2", status=429, retry_after=30)
    response = connect(alice_client, ALICE_TOKEN)
    assert response.status_code == 429 and "30 s" in response.content.decode()
    assert not HubToken.objects.filter(user=alice).exists()


def test_the_hub_client_acts_with_the_persons_own_token_only(hub_world, alice_client, alice, charlie, monkeypatch):
    from hubdash import hub

    monkeypatch.setenv("HF_TOKEN", ALICE_TOKEN)  # a token in the server's environment must never be used
    connect(alice_client, ALICE_TOKEN)
    hub_world.control("DELETE", "requests")
    with pytest.raises(hub.NoToken):
        hub.client_for(charlie).whoami()
    assert hub_world.requests() == []
    assert hub.client_for(alice).whoami().name == "alice"
    assert [r["user"] for r in hub_world.requests()] == ["alice"]
