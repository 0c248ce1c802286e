"""Generated bodies and headers at the receiver: never a 5xx, and a row only for an accepted event."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.http import HttpRequest
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubdash.activity.models import Event
from hubdash.activity.receiver import hub_webhook
from tests.activity.conftest import NEW_SECRET, OLD_SECRET, v3

pytestmark = pytest.mark.django_db

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=20)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=5,
)  # fmt: skip
names = st.sampled_from(["acme/bert", "user/model_id", "a", "a/b/c", "", "a--b", "x" * 97, "ns/ok.name_1", "/x"])
scopes = st.sampled_from(["repo", "repo.content", "repo.config", "discussion", "discussion.comment", "repo.x", "z"])
actions = st.sampled_from(["create", "update", "delete", "move", "frob", ""])
FIELDS = ["event", "repo", "updatedRefs", "updatedConfig", "movedTo", "discussion", "comment", "webhook"]
REPO_FIELDS = ["type", "name", "private", "headSha"]


@st.composite
def v3_like(draw: st.DrawFn) -> Any:
    """A v3 payload of any scope and action, one of its fields (or its repo's) swapped for anything at all."""
    payload: dict[str, Any] = v3(draw(scopes), draw(actions), repo=draw(names))
    where = draw(st.sampled_from([*FIELDS, *(f"repo.{f}" for f in REPO_FIELDS), "refs", "discussion-fields"]))
    if where.startswith("repo."):
        payload["repo"][where[5:]] = draw(json_values)
    elif where == "refs":
        payload["updatedRefs"] = [{"ref": draw(st.text(max_size=20)), "oldSha": draw(scalars), "newSha": draw(scalars)}]
    elif where == "discussion-fields":
        payload["discussion"] = {"num": draw(scalars), "title": draw(scalars), "isPullRequest": draw(scalars)}
    else:
        payload[where] = draw(json_values)
    return payload


legacy_like = st.dictionaries(
    st.sampled_from(["add", "update", "remove", "other"]), json_values | names, min_size=1, max_size=2
)
bodies = st.one_of(
    st.binary(max_size=100),
    json_values.map(lambda v: json.dumps(v).encode()),
    legacy_like.map(lambda v: json.dumps(v).encode()),
    v3_like().map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)
# Mostly a right secret and content type, so that most bodies reach the parser.
secrets_offered = st.one_of(
    st.just(NEW_SECRET),
    st.just(OLD_SECRET),
    st.sampled_from([None, "", "wrong", NEW_SECRET[:-1]]),
    st.text(max_size=20),
)
content_types = st.one_of(
    st.just("application/json"),
    st.sampled_from(["application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", ""]),
    st.text(max_size=30),
)
lengths = st.sampled_from([None, None, None, "", "abc", "-1", "99999999"])
deliveries = st.tuples(bodies, secrets_offered, content_types, lengths)
PER_EXAMPLE = 10  # deliveries per example: hypothesis's own cost per example is most of the run's time
# At a desk each run draws new examples, 10,000 deliveries' worth; CI's profile draws the same ones every run
# (tests/conftest.py), where a quarter of them checks as much from the second run on, in a quarter of the time.
EXAMPLES = 250 if settings.default.derandomize else 1_000
sent = [0]


def _request(body: bytes, secret: str | None, content_type: str, length: str | None) -> HttpRequest:
    headers: dict[str, str] = {}
    if secret is not None:
        headers["HTTP_X_WEBHOOK_SECRET"] = secret.encode("utf-8", "surrogatepass").decode("latin-1")
    content_type = content_type.encode("utf-8", "surrogatepass").decode("latin-1")
    request = RequestFactory().post("/webhooks/hub", body, content_type=content_type, **headers)
    if length is not None:
        request.META["CONTENT_LENGTH"] = length
    return request


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(deliveries, min_size=PER_EXAMPLE, max_size=PER_EXAMPLE))
def check_deliveries(batch: list[tuple[bytes, str | None, str, str | None]]) -> None:
    for delivery in batch:
        before = Event.objects.count()
        response = hub_webhook(_request(*delivery))
        assert response.status_code < 500, response.content
        assert json.loads(response.content)
        assert Event.objects.count() == before + (1 if response.status_code == 201 else 0)
        sent[0] += 1


@pytest.mark.long
def test_any_delivery_gets_a_4xx_or_2xx_and_rows_only_when_accepted(secrets):
    sent[0] = 0
    check_deliveries()
    assert sent[0] >= EXAMPLES * PER_EXAMPLE  # at least 10,000 generated deliveries per run (CI: 2,500)
    assert Event.objects.filter(source="hub").exists() and Event.objects.filter(source="legacy").exists()
