"""The inbox's filters (GET: the state lives in the URL) and the admins' choice of watched namespaces."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet

from hubdash.hub.parse import valid_repo_id
from hubdash.jobs.forms import WatchedNamespacesForm

from .models import DRAFT, OPEN, OPEN_STATUSES, Discussion

_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
KINDS = [("", "Any kind"), ("discussion", "Discussions"), ("pull_request", "Pull requests")]
STATUSES = [("", "Open and draft"), (OPEN, "Open"), (DRAFT, "Draft")]
WAITING = [("", "Any"), ("yes", "Waiting on us"), ("no", "Not waiting on us")]


class InboxForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Text", strip=True)
    kind = forms.ChoiceField(choices=KINDS, required=False, label="Kind")
    status = forms.ChoiceField(choices=STATUSES, required=False, label="Status")
    waiting = forms.ChoiceField(choices=WAITING, required=False, label="Waiting on us")
    namespace = forms.ChoiceField(choices=[("", "Every namespace")], required=False, label="Namespace")
    repo = forms.CharField(required=False, max_length=200, label="Repo", strip=True)
    author = forms.CharField(required=False, max_length=96, label="Author", strip=True)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, data: Any, namespaces: list[str]) -> None:
        super().__init__(data)
        namespace = self.fields["namespace"]
        assert isinstance(namespace, forms.ChoiceField)
        namespace.choices = [("", "Every namespace"), *((ns, ns) for ns in namespaces)]
        for name, words in (
            ("kind", "discussion or pull_request"),
            ("status", "open or draft"),
            ("waiting", "yes or no"),
            ("namespace", "one of the watched namespaces"),
        ):
            self.fields[name].error_messages["invalid_choice"] = f"“%(value)s” is not a choice here: {words}."
        self.fields["page"].error_messages["invalid"] = "The page is a whole number from 1."

    def clean_repo(self) -> str:
        repo = str(self.cleaned_data.get("repo") or "")
        if repo and ("/" not in repo or not valid_repo_id(repo)):
            raise forms.ValidationError("A repo is named namespace/name, e.g. acme/bert.")
        return repo

    def clean_author(self) -> str:
        author = str(self.cleaned_data.get("author") or "").lstrip("@")
        if author and not _USERNAME.fullmatch(author):
            raise forms.ValidationError("A Hub username has letters, digits, dots, dashes or underscores.")
        return author

    @property
    def filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(k) for k in ("q", "kind", "status", "waiting", "namespace", "repo", "author"))

    def filter(self, rows: QuerySet[Discussion], one_repo: bool = False) -> QuerySet[Discussion]:
        data = self.cleaned_data
        rows = rows.filter(status=data["status"]) if data["status"] else rows.filter(status__in=OPEN_STATUSES)
        if data["kind"]:
            rows = rows.filter(is_pull_request=data["kind"] == "pull_request")
        if data["waiting"]:
            rows = rows.filter(waiting_on_us=data["waiting"] == "yes")
        if data["namespace"] and not one_repo:
            rows = rows.filter(namespace=data["namespace"])
        if data["repo"] and not one_repo:
            rows = rows.filter(repo_id=data["repo"])
        if data["author"]:
            rows = rows.filter(author__iexact=data["author"])
        if data["q"]:
            rows = rows.filter(search_text__contains=data["q"].lower())
        return rows


class WatchForm(WatchedNamespacesForm):
    """Which namespaces' discussions the inbox shows (admins): ticked among the candidates, or typed."""
