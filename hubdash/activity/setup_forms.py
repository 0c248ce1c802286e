"""The forms of the webhook set-up page: a secret's label, and what a new Hub webhook watches."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from hubdash.hub import HubIdentity


class SecretForm(forms.Form):
    label = forms.CharField(
        label="Label", max_length=60, strip=True, help_text="Where the secret is used, e.g. “staging webhook”."
    )


class RegisterForm(forms.Form):
    """The admin's own namespace and any of their organisations: what a webhook registered here watches."""

    watched = forms.MultipleChoiceField(label="Watch", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, identity: HubIdentity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if identity is not None:
            choices.append((f"user:{identity.name}", f"{identity.name} (you)"))
            choices += [(f"org:{org.name}", org.name) for org in identity.orgs]
        cast(forms.MultipleChoiceField, self.fields["watched"]).choices = choices
        self.initial.setdefault("watched", [choices[0][0]] if choices else [])

    def clean_watched(self) -> list[tuple[str, str]]:
        return [(kind, name) for kind, _, name in (value.partition(":") for value in self.cleaned_data["watched"])]
