"""Numbers out of the database's range in a form or a URL are refused with a clear message, never a 500."""

from __future__ import annotations

import pytest

from tests.access.bulk_world import World, requester, world_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.backend]

HUGE = "9999999999999999999999999"


def test_a_bulk_selection_with_an_id_beyond_the_database_range_is_not_understood_and_keeps_the_filter(world: World):
    response = world.alice.post("/access/bulk/", {"status": "accepted", "request": HUGE, "query": "status=pending"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "The selection was not understood" in text
    assert "/access/?status=pending" in text


@pytest.mark.parametrize(
    "method,url,data",
    [
        ("get", f"/access/bulk/{HUGE}/", {}),
        ("post", f"/access/bulk/{HUGE}/start/", {}),
        ("post", f"/access/bulk/{HUGE}/resume/", {}),
        ("post", f"/access/request/{HUGE}/", {"status": "accepted"}),
        ("post", f"/access/reasons/{HUGE}/delete/", {}),
        ("get", f"/access/rules/acme/{HUGE}/", {}),
        ("post", f"/access/rules/acme/{HUGE}/move/", {"direction": "up"}),
        ("post", f"/access/rules/acme/{HUGE}/enabled/", {"enabled": "on"}),
        ("post", f"/access/rules/acme/{HUGE}/delete/", {}),
        ("post", "/access/rules/acme/save/", {"rule_id": HUGE, "name": "x"}),
        ("post", "/access/rules/acme/dry-run/", {"rule_id": HUGE, "name": "x", "repo": HUGE}),
        ("get", f"/access/?page={HUGE}", {}),
        ("get", f"/access/?page=-{HUGE}", {}),
        ("get", f"/usage/?days={HUGE}", {}),
        ("get", f"/usage/?days=-{HUGE}", {}),
    ],
)
def test_out_of_range_numbers_in_access_and_usage_urls_are_never_a_server_error(world: World, method, url, data):
    world.file("acme/gated-a", requester("someone"))
    world.refresh()
    response = getattr(world.alice, method)(url, data)
    assert response.status_code < 500, response.content.decode()[:3000]
