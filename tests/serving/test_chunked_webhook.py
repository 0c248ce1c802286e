"""A webhook whose body comes chunked (Transfer-Encoding: chunked, no Content-Length), posted straight to
gunicorn as hubdash configures it: the event is read and stored, and the size limit still holds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.serving.stack import Served, serving

pytestmark = pytest.mark.serving

SECRET = "whsec-chunked-0123456789"
SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "samples"
    / "hub"
    / "webhook_v3__discussion_create__docs_openai-community_gpt2.json"
)


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[Served]:
    with serving(behind_nginx=False, HUBDASH_WEBHOOK_SECRETS=SECRET, HUBDASH_WORKERS="1") as served:
        yield served


def in_chunks(body: bytes, size: int) -> Iterator[bytes]:
    """A generator body: requests sends it with Transfer-Encoding: chunked."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def deliver_chunked(served: Served, body: bytes) -> requests.Response:
    headers = {"X-Webhook-Secret": SECRET, "Content-Type": "application/json"}
    response = requests.post(served.url + "/webhooks/hub", data=in_chunks(body, 1000), headers=headers, timeout=30)
    assert "Content-Length" not in response.request.headers
    assert response.request.headers["Transfer-Encoding"] == "chunked"
    return response


def test_a_chunked_delivery_is_read_and_stored(gunicorn: Served) -> None:
    answer = deliver_chunked(gunicorn, SAMPLE.read_bytes())
    assert answer.status_code == 201, answer.text
    assert answer.json()["stored"] is True


def test_a_chunked_body_over_the_limit_is_still_refused(gunicorn: Served) -> None:
    padding = b" " * (1024 * 1024)  # valid JSON whitespace: only the size is wrong
    answer = deliver_chunked(gunicorn, SAMPLE.read_bytes() + padding)
    assert answer.status_code == 413
    assert "over 1024 kB" in answer.json()["error"]
