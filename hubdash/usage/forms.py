"""The Usage settings form: the namespaces to watch (ticked, or typed) and an optional quota for each."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from hubdash.jobs.forms import WatchedNamespacesForm

MAX_QUOTA_GB = Decimal(10_000_000)


def quota_field(namespace: str) -> str:
    return f"quota_{namespace}"


class WatchForm(WatchedNamespacesForm):
    """The namespaces to watch, and a storage quota (optional) for each candidate."""

    def __init__(self, *args: Any, candidates: list[str], **kwargs: Any) -> None:
        super().__init__(*args, candidates=candidates, **kwargs)
        for name in candidates:
            self.fields[quota_field(name)] = forms.DecimalField(
                required=False,
                min_value=Decimal("0.001"),
                max_value=MAX_QUOTA_GB,
                decimal_places=3,
                label=f"Storage quota of {name} (GB)",
                widget=forms.NumberInput(attrs={"aria-label": f"Storage quota of {name} (GB)", "step": "any"}),
            )

    def watched(self) -> dict[str, int | None]:
        """namespace -> quota in bytes (None: none entered)."""
        chosen: dict[str, int | None] = {}
        for name in self.cleaned_data["watch"]:
            quota = self.cleaned_data.get(quota_field(name))
            chosen[name] = int(quota * 1_000_000_000) if quota is not None else None
        if self.cleaned_data["add"]:
            chosen.setdefault(self.cleaned_data["add"], None)
        return chosen
