"""Arbitrary JSON fed to every parser of a Hub answer: a typed object comes out, or "could not read".

Whatever the Hub sends (`{}`, `[]`, `null`, wrong types, missing names, fields of the right name holding
anything), reading it inside `translated()` ends in a well-typed result or hubdash's own error, never
another exception (which would be a 500).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubdash.hub import errors, parse
from hubdash.hub.client import translated
from hubdash.hub.repo_types import RepoRefs, TagVocabulary

# The field names each parser reads, so that generated objects get past the first check.
WHOAMI_KEYS = "name fullname avatarUrl email isPro orgs auth roleInOrg entity type permissions global".split()
REPO_KEYS = """id modelId cardData config sdk private gated disabled downloads likes trendingScore createdAt
lastModified pipeline_tag library_name tags sha siblings safetensors runtime license language title
usedStorage datasets models spaces""".split()
OTHER_KEYS = "rfilename parameters total hardware stage current ref path size lfs title message date".split()
KEYS = WHOAMI_KEYS + REPO_KEYS + OTHER_KEYS
# Values that real answers hold, so that generated objects also get past the second check.
PLAUSIBLE = ["acme/bert", "alice", "2024-05-01T10:00:00.000Z", "2024-05-01", "directory", "file", "admin",
             "write", "/avatars/a.png", "https://cdn/a.png", "license:mit", "language:en", "dataset:squad"]  # fmt: skip

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from(PLAUSIBLE)
    | st.sampled_from(KEYS)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


def shaped(required: dict[str, st.SearchStrategy[Any]], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """An object with the fields a parser needs (usually of the right kind) and some others it reads."""
    optional = {key: st.sampled_from(PLAUSIBLE) | json_values for key in keys if key not in required}
    return st.fixed_dictionaries({key: strategy | json_values for key, strategy in required.items()}, optional=optional)


text = st.sampled_from(PLAUSIBLE) | st.text(max_size=8)
repo = shaped({"id": st.sampled_from(["acme/bert", "gpt2", "a/b-c.d"])}, REPO_KEYS)
ref = shaped({"name": text, "targetCommit": text}, ["ref"])
SHAPED: dict[str, st.SearchStrategy[Any]] = {
    "whoami": shaped(
        {
            "name": text,
            "orgs": st.lists(shaped({"name": text}, ["fullname", "roleInOrg", "avatarUrl"]), max_size=2),
            "auth": st.fixed_dictionaries(
                {
                    "accessToken": shaped(
                        {"fineGrained": shaped({"scoped": st.lists(shaped({}, WHOAMI_KEYS[-3:]), max_size=2)}, [])},
                        ["role", "displayName"],
                    )
                }
            ),
        },
        WHOAMI_KEYS,
    ),
    "listing": st.lists(repo, max_size=3),
    "model info": repo,
    "dataset info": repo,
    "space info": repo,
    "refs": st.fixed_dictionaries({}, optional={k: st.lists(ref, max_size=2) for k in ("branches", "tags")}),
    "tree": st.lists(
        shaped({"type": st.sampled_from(["file", "directory"]), "path": text}, ["size", "lfs"]), max_size=3
    ),
    "commits": st.lists(
        shaped({"id": text, "authors": st.lists(shaped({"user": text}, []), max_size=2)}, ["title", "date"]),
        max_size=3,
    ),
    "tag vocabulary": st.dictionaries(text, st.lists(shaped({"id": text}, ["label"]), max_size=2), max_size=2),
    "metrics": st.lists(shaped({"id": text}, ["spaceId", "description"]), max_size=2),
}
# Built once: a strategy built inside the test is validated again for every example.
ANSWERS = {name: json_values | shaped_answer for name, shaped_answer in SHAPED.items()}
PARSERS: dict[str, Callable[[object], object]] = {
    "whoami": parse.identity,
    "listing": lambda data: parse.listing("model", data),
    "model info": lambda data: parse.detail("model", data),
    "dataset info": lambda data: parse.detail("dataset", data),
    "space info": lambda data: parse.detail("space", data),
    "refs": parse.refs,
    "tree": parse.tree_entries,
    "commits": parse.commits,
    "tag vocabulary": lambda data: parse.tag_vocabulary("model", data),
    "metrics": parse.metrics,
}


def conforms(value: object, hint: Any) -> bool:
    """Whether `value` is what the type hint says, through unions, tuples, mappings and dataclasses."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if origin is tuple:
        items = args[:1] * len(value) if len(args) == 2 and args[1] is Ellipsis else args  # type: ignore[arg-type]
        return isinstance(value, tuple) and len(items) == len(value) and all(map(conforms, value, items))
    if origin in (Mapping, dict):
        return isinstance(value, Mapping) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, float)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return isinstance(value, hint) and all(
            conforms(getattr(value, f.name), hints[f.name]) for f in dataclasses.fields(hint)
        )
    return isinstance(value, hint)


def typed(result: object) -> bool:
    if isinstance(result, tuple):
        return all(typed(item) for item in result)
    return dataclasses.is_dataclass(result) and conforms(result, type(result))


@pytest.mark.parametrize("name", PARSERS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.data())
def test_any_json_is_read_or_could_not_be_read(name, drawn, settings):
    settings.HF_ENDPOINT = "https://huggingface.co"
    data = drawn.draw(ANSWERS[name], label="answer")
    try:
        with translated():
            result = PARSERS[name](data)
    except errors.HubUnavailable as err:
        assert "could not read" in err.message
        return
    assert typed(result), result


@pytest.mark.parametrize("name", PARSERS)
@pytest.mark.parametrize("data", [{}, [], None, "text", 0, 1.5, True, [None], [{}], {"name": 5}, [{"id": 5}]])
def test_the_usual_nonsense_could_not_be_read_or_is_empty(name, data, settings):
    settings.HF_ENDPOINT = "https://huggingface.co"
    try:
        with translated():
            result = PARSERS[name](data)
    except errors.HubUnavailable as err:
        assert "could not read" in err.message
        return
    assert typed(result) and result in ((), RepoRefs((), ()), TagVocabulary("model", {}))


def test_a_real_whoami_answer_is_read(hub_samples, settings):
    settings.HF_ENDPOINT = "https://huggingface.co"
    with translated():
        identity = parse.identity(hub_samples("whoami_v2__hubjs_ci_bot.json"))
    assert (identity.name, identity.token_role, identity.token_name) == ("hub.js", "write", "ci-hub.js")
    assert identity.avatar_url == "https://huggingface.co/avatars/934b830e9fdaa879487852f79eef7165.svg"
    assert typed(identity)


@pytest.mark.parametrize(
    ("name", "sample"),
    [
        ("model info", "model_info__google-bert_bert-base-uncased.json"),
        ("model info", "model_info__stabilityai_stable-diffusion-2-1.json"),
        ("space info", "space_info__expand_xetEnabled.json"),
    ],
)
def test_real_repo_answers_are_read(hub_samples, name, sample):
    with translated():
        assert typed(PARSERS[name](hub_samples(sample)))


@pytest.mark.parametrize("name", PARSERS)
def test_a_parser_refuses_to_run_outside_the_error_translation(name):
    # Where a bad answer would otherwise escape as a 500: a future call site that forgets fails loudly.
    with pytest.raises(RuntimeError, match="must run inside"):
        PARSERS[name]([])
