"""A fresh Hugging Face sign-in stands in for the password of people who have none.

Dangerous actions (deleting a repo, removing or replacing a token) re-ask the password; someone who signs
in only with Hugging Face confirms instead by signing in on the Hub again (`prompt=login`, `max_age=0`).
The callback notes when, in the session; the form accepts it for a few minutes.
"""

from __future__ import annotations

import time

from django.http import HttpRequest

CONFIRMED_KEY = "hubdash_hf_confirmed_at"
FRESH_FOR_S = 300


def mark_confirmed(request: HttpRequest) -> None:
    request.session[CONFIRMED_KEY] = time.time()


def recently_confirmed(request: HttpRequest) -> bool:
    at = request.session.get(CONFIRMED_KEY)
    return isinstance(at, int | float) and 0 <= time.time() - at <= FRESH_FOR_S


def needs_fresh_sign_in(request: HttpRequest) -> bool:
    """Whether this person confirms with Hugging Face rather than a password (they have none)."""
    user = request.user
    return bool(user.is_authenticated and not user.has_usable_password())
