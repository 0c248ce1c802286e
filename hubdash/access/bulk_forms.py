"""The queue's "decide the selected" form: which requests (ticked, or all matching the filter), and what to do."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import REASON_MAX

BULK_STATUSES = [("accepted", "Accept"), ("rejected", "Reject"), ("pending", "Back to pending")]
MAX_SELECTED = 1000
MAX_ID = 2**63 - 1  # the largest id a database row can have: a larger one is no request


NOT_UNDERSTOOD = "The selection was not understood: tick the requests again."


class SelectionField(forms.Field):
    """The ticked rows' ids (one `request` value each)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(NOT_UNDERSTOOD) from None
        if any(not 1 <= i <= MAX_ID for i in ids):
            raise forms.ValidationError(NOT_UNDERSTOOD)
        if len(ids) > MAX_SELECTED:
            raise forms.ValidationError(f"At most {MAX_SELECTED:,} requests at once: narrow the selection.")
        return ids


class BulkForm(forms.Form):
    status = forms.ChoiceField(label="Decision", choices=BULK_STATUSES)
    reason = forms.CharField(
        label="Reason for rejecting (the requester sees it)", max_length=REASON_MAX, required=False, strip=True
    )
    request = SelectionField(required=False)
    all = forms.BooleanField(label="Every request matching the filter", required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("request") and not data.get("all"):
            raise forms.ValidationError("Tick at least one request, or choose every request matching the filter.")
        if data.get("status") != "rejected":
            data["reason"] = ""
        return data
