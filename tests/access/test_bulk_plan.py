"""The plan of a bulk decision as Hub calls: per repo, batches of at most 100 by user, one call per hidden
requester by request id."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from hubdash.access.plan import Item, calls, shares
from hubdash.hub.access import Target


def items(per_repo: dict[str, tuple[int, int]]) -> list[Item[int]]:
    out: list[Item[int]] = []
    for repo_id, (shown, hidden) in per_repo.items():
        out += [Item(len(out) + i, "model", repo_id, Target(user=f"u{i}")) for i in range(shown)]
        out += [Item(len(out) + i, "model", repo_id, Target(request_id=f"r{i}")) for i in range(hidden)]
    return out


def test_250_requests_on_3_repos_take_ceil_n_over_100_batches_each():
    planned = calls(items({"a/x": (120, 0), "a/y": (80, 0), "a/z": (50, 2)}))
    assert [(c.repo_id, len(c.items), c.batch) for c in planned] == [
        ("a/x", 100, True),
        ("a/x", 20, True),
        ("a/y", 80, True),
        ("a/z", 50, True),
        ("a/z", 1, False),
        ("a/z", 1, False),
    ]


@given(st.dictionaries(st.sampled_from(["a/x", "a/y", "b/z"]), st.tuples(st.integers(0, 450), st.integers(0, 5))))
def test_every_item_is_in_exactly_one_call_and_the_shares_count_those_calls(per_repo):
    chosen = items(per_repo)
    planned = calls(chosen)
    assert sorted(i.key for c in planned for i in c.items) == sorted(i.key for i in chosen)
    assert all(len(c.items) <= 100 and (c.batch or len(c.items) == 1) for c in planned)
    for share in shares(chosen):
        shown, hidden = per_repo[share.repo_id]
        assert (share.batch_calls, share.single_calls) == (math.ceil(shown / 100), hidden)
        assert share.calls == sum(1 for c in planned if c.repo_id == share.repo_id)
