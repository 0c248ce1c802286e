"""Record when each signed-in person was last active, at most every few minutes (Member.last_seen_at)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import Member

TOUCH_EVERY_S = 300


class LastSeenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            # The session remembers the last write, so most requests cost no query.
            now = time.time()
            if now - request.session.get("last_seen_touch", 0) > TOUCH_EVERY_S:
                Member.objects.update_or_create(user=user, defaults={"last_seen_at": timezone.now()})
                request.session["last_seen_touch"] = now
        return response
