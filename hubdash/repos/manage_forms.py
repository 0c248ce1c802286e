"""Forms for changing repos: create, visibility, gating, move, delete. They check input; the Hub decides."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.html import format_html

from hubdash.accounts.forms import PasswordCheckMixin
from hubdash.hub import repos as hub_repos
from hubdash.hub.types import HubIdentity

# Roles in an organisation that let a member create repos in it (the Hub lets contributors create too).
CREATE_ROLES = {"admin", "write", "contributor"}
KIND_CHOICES = [("model", "Model"), ("dataset", "Dataset"), ("space", "Space")]
VISIBILITY_CHOICES = [("public", "Public"), ("private", "Private"), ("protected", "Protected (Spaces only)")]
GATING_CHOICES = [("off", "Off"), ("auto", "Automatic approval"), ("manual", "Manual approval")]
SDK_CHOICES = [("", "Choose an SDK"), ("gradio", "Gradio"), ("docker", "Docker"), ("static", "Static HTML"),
               ("streamlit", "Streamlit")]  # fmt: skip
LICENSE_CHOICES = [("", "None for now"), ("apache-2.0", "Apache 2.0"), ("mit", "MIT"), ("cc-by-4.0", "CC BY 4.0"),
                   ("cc-by-sa-4.0", "CC BY-SA 4.0"), ("cc-by-nc-4.0", "CC BY-NC 4.0"), ("openrail", "OpenRAIL"),
                   ("llama3.1", "Llama 3.1"), ("gpl-3.0", "GPL 3.0"), ("bsd-3-clause", "BSD 3-clause"),
                   ("other", "Other")]  # fmt: skip
NAME_RULES = (
    "Letters, digits, “-”, “_” and “.”, at most 96 characters; no “--” or “..”, and no “-” or “.” at the start or end."
)


def owners_of(identity: HubIdentity) -> list[str]:
    """Where this person may create repos: themselves, then the organisations whose role allows it."""
    return [identity.name, *(org.name for org in identity.orgs if org.role in CREATE_ROLES)]


def name_problem(name: str) -> str | None:
    """Why the Hub would refuse this repo name, or None when it follows the rules."""
    if not name:
        return "Choose a name."
    if "/" in name:
        return "The name cannot contain “/”: choose the owner separately."
    if len(name) > 96:
        return "At most 96 characters."
    if not hub_repos.valid_repo_id(name):
        return "Not a valid name. " + NAME_RULES
    return None


class RepoNameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 96)
        kwargs.setdefault("help_text", NAME_RULES)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = name_problem(value)
        if problem:
            raise forms.ValidationError(problem)


class CreateRepoForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=KIND_CHOICES, initial="model", widget=forms.RadioSelect)
    owner = forms.ChoiceField(label="Owner")
    name = RepoNameField(label="Name", widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    visibility = forms.ChoiceField(
        label="Visibility", choices=VISIBILITY_CHOICES, initial="public", widget=forms.RadioSelect
    )
    sdk = forms.ChoiceField(label="Space SDK", choices=SDK_CHOICES, required=False, help_text="Required for Spaces.")
    license = forms.ChoiceField(label="License", choices=LICENSE_CHOICES, required=False)

    def __init__(self, *args: Any, owners: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [(o, o) for o in owners]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == "space" and not data.get("sdk"):
            self.add_error("sdk", "A Space needs an SDK.")
        if kind != "space":
            data["sdk"] = ""
            if data.get("visibility") == "protected":
                self.add_error("visibility", "Only Spaces can be protected.")
        return data

    @property
    def repo_id(self) -> str:
        return f"{self.cleaned_data['owner']}/{self.cleaned_data['name']}"


class VisibilityForm(forms.Form):
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES)
    confirm = forms.BooleanField(required=False)
    # What the switch showed (repo info cannot tell a protected Space from a public one): only decides
    # whether making it public asks first.
    was = forms.ChoiceField(choices=VISIBILITY_CHOICES, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != "space":
            cast(forms.ChoiceField, self.fields["visibility"]).choices = VISIBILITY_CHOICES[:2]


class GatingForm(forms.Form):
    gating = forms.ChoiceField(label="Access requests", choices=GATING_CHOICES)
    confirm = forms.BooleanField(required=False)


class MoveForm(forms.Form):
    owner = forms.ChoiceField(label="New owner")
    name = RepoNameField(label="New name", widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args: Any, owners: list[str], current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        cast(forms.ChoiceField, self.fields["owner"]).choices = [(o, o) for o in owners]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("owner") and data.get("name") and self.new_id == self.current:
            raise forms.ValidationError("That is the repo's current owner and name.")
        return data

    @property
    def new_id(self) -> str:
        return f"{self.cleaned_data['owner']}/{self.cleaned_data['name']}"


class DeleteRepoForm(PasswordCheckMixin):
    confirm_id = forms.CharField(
        label="Type the repo's full name to confirm",
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ("confirm_id", "password")

    def __init__(self, *args: Any, repo_id: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.repo_id = repo_id
        self.fields["confirm_id"].help_text = format_html(
            "Type <code>{}</code>, as on the Hub's own settings.", repo_id
        )

    def clean_confirm_id(self) -> str:
        value: str = self.cleaned_data["confirm_id"]
        if value != self.repo_id:
            raise forms.ValidationError(f"Type {self.repo_id} exactly.")
        return value


__all__ = [
    "CreateRepoForm",
    "DeleteRepoForm",
    "GatingForm",
    "MoveForm",
    "VisibilityForm",
    "name_problem",
    "owners_of",
]
