"""The queue's filters (GET, the state lives in the URL) and the decision forms."""

from __future__ import annotations

import re

from django import forms
from django.db.models import Q, QuerySet

from .models import ACCEPTED, PENDING, REASON_MAX, REJECTED, STATUSES, AccessRequest

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")


class QueueForm(forms.Form):
    status = forms.ChoiceField(choices=[*STATUSES, ("any", "any status")], required=False, label="Status")
    namespace = forms.ChoiceField(choices=[("", "Every namespace")], required=False, label="Namespace")
    repo = forms.ChoiceField(choices=[("", "Every repo")], required=False, label="Repo")
    q = forms.CharField(required=False, max_length=200, label="Text", strip=True)
    domain = forms.CharField(required=False, max_length=254, label="Email domain", strip=True)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, data: object, namespaces: list[str], repos: list[str], statuses: bool = True) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["namespace"].choices = [("", "Every namespace"), *((ns, ns) for ns in namespaces)]  # type: ignore[attr-defined]
        self.fields["repo"].choices = [("", "Every repo"), *((r, r) for r in repos)]  # type: ignore[attr-defined]

    def clean_status(self) -> str:
        return str(self.cleaned_data["status"] or PENDING)

    def clean_domain(self) -> str:
        return str(self.cleaned_data["domain"]).lower().lstrip("@")

    @property
    def filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        narrowed = any(data.get(k) for k in ("namespace", "repo", "q", "domain"))
        return narrowed or data.get("status") not in (None, PENDING)

    def filter(self, rows: QuerySet[AccessRequest]) -> QuerySet[AccessRequest]:
        data = self.cleaned_data
        if data["status"] != "any":
            rows = rows.filter(status=data["status"])
        if data["namespace"]:
            rows = rows.filter(namespace=data["namespace"])
        if data["repo"]:
            rows = rows.filter(repo__repo_id=data["repo"])
        if data["q"]:
            rows = rows.filter(search_text__contains=data["q"].lower())
        if data["domain"]:
            domain = data["domain"]
            rows = rows.filter(Q(email_domain=domain) | Q(email_domain__endswith="." + domain))
        return rows


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[(ACCEPTED, "Accept"), (REJECTED, "Reject"), (PENDING, "Back to pending")])
    reason = forms.CharField(required=False, max_length=REASON_MAX, label="Reason", strip=True)
    saved_reason = forms.CharField(required=False, max_length=REASON_MAX, label="Saved reason")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("decision") == REJECTED and not data.get("reason") and data.get("saved_reason"):
            data["reason"] = data["saved_reason"]
        return data


class GrantForm(forms.Form):
    username = forms.CharField(max_length=96, label="Hub username", strip=True)

    def clean_username(self) -> str:
        name = str(self.cleaned_data["username"]).lstrip("@")
        if not _USERNAME.fullmatch(name):
            raise forms.ValidationError("A Hub username has letters, digits, dots, dashes or underscores.")
        return name


class ReasonForm(forms.Form):
    namespace = forms.CharField(max_length=96)
    text = forms.CharField(max_length=REASON_MAX, label="Reason text", strip=True)
