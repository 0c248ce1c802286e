"""A rule's form: its name, scope, conditions, action; and the dry run's proof that it was seen before saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core import signing

from .conditions import FIELD_OPS, BadCondition, clean
from .models import REASON_MAX, GatedRepo
from .models_rules import REJECT, RULE_ACTIONS

PROOF_SALT = "hubdash.access.rule-dry-run"
PROOF_MAX_AGE_S = 2 * 60 * 60
PRO_CHOICES = [("", "Either"), ("yes", "PRO only"), ("no", "Not PRO")]


class RuleForm(forms.Form):
    name = forms.CharField(label="Rule name", max_length=100, strip=True)
    repo = forms.ChoiceField(label="Applies to", required=False)
    email_domains = forms.CharField(
        label="Email domain is one of", required=False, max_length=2000, help_text="Comma-separated, e.g. example.org"
    )
    verified_orgs = forms.CharField(
        label="Verified organisation is one of", required=False, max_length=2000, help_text="Comma-separated names"
    )
    pro = forms.ChoiceField(label="PRO account", choices=PRO_CHOICES, required=False)
    field_label = forms.CharField(label="Form question", required=False, max_length=200)
    field_op = forms.ChoiceField(label="Answer", choices=list(FIELD_OPS.items()), required=False)
    field_values = forms.CharField(
        label="Compared with", required=False, max_length=2000, help_text="For “is one of”: comma-separated"
    )
    action = forms.ChoiceField(label="Then", choices=RULE_ACTIONS)
    reason = forms.CharField(
        label="Rejection reason (the requester sees it)", required=False, max_length=REASON_MAX, strip=True
    )
    proof = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, namespace: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.namespace = namespace
        repos = GatedRepo.objects.filter(namespace=namespace, gated=True).order_by("repo_id")
        self.fields["repo"].choices = [  # type: ignore[attr-defined]
            ("", f"Every gated repo of {namespace}")
        ] + [(str(r.pk), f"{r.repo_id} ({r.kind})") for r in repos]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conditions: list[dict[str, Any]] = []
        try:
            if data.get("email_domains"):
                conditions.append(clean({"kind": "email_domain", "values": data["email_domains"]}))
            if data.get("verified_orgs"):
                conditions.append(clean({"kind": "verified_org", "values": data["verified_orgs"]}))
            if data.get("pro"):
                conditions.append(clean({"kind": "pro", "value": data["pro"] == "yes"}))
            if data.get("field_label") or data.get("field_values"):
                values = data.get("field_values") or ""
                split = values.split(",") if data.get("field_op") == "one_of" else [values]
                conditions.append(
                    clean(
                        {"kind": "field", "label": data.get("field_label"), "op": data.get("field_op"), "values": split}
                    )
                )
        except BadCondition as err:
            raise forms.ValidationError(str(err)) from None
        if not conditions:
            raise forms.ValidationError(
                "Give at least one condition: a rule for every request would be a setting, not a rule."
            )
        if data.get("action") != REJECT:
            data["reason"] = ""
        data["conditions"] = conditions
        return data

    def rule_data(self) -> dict[str, Any]:
        """What the rule is, as the dry run shows it and the proof signs it."""
        d = self.cleaned_data
        return {
            "namespace": self.namespace,
            "name": d["name"],
            "repo": int(d["repo"]) if d.get("repo") else None,
            "conditions": d["conditions"],
            "action": d["action"],
            "reason": d["reason"],
        }

    def proof_for(self, rule_id: int | None) -> str:
        return signing.dumps({"rule": self.rule_data(), "id": rule_id}, salt=PROOF_SALT, compress=True)

    def proven(self, rule_id: int | None) -> bool:
        """The posted rule is exactly the one the dry run showed (and not long ago)."""
        try:
            seen = signing.loads(self.cleaned_data.get("proof") or "", salt=PROOF_SALT, max_age=PROOF_MAX_AGE_S)
        except signing.BadSignature:
            return False
        return bool(seen == {"rule": self.rule_data(), "id": rule_id})


def initial_of(rule: Any) -> dict[str, Any]:
    """A saved rule's values as the form's initial data."""
    initial: dict[str, Any] = {
        "name": rule.name,
        "repo": str(rule.repo_id or ""),
        "action": rule.action,
        "reason": rule.reason,
    }
    for c in rule.conditions:
        if c["kind"] == "email_domain":
            initial["email_domains"] = ", ".join(c["values"])
        elif c["kind"] == "verified_org":
            initial["verified_orgs"] = ", ".join(c["values"])
        elif c["kind"] == "pro":
            initial["pro"] = "yes" if c["value"] else "no"
        elif c["kind"] == "field":
            initial.update(field_label=c["label"], field_op=c["op"], field_values=", ".join(c["values"]))
    return initial
