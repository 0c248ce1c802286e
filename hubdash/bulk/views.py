"""The bulk app's pages (filled in by the next commits)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse


@login_required
def _later(request: HttpRequest, plan_id: int | None = None) -> HttpResponse:
    raise Http404("Not yet.")


plans = make_plan = plan_page = confirm = cancel = stop = start = progress = undo = decide = _later
approvals = approval_setting = _later
