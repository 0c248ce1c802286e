"""Ending every session of a person at once (deactivation), whichever session store is configured."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

DATABASE_ENGINES = (
    "hubdash.accounts.session_store",
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def end_sessions(user: User) -> int:
    """Delete the person's live sessions; returns how many were found.

    With the database stores (hubdash's default) the rows are read and the person's deleted, from the
    cache too for cached_db. A store that cannot be listed (cache-only, signed cookies) cannot be searched:
    there the sessions die on their next request anyway, since the sign-in backend refuses an inactive
    person (ModelBackend.user_can_authenticate), which is what deactivation sets first.
    """
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    user_id = str(user.pk)
    # Sessions last hours (HUBDASH_SESSION_HOURS), so the live rows are few even for a large team.
    for row in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(row.get_decoded().get(SESSION_KEY)) == user_id:
            store(row.session_key).delete()
            ended += 1
    return ended


def say_signed_out(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """The sign-in page after signing out says so (user_logged_out; the message outlives the session)."""
    if request is not None:
        messages.info(request, "You are signed out.")
