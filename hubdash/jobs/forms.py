"""The admins' choice of the namespaces a capability watches (usage, discussions): ticked among the
candidates (`delegation.watch_candidates`), or typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget

from hubdash.hub.parse import valid_repo_id


class WatchedNamespacesForm(forms.Form):
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

    def clean_add(self) -> str:
        name = str(self.cleaned_data.get("add") or "").strip()
        if name and ("/" in name or not valid_repo_id(name)):
            raise forms.ValidationError("That is not a Hub user or organisation name.")
        return name

    def chosen(self) -> list[str]:
        """The namespaces ticked, then the one typed (if not ticked too)."""
        names = list(self.cleaned_data["watch"])
        if self.cleaned_data["add"] and self.cleaned_data["add"] not in names:
            names.append(self.cleaned_data["add"])
        return names

    def checkbox(self, name: str) -> BoundWidget:
        """The tick box of one candidate, for a settings table that draws a row per namespace."""
        return next(box for box in self["watch"] if box.data["value"] == name)


def watch_change_summary(what: str, added: list[str], removed: list[str]) -> str:
    """The feed's line for a change of watched namespaces ("" when nothing changed)."""
    if not added and not removed:
        return ""
    words = f"changed the namespaces {what}"
    if added:
        words += f": watching {', '.join(added)}"
    if removed:
        words += f"{';' if added else ':'} no longer {', '.join(removed)}"
    return words[:300]
