"""The one form of a discussion's page: the comment box and what its buttons do with it.

Every button posts the whole box, so whatever was typed goes with the action (a comment closing a discussion,
or merging a pull request, as the Hub takes them) and comes back in the box when the Hub refuses.
"""

from __future__ import annotations

from django import forms

from hubdash.hub.discussion_review import COMMENT_MAX

ACTIONS = {
    "preview": "Preview",
    "edit": "Write",
    "comment": "Comment",
    "close": "Close",
    "reopen": "Reopen",
    "merge": "Merge…",  # asks first, naming the target branch
    "merge-confirmed": "Merge",
    "cancel": "Cancel",
}


class ActForm(forms.Form):
    comment = forms.CharField(
        label="Comment",
        required=False,
        strip=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Markdown, as on the Hub. Close, reopen and merge post it with them.",
    )
    action = forms.ChoiceField(choices=list(ACTIONS.items()))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        text = str(data.get("comment") or "")
        if data.get("action") in ("comment", "preview") and not text.strip():
            self.add_error("comment", "Write a comment first.")
        data["text"] = text.strip()
        return data
