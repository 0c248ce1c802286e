"""GET forms that parse a listing's query string (the state lives in the URL)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from django import forms
from django.http import QueryDict

from hubdash.hub.repo_types import Kind
from hubdash.hub.repos import ListQuery, valid_repo_id

PAGE_SIZES = (10, 20, 30, 50, 100)
MAX_FILTERS = 12
_TAG = re.compile(r"[^\x00-\x1f\x7f]{1,200}")

SORT_CHOICES = [
    ("trending", "Trending"),
    ("likes", "Most likes"),
    ("downloads", "Most downloads"),
    ("created", "Recently created"),
    ("updated", "Recently updated"),
]


class TagsField(forms.Field):
    """Repeated `filter=` values: the Hub's tags, all of which a repo must carry."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> tuple[str, ...]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        tags: list[str] = []
        for raw in values:
            tag = str(raw).strip()
            if not tag:
                continue
            if not _TAG.fullmatch(tag):
                raise forms.ValidationError("A tag filter is at most 200 printable characters.")
            if tag not in tags:
                tags.append(tag)
        if len(tags) > MAX_FILTERS:
            raise forms.ValidationError(f"At most {MAX_FILTERS} tag filters at once.")
        return tuple(tags)


class ListingForm(forms.Form):
    search = forms.CharField(required=False, max_length=200, label="Search")
    author = forms.CharField(required=False, max_length=96, label="Author")
    filter = TagsField(required=False, label="Tags")
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False, label="Sort by")
    direction = forms.ChoiceField(
        choices=[("desc", "Descending"), ("asc", "Ascending")], required=False, label="Direction"
    )
    limit = forms.TypedChoiceField(
        choices=[(str(n), f"{n} per page") for n in PAGE_SIZES], coerce=int, required=False, label="Page size"
    )
    full = forms.BooleanField(required=False, label="Full details")
    config = forms.BooleanField(required=False, label="Model config")
    cursor = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)

    DEFAULTS: ClassVar[dict[str, str]] = {"sort": "trending", "direction": "desc", "limit": "30"}

    def __init__(self, kind: Kind, data: QueryDict, **kwargs: Any) -> None:
        # A parameter left out of the URL means its default: the selects then show it, not their first option.
        data = data.copy()
        for name, value in self.DEFAULTS.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, **kwargs)
        self.kind = kind
        if kind == "space":  # the Hub keeps no download counts for Spaces
            sort = self.fields["sort"]
            assert isinstance(sort, forms.ChoiceField)
            sort.choices = [choice for choice in SORT_CHOICES if choice[0] != "downloads"]
        if kind != "model":
            del self.fields["config"]

    def clean_search(self) -> str:
        return " ".join(str(self.cleaned_data["search"]).split())

    def clean_author(self) -> str:
        author = str(self.cleaned_data["author"]).strip()
        if author and ("/" in author or not valid_repo_id(author)):
            raise forms.ValidationError("An author is a Hub user or organisation name, such as “acme”.")
        return author

    def query(self) -> ListQuery:
        data = self.cleaned_data
        return ListQuery(
            kind=self.kind,
            search=data["search"],
            author=data["author"],
            filters=data["filter"] or (),
            sort=data["sort"] or "trending",
            ascending=data["direction"] == "asc",
            limit=data["limit"] or 30,
            full=bool(data["full"]),
            config=bool(data.get("config")),
        )
