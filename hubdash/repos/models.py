"""What hubdash keeps of repos itself: the Hub's last answer to a visibility change made here."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models
from django.utils import timezone


class SettingsAnswer(models.Model):
    """The visibility the Hub answered to the last settings change hubdash made to a repo.

    Repo info tells only `private`: a protected Space reads as public there, and webhooks say no more.
    Only the answer to a settings PUT (or to a create) says `protected`; kept here, it outlives the cache.
    """

    repo_type = models.CharField(max_length=16)
    repo_id = models.CharField(max_length=200)
    visibility = models.CharField(max_length=16)  # public, private or protected
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["repo_type", "repo_id"], name="repos_settings_answer_repo"),)

    def __str__(self) -> str:
        return f"{self.repo_type} {self.repo_id}: {self.visibility}"


def remember_visibility(kind: str, repo_id: str, visibility: str) -> None:
    SettingsAnswer.objects.update_or_create(
        repo_type=kind, repo_id=repo_id, defaults={"visibility": visibility, "answered_at": timezone.now()}
    )


def last_visibility(kind: str, repo_id: str) -> SettingsAnswer | None:
    return SettingsAnswer.objects.filter(repo_type=kind, repo_id=repo_id).first()


def last_visibilities(kind: str, repo_ids: Sequence[str]) -> dict[str, str]:
    """Each of these repos' last answered visibility, where hubdash has one (one query)."""
    rows = SettingsAnswer.objects.filter(repo_type=kind, repo_id__in=list(repo_ids))
    return dict(rows.values_list("repo_id", "visibility"))


def protected_among(kind: str, repo_ids: list[str]) -> frozenset[str]:
    """Which of these repos hubdash last saw answered as protected (one query for a listing's page)."""
    if kind != "space" or not repo_ids:
        return frozenset()
    rows = SettingsAnswer.objects.filter(repo_type=kind, repo_id__in=repo_ids, visibility="protected")
    return frozenset(rows.values_list("repo_id", flat=True))


def repo_moved(kind: str, old_id: str, new_id: str) -> None:
    SettingsAnswer.objects.filter(repo_type=kind, repo_id=new_id).delete()
    SettingsAnswer.objects.filter(repo_type=kind, repo_id=old_id).update(repo_id=new_id)


def repo_deleted(kind: str, repo_id: str) -> None:
    SettingsAnswer.objects.filter(repo_type=kind, repo_id=repo_id).delete()
