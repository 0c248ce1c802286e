"""Property-based: whatever a client sends, hubsim answers with the Hub's errors, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=12,
)
# Each endpoint: a body valid enough to pass the first checks, and the fields to fuzz over it, so
# that the deeper branches are reached too.
ENDPOINTS = {
    ("POST", "/api/repos/create"): (
        {"name": "fuzz-new"},
        ["name", "organization", "type", "private", "visibility", "sdk", "files"],
    ),
    ("DELETE", "/api/repos/delete"): ({"name": "missing"}, ["name", "organization", "type"]),
    ("POST", "/api/repos/move"): ({"fromRepo": "alice/fuzz", "toRepo": "alice/fuzz"}, ["toRepo", "type"]),
    ("PUT", "/api/models/alice/fuzz/settings"): ({}, ["private", "visibility", "gated", "discussionsDisabled"]),
    ("POST", "/api/models/alice/fuzz/preupload/main"): ({"files": []}, ["files", "gitIgnore"]),
    ("POST", "/api/models/alice/fuzz/paths-info/main"): ({"paths": []}, ["paths", "expand"]),
    ("POST", "/alice/fuzz.git/info/lfs/objects/batch"): (
        {"operation": "upload", "objects": []},
        ["operation", "objects", "ref", "transfers"],
    ),
    ("POST", "/api/settings/webhooks"): (
        {"url": "http://127.0.0.1:9/x", "watched": [{"type": "user", "name": "alice"}]},
        ["url", "watched", "domains", "secret"],
    ),
    ("POST", "/api/validate-yaml"): ({"content": "---\na: 1\n---\n"}, ["content", "repoType"]),
    ("POST", "/api/models/alice/fuzz-gated/user-access-request/handle"): (
        {"status": "accepted", "user": "zed"},
        ["status", "user", "userId", "requestId", "rejectionReason"],
    ),
    ("POST", "/api/models/alice/fuzz-gated/user-access-request/batch"): (
        {"status": "rejected", "requests": [{"user": "zed"}]},
        ["status", "requests", "rejectionReason"],
    ),
    ("POST", "/api/models/alice/fuzz-gated/user-access-request/grant"): ({"user": "zed"}, ["user", "userId"]),
    ("POST", "/api/models/alice/fuzz-talk/discussions"): (
        {"title": "Fuzzing", "description": "x"},
        ["title", "description", "pullRequest"],
    ),
    ("POST", "/api/models/alice/fuzz-talk/discussions/1/comment"): ({"comment": "hi"}, ["comment"]),
    ("POST", "/api/models/alice/fuzz-talk/discussions/1/status"): ({"status": "closed"}, ["status", "comment"]),
    ("POST", "/api/models/alice/fuzz-talk/discussions/1/title"): ({"title": "Renamed"}, ["title"]),
    ("POST", "/api/models/alice/fuzz-talk/discussions/1/merge"): ({}, ["comment"]),
}


def bodies_for(base: dict, fields: list[str]) -> st.SearchStrategy:
    nested = st.lists(
        st.dictionaries(
            st.sampled_from(["path", "content", "encoding", "oid", "size", "type", "name", "sample"]),
            json_values,
            max_size=4,
        ),
        max_size=3,
    )
    fuzzed = st.dictionaries(st.sampled_from(fields), json_values | nested, min_size=1, max_size=3)
    return st.builds(lambda extra: {**base, **extra}, fuzzed) | json_values


# Built once: a strategy built inside the test is validated again for every example (a quarter of the time).
BODIES = {endpoint: bodies_for(*spec) for endpoint, spec in ENDPOINTS.items()}


@pytest.fixture(scope="module")
def fuzz_hub(hubsim_server):
    hubsim_server.reset()
    hubsim_server.control("POST", "ratelimit", {})  # hundreds of examples: the fuzzing, not a 429, answers each
    hubsim_server.add_user("alice", tokens={"hf_alice_write": "write"})
    hubsim_server.add_repo("alice/fuzz")
    hubsim_server.add_repo("alice/fuzz-gated", gated="manual")
    hubsim_server.add_repo("alice/fuzz-talk")  # its settings are not fuzzed: discussions stay on
    hubsim_server.discussion("alice/fuzz-talk", "zed", "Fuzz target", files={"a.txt": "a"})
    hubsim_server.control("POST", "access/requests", {"id": "alice/fuzz-gated", "user": "zed"})
    return hubsim_server


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    """One keep-alive connection for a module's hundreds of examples, as the official client keeps its own."""
    with requests.Session() as session:
        yield session


@pytest.mark.parametrize("method,path", list(ENDPOINTS))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_json_bodies_never_cause_a_server_error(fuzz_hub, http, method, path, data):
    body = data.draw(BODIES[(method, path)])
    answer = http.request(
        method,
        fuzz_hub.url + path,
        data=json.dumps(body),
        headers={"Authorization": "Bearer hf_alice_write", "Content-Type": "application/json"},
    )
    assert answer.status_code < 500, (method, path, body, answer.text)
    if answer.status_code >= 400:
        assert "error" in answer.json() or "errors" in answer.json()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(st.binary(max_size=80) | json_values.map(lambda v: json.dumps(v).encode()), max_size=5))
def test_ndjson_commits_never_cause_a_server_error(fuzz_hub, http, lines):
    answer = http.post(
        f"{fuzz_hub.url}/api/models/alice/fuzz/commit/main",
        data=b"\n".join(lines),
        headers={"Authorization": "Bearer hf_alice_write", "Content-Type": "application/x-ndjson"},
    )
    assert answer.status_code < 500, (lines, answer.text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    query=st.dictionaries(
        st.sampled_from(
            ["search", "author", "filter", "sort", "limit", "cursor", "expand", "full", "config", "direction", "gated"]
        ),
        st.text(max_size=20),
    )
)
def test_list_queries_never_cause_a_server_error(fuzz_hub, http, query):
    answer = http.get(f"{fuzz_hub.url}/api/models", params=query)
    assert answer.status_code < 500, (query, answer.text)
