"""A rule's conditions as pure functions: what each holds for, what a hidden requester never meets, and the
words the rules page shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubdash.access.conditions import BadCondition, Facts, all_hold, clean, describe, holds, skips_hidden
from hubdash.hub.access import AccessRequest, Requester

ANN = Facts(hidden=False, email="Ann@Uni.EDU", verified_orgs=("BigCorp",), is_pro=True, fields={"Country": "FR"})
HIDDEN = Facts(hidden=True, fields={"Country": "FR"})


def test_email_domains_and_organisations_are_compared_whatever_their_case():
    assert holds(clean({"kind": "email_domain", "values": "uni.edu"}), ANN)
    assert holds(clean({"kind": "email_domain", "values": ["@UNI.edu", "x.org"]}), ANN)
    assert not holds(clean({"kind": "email_domain", "values": ["edu"]}), ANN)  # a domain, not a suffix
    assert holds(clean({"kind": "verified_org", "values": "bigcorp"}), ANN)
    assert not holds(clean({"kind": "verified_org", "values": "acme"}), ANN)


def test_form_answers_are_compared_as_the_strings_the_hub_returns():
    assert holds(clean({"kind": "field", "label": "Country", "op": "equals", "values": ["FR"]}), ANN)
    assert not holds(clean({"kind": "field", "label": "Country", "op": "equals", "values": ["fr"]}), ANN)
    assert holds(clean({"kind": "field", "label": "Country", "op": "contains", "values": ["R"]}), ANN)
    assert holds(clean({"kind": "field", "label": "Country", "op": "one_of", "values": "DE, FR"}), ANN)
    assert not holds(
        clean({"kind": "field", "label": "Missing", "op": "contains", "values": [""]} | {"values": ["x"]}), ANN
    )


def test_conditions_on_email_or_organisations_never_hold_for_a_hidden_requester():
    email = clean({"kind": "email_domain", "values": "uni.edu"})
    org = clean({"kind": "verified_org", "values": "bigcorp"})
    field = clean({"kind": "field", "label": "Country", "op": "equals", "values": ["FR"]})
    assert not holds(email, HIDDEN) and not holds(org, HIDDEN) and holds(field, HIDDEN)
    assert skips_hidden([field, email]) and not skips_hidden([field])
    assert not all_hold([field, org], HIDDEN) and all_hold([field], HIDDEN)


def test_facts_come_from_the_hubs_request_as_the_client_reads_it():
    asked = datetime(2026, 12, 1, tzinfo=UTC)
    shown = AccessRequest("pending", asked, Requester("ann", None, "Ann", "ann@uni.edu", ("bigcorp",), (), True), "r1")
    assert Facts.of(shown) == Facts(False, "ann@uni.edu", ("bigcorp",), True, {})
    assert Facts.of(AccessRequest("pending", asked, None, "r2", {"Q": "A"})).hidden


@pytest.mark.parametrize(
    "condition",
    [
        {"kind": "nothing"},
        {"kind": "email_domain", "values": ""},
        {"kind": "email_domain", "values": "a@b.org"},
        {"kind": "verified_org", "values": []},
        {"kind": "field", "label": "", "op": "equals", "values": ["x"]},
        {"kind": "field", "label": "Q", "op": "regex", "values": ["x"]},
        {"kind": "field", "label": "Q", "op": "equals", "values": ["a", "b"]},
        {"kind": "field", "label": "Q", "op": "one_of", "values": ["x" * 201]},
    ],
)
def test_a_condition_that_cannot_be_kept_says_why(condition):
    with pytest.raises(BadCondition):
        clean(condition)


def test_each_condition_reads_as_words():
    assert describe(clean({"kind": "pro", "value": False})) == "the requester has no PRO account"
    assert describe(clean({"kind": "email_domain", "values": "a.org, b.org"})) == "email domain is one of a.org, b.org"
    words = describe(clean({"kind": "field", "label": "Use", "op": "one_of", "values": "x, y"}))
    assert words == "answer to “Use” is one of x, y"
