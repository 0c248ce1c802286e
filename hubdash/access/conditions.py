"""What a rule asks of a request: pure functions over what the Hub says of a requester, no database, no Hub.

A condition is a small JSON object (kept in a rule's row, carried by the dry run's form):

    {"kind": "email_domain", "values": ["example.org"]}           the email's domain is one of these
    {"kind": "verified_org", "values": ["acme"]}                  a verified organisation is one of these
    {"kind": "pro", "value": true}                                the requester is (or is not) PRO
    {"kind": "field", "label": "Affiliation", "op": "equals" | "contains" | "one_of", "values": ["…"]}

A rule's conditions must all hold. Form answers are compared as the strings the Hub returns (exactly: a
checkbox answers "true", a country "FR"); domains and organisation names the way the Hub treats them,
whatever their case. A condition on the email or the organisations never holds for a requester the repo
hides, so a rule that has one skips hidden requesters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from hubdash.hub.access import AccessRequest

ConditionKind = Literal["email_domain", "verified_org", "pro", "field"]
CONDITION_KINDS: dict[str, str] = {
    "email_domain": "Email domain",
    "verified_org": "Verified organisation",
    "pro": "PRO account",
    "field": "Form answer",
}
FIELD_OPS: dict[str, str] = {"equals": "equals", "contains": "contains", "one_of": "is one of"}
# Conditions that need the requester's identity: they never hold for a hidden requester.
ABOUT_IDENTITY = frozenset({"email_domain", "verified_org"})
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200


@dataclass(frozen=True)
class Facts:
    """What a condition may read of one request."""

    hidden: bool  # the repo hides who asked
    email: str | None = None
    verified_orgs: tuple[str, ...] = ()
    is_pro: bool = False
    fields: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, request: AccessRequest) -> Facts:
        who = request.requester
        if who is None:
            return cls(hidden=True, fields=dict(request.fields or {}))
        return cls(
            hidden=False,
            email=who.email,
            verified_orgs=tuple(who.verified_orgs),
            is_pro=who.is_pro,
            fields=dict(request.fields or {}),
        )


class BadCondition(ValueError):
    """A condition that cannot be kept: its message is safe to show beside the rule's form."""


def clean(condition: Mapping[str, Any]) -> dict[str, Any]:
    """The condition as it is kept, or BadCondition saying what is wrong with it."""
    kind = condition.get("kind")
    if kind not in CONDITION_KINDS:
        raise BadCondition("Choose what the condition looks at.")
    if kind == "pro":
        return {"kind": "pro", "value": bool(condition.get("value", True))}
    values = _values(condition.get("values"))
    if kind == "email_domain":
        domains = [v.lower().lstrip("@") for v in values]
        if not domains or any(not d or "@" in d or " " in d for d in domains):
            raise BadCondition("Give one or more email domains, such as example.org.")
        return {"kind": kind, "values": domains}
    if kind == "verified_org":
        if not values:
            raise BadCondition("Give one or more organisation names.")
        return {"kind": kind, "values": values}
    label = str(condition.get("label") or "").strip()
    op = condition.get("op")
    if not label or len(label) > MAX_VALUE_LENGTH:
        raise BadCondition("Give the form question's label, as the gate form shows it.")
    if op not in FIELD_OPS:
        raise BadCondition("Choose how the answer is compared: equals, contains or is one of.")
    if not values:
        raise BadCondition("Give the answer to compare with.")
    if op != "one_of" and len(values) > 1:
        raise BadCondition(f"“{FIELD_OPS[op]}” compares with one answer; use “is one of” for several.")
    return {"kind": kind, "label": label, "op": op, "values": values}


def _values(raw: Any) -> list[str]:
    if isinstance(raw, str):
        raw = raw.splitlines() if "\n" in raw else raw.split(",")
    if not isinstance(raw, Sequence):
        return []
    values = [str(v).strip() for v in raw if str(v).strip()]
    if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in values):
        raise BadCondition(f"At most {MAX_VALUES} values of at most {MAX_VALUE_LENGTH} characters each.")
    return values


def holds(condition: Mapping[str, Any], facts: Facts) -> bool:
    """Whether one kept condition holds for a request."""
    kind = condition["kind"]
    if kind in ABOUT_IDENTITY and facts.hidden:
        return False
    if kind == "email_domain":
        if not facts.email or "@" not in facts.email:
            return False
        return facts.email.rpartition("@")[2].lower() in set(condition["values"])
    if kind == "verified_org":
        wanted = {v.lower() for v in condition["values"]}
        return any(org.lower() in wanted for org in facts.verified_orgs)
    if kind == "pro":
        return facts.is_pro == bool(condition["value"])
    if kind == "field":
        answer = facts.fields.get(condition["label"])
        if answer is None:
            return False
        values: list[str] = condition["values"]
        if condition["op"] == "equals":
            return answer == values[0]
        if condition["op"] == "contains":
            return values[0] in answer
        return answer in values
    return False


def all_hold(conditions: Sequence[Mapping[str, Any]], facts: Facts) -> bool:
    """A rule's conditions all hold (a rule without conditions matches every request)."""
    return all(holds(c, facts) for c in conditions)


def skips_hidden(conditions: Sequence[Mapping[str, Any]]) -> bool:
    return any(c["kind"] in ABOUT_IDENTITY for c in conditions)


def describe(condition: Mapping[str, Any]) -> str:
    """The condition in words, for the rules page and the dry run."""
    kind = condition["kind"]
    if kind == "pro":
        return "the requester has a PRO account" if condition["value"] else "the requester has no PRO account"
    values = ", ".join(condition["values"])
    if kind == "email_domain":
        return f"email domain is one of {values}" if len(condition["values"]) > 1 else f"email domain is {values}"
    if kind == "verified_org":
        return f"a verified organisation is one of {values}"
    return f"answer to “{condition['label']}” {FIELD_OPS[condition['op']]} {values}"
