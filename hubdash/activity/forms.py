"""The feed's filters, parsed from the query string (the state lives in the URL)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from hubdash.hub.repos import valid_repo_id

from .models import ACTIONS, REPO_TYPES, SOURCES, Event

SINCE = {"1h": timedelta(hours=1), "24h": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


class FeedForm(forms.Form):
    source = forms.ChoiceField(choices=[("", "Any source"), *SOURCES.items()], required=False, label="Source")
    action = forms.ChoiceField(
        choices=[("", "Any action"), *((k, v[0]) for k, v in ACTIONS.items())], required=False, label="Action"
    )
    type = forms.ChoiceField(
        choices=[("", "Any type"), *((t, f"{t.capitalize()}s") for t in REPO_TYPES)], required=False, label="Repo type"
    )
    repo = forms.CharField(required=False, max_length=200, label="Repo or namespace")
    actor = forms.CharField(required=False, max_length=150, label="Who")
    subject = forms.CharField(required=False, max_length=150, label="About whom")
    since = forms.ChoiceField(
        choices=[
            ("", "Any time"),
            ("1h", "Last hour"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("30d", "Last 30 days"),
        ],
        required=False,
        label="When",
    )
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)  # "load more" cursor
    after = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)  # live-update cursor

    def clean_repo(self) -> str:
        repo = str(self.cleaned_data["repo"]).strip().strip("/")
        if repo and not valid_repo_id(repo):
            raise forms.ValidationError("A repo is “namespace/name”, a namespace is a Hub user or organisation.")
        return repo

    def clean_actor(self) -> str:
        return str(self.cleaned_data["actor"]).strip()

    def clean_subject(self) -> str:
        return str(self.cleaned_data["subject"]).strip()

    def filter(self, events: QuerySet[Event]) -> QuerySet[Event]:
        """The events the filters ask for (each is served by its own index ending in id)."""
        data = self.cleaned_data
        if data["source"]:
            events = events.filter(source=data["source"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["type"]:
            events = events.filter(repo_type=data["type"])
        if data["repo"]:
            events = (
                events.filter(repo_id=data["repo"]) if "/" in data["repo"] else events.filter(namespace=data["repo"])
            )
        if data["actor"]:
            events = events.filter(actor=data["actor"])
        if data["subject"]:
            events = events.filter(subject=data["subject"])
        if data["since"]:
            events = events.filter(received_at__gte=timezone.now() - SINCE[data["since"]])
        return events

    @property
    def selects(self) -> list[forms.BoundField]:
        return [self[name] for name in ("source", "action", "type", "since")]

    @property
    def filtered(self) -> bool:
        return self.is_valid() and any(
            self.cleaned_data[name] for name in ("source", "action", "type", "repo", "actor", "subject", "since")
        )
