"""The Usage settings form: the namespaces to watch (ticked, or typed) and an optional quota for each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from hubdash.hub.parse import valid_repo_id

MAX_QUOTA_GB = Decimal(10_000_000)


def quota_field(namespace: str) -> str:
    return f"quota_{namespace}"


class WatchForm(forms.Form):
    watch = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Watch")
    add = forms.CharField(
        required=False,
        max_length=96,
        label="Another namespace",
        help_text="A Hub user or organisation name, as in huggingface.co/<name>.",
    )

    def __init__(self, *args: Any, candidates: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        watch = self.fields["watch"]
        assert isinstance(watch, forms.MultipleChoiceField)
        watch.choices = [(name, name) for name in candidates]
        for name in candidates:
            self.fields[quota_field(name)] = forms.DecimalField(
                required=False,
                min_value=Decimal("0.001"),
                max_value=MAX_QUOTA_GB,
                decimal_places=3,
                label=f"Storage quota of {name} (GB)",
                widget=forms.NumberInput(attrs={"aria-label": f"Storage quota of {name} (GB)", "step": "any"}),
            )

    def clean_add(self) -> str:
        name = str(self.cleaned_data.get("add") or "").strip()
        if name and ("/" in name or not valid_repo_id(name)):
            raise forms.ValidationError("That is not a Hub user or organisation name.")
        return name

    def watched(self) -> dict[str, int | None]:
        """namespace -> quota in bytes (None: none entered)."""
        chosen: dict[str, int | None] = {}
        for name in self.cleaned_data["watch"]:
            quota = self.cleaned_data.get(quota_field(name))
            chosen[name] = int(quota * 1_000_000_000) if quota is not None else None
        if self.cleaned_data["add"]:
            chosen.setdefault(self.cleaned_data["add"], None)
        return chosen
