"""Ending every session of a person at once (deactivation)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone


def end_sessions(user: User) -> int:
    """Delete the person's live sessions; returns how many were found.

    The session store (settings.SESSION_ENGINE) keeps each session in the database and a copy in the
    cache: the store's own delete() drops both, so no worker reads a copy that outlived its row.
    """
    ended = 0
    user_id = str(user.pk)
    # Sessions last hours (HUBDASH_SESSION_HOURS), so the live rows are few even for a large team.
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(row.get_decoded().get(SESSION_KEY)) == user_id:
            SessionStore(row.session_key).delete()
            ended += 1
    return ended


def say_signed_out(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """The sign-in page after signing out says so (user_logged_out; the message outlives the session)."""
    if request is not None:
        messages.info(request, "You are signed out.")
