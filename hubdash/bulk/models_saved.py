"""Saved views and guardrails: the tables of the `bulk-views` branch (imported at the bottom of models.py).

A saved view is a listing's query (its URL's parameters, as the listing itself reads them) under a name,
for its owner or the whole team, plus the filters hubdash applies itself to what the Hub lists. What each
person last saw when they opened it (how many repos matched, and when) is kept per person: the nav and the
home page show it without asking the Hub.

A guardrail is a team rule an admin sets, per namespace or for all, that every hubdash path changing a
repo's visibility or gating, moving or deleting it checks first (hubdash.core.guardrails).
"""

from __future__ import annotations

import fnmatch

from django.conf import settings
from django.db import models
from django.utils import timezone

KIND_CHOICES = [("model", "Models"), ("dataset", "Datasets"), ("space", "Spaces")]
VISIBILITY_FILTERS = [("", "Any visibility"), ("public", "Public"), ("private", "Private")]
GATING_FILTERS = [("", "Any gating"), ("gated", "Gated"), ("ungated", "Not gated"), ("auto", "Gated, automatic"),
                  ("manual", "Gated, manual")]  # fmt: skip


class SavedView(models.Model):
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=8, choices=KIND_CHOICES)
    query = models.CharField(max_length=2000, blank=True)  # the listing's query string, without its cursor
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    team = models.BooleanField(default=False)  # everyone in the team sees it; else its owner only
    # Applied by hubdash to what the Hub lists for `query`.
    visibility = models.CharField(max_length=8, blank=True, choices=VISIBILITY_FILTERS)
    gating = models.CharField(max_length=8, blank=True, choices=GATING_FILTERS)
    modified_after = models.DateField(null=True, blank=True)
    modified_before = models.DateField(null=True, blank=True)
    name_prefix = models.CharField(max_length=96, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "id")
        indexes = (models.Index(fields=["team", "owner"], name="bulk_saved_view_scope"),)

    def __str__(self) -> str:
        return self.name

    @property
    def narrowed(self) -> bool:
        return bool(self.visibility or self.gating or self.modified_after or self.modified_before or self.name_prefix)


class SavedViewOpening(models.Model):
    """What one person saw the last time they opened a view: the nav and home page show it."""

    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="openings")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField()
    more = models.BooleanField(default=False)  # more repos than hubdash scans matched: count is a floor
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["view", "viewer"], name="bulk_saved_view_opening"),)

    def __str__(self) -> str:
        return f"{self.view_id} by {self.viewer_id}: {self.count}"


PUBLIC_NEEDS_GATING, LICENSE_STAYS_GATED, DELETE_DOWNLOADS = "public_gated", "license_gated", "delete_downloads"
RULES = {
    PUBLIC_NEEDS_GATING: "No repo becomes public without gating",
    LICENSE_STAYS_GATED: "Repos with a given license stay gated",
    DELETE_DOWNLOADS: "Never delete a repo with more than N downloads",
}


class Guardrail(models.Model):
    rule = models.CharField(max_length=20, choices=list(RULES.items()))
    namespace = models.CharField(max_length=96, blank=True)  # "": every namespace
    license = models.CharField(max_length=100, blank=True)  # a license id or pattern: cc-by-nc-*
    downloads = models.PositiveBigIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("rule", "namespace", "id")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        """The rule's name, as refusals and the feed quote it."""
        where = f"of {self.namespace} " if self.namespace else ""
        if self.rule == PUBLIC_NEEDS_GATING:
            return f"no repo {where}becomes public without gating"
        if self.rule == LICENSE_STAYS_GATED:
            scope = f" in {self.namespace}" if self.namespace else ""
            return f"repos{scope} with license {self.license} stay gated"
        scope = f" {where}" if where else " "
        return f"never delete a repo{scope}with more than {self.downloads or 0:,} downloads"

    def covers(self, namespace: str) -> bool:
        return not self.namespace or self.namespace == namespace

    def license_matches(self, license: object) -> bool:
        return isinstance(license, str) and fnmatch.fnmatchcase(license.lower(), self.license.lower())


__all__ = [
    "DELETE_DOWNLOADS",
    "LICENSE_STAYS_GATED",
    "PUBLIC_NEEDS_GATING",
    "RULES",
    "Guardrail",
    "SavedView",
    "SavedViewOpening",
]
