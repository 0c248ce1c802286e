"""Forms of saved views and guardrails: they check what was typed and keep it when it is refused."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms

from hubdash.hub.repos import valid_repo_id

from .models_saved import DELETE_DOWNLOADS as DOWNLOADS_RULE
from .models_saved import GATING_FILTERS, KIND_CHOICES, RULES, VISIBILITY_FILTERS, Guardrail, SavedView
from .models_saved import LICENSE_STAYS_GATED as LICENSE_RULE
from .saved import BadQuery, canonical_query

SCOPES = [("own", "Just me"), ("team", "The whole team")]
_PREFIX = re.compile(r"[A-Za-z0-9._-]{1,96}")
_LICENSE = re.compile(r"[a-z0-9.*?_+-]{1,100}")


class ViewFiltersForm(forms.ModelForm[SavedView]):
    """What hubdash narrows the Hub's listing by."""

    class Meta:
        model = SavedView
        fields: tuple[str, ...] = ("visibility", "gating", "modified_after", "modified_before", "name_prefix")
        labels: ClassVar[dict[str, str]] = {
            "visibility": "Visibility",
            "gating": "Gating",
            "modified_after": "Last modified after",
            "modified_before": "Last modified before",
            "name_prefix": "Name starts with",
        }
        widgets: ClassVar[dict[str, Any]] = {
            "modified_after": forms.DateInput(attrs={"type": "date"}),
            "modified_before": forms.DateInput(attrs={"type": "date"}),
            "name_prefix": forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        }

    def clean_name_prefix(self) -> str:
        prefix = str(self.cleaned_data.get("name_prefix") or "").strip()
        if prefix and not _PREFIX.fullmatch(prefix):
            raise forms.ValidationError("A name prefix is letters, digits, “-”, “_” and “.”.")
        return prefix

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        after, before = data.get("modified_after"), data.get("modified_before")
        if after and before and after >= before:
            raise forms.ValidationError("“Last modified after” must be earlier than “Last modified before”.")
        return data


class SaveViewForm(ViewFiltersForm):
    scope = forms.ChoiceField(label="Who sees it", choices=SCOPES, initial="own")

    class Meta(ViewFiltersForm.Meta):
        fields = ("name", "kind", "query", *ViewFiltersForm.Meta.fields)
        labels: ClassVar[dict[str, str]] = {
            **ViewFiltersForm.Meta.labels,
            "name": "Name",
            "kind": "Type",
            "query": "Listing query",
        }
        widgets: ClassVar[dict[str, Any]] = {
            **ViewFiltersForm.Meta.widgets,
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "query": forms.HiddenInput,
        }
        error_messages: ClassVar[dict[str, dict[str, str]]] = {"name": {"required": "Give the view a name."}}

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError("Give the view a name.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if kind in dict(KIND_CHOICES):
            try:
                data["query"] = canonical_query(kind, str(data.get("query") or ""))
            except BadQuery as err:
                self.add_error("query", str(err))
        return data


class RenameForm(forms.Form):
    name = forms.CharField(
        label="New name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Give the view a name."},
    )

    def clean_name(self) -> str:
        name = " ".join(str(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError("Give the view a name.")
        return name


class GuardrailForm(forms.ModelForm[Guardrail]):
    class Meta:
        model = Guardrail
        fields = ("rule", "namespace", "license", "downloads")
        labels: ClassVar[dict[str, str]] = {
            "rule": "Rule",
            "namespace": "Namespace (empty: all)",
            "license": "License (for the license rule; * matches any text)",
            "downloads": "Downloads (for the delete rule)",
        }
        widgets: ClassVar[dict[str, Any]] = {
            "namespace": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. acme"}),
            "license": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "e.g. cc-by-nc-*"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rule = self.fields["rule"]
        assert isinstance(rule, forms.ChoiceField)
        rule.choices = list(RULES.items())

    def clean_namespace(self) -> str:
        namespace = str(self.cleaned_data.get("namespace") or "").strip()
        if namespace and ("/" in namespace or not valid_repo_id(namespace)):
            raise forms.ValidationError("A namespace is a Hub user or organisation name, such as “acme”.")
        return namespace

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rule = data.get("rule")
        license = str(data.get("license") or "").strip().lower()
        if rule == LICENSE_RULE:
            if not _LICENSE.fullmatch(license):
                self.add_error("license", "Name the license, such as cc-by-nc-4.0, or a pattern such as cc-by-nc-*.")
            data["license"] = license
        else:
            data["license"] = ""
        if rule == DOWNLOADS_RULE:
            if data.get("downloads") is None:
                self.add_error("downloads", "Say how many downloads a repo may have and still be deleted.")
        else:
            data["downloads"] = None
        return data


__all__ = ["GATING_FILTERS", "VISIBILITY_FILTERS", "GuardrailForm", "RenameForm", "SaveViewForm", "ViewFiltersForm"]
