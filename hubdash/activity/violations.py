"""Changes made on the Hub itself that break a team guardrail (hubdash.core.guardrails): each shows in the
feed as a violation of its own when its webhook arrives. hubdash reports them; it never reverts them, and
the receiver makes no Hub call for it (only what the payload says is known)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from hubdash.core import guardrails

from .models import Event
from .payloads import Parsed
from .recording import record

logger = logging.getLogger(__name__)

# A change hubdash itself made with an admin's override comes back as a webhook: it is not reported twice.
OVERRIDE_WINDOW = timedelta(minutes=10)


def changes_of(parsed: Parsed) -> list[guardrails.Change]:
    """What the delivery says changed, as the guardrails read changes."""
    facts = {"private": parsed.private} if parsed.private is not None else {}
    if parsed.action == "settings" and parsed.details.get("private") is False:
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "visibility", "private", "public", facts)]
    if parsed.action == "move" and isinstance(parsed.details.get("moved_to"), str):
        moved_to = parsed.details["moved_to"]
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "move", parsed.repo_id, moved_to, facts)]
    if parsed.action == "delete" and parsed.source == "hub":
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "delete", facts=facts)]
    return []


def report_violations(parsed: Parsed, event: Event) -> None:
    """Record a violation event per rule the delivered change breaks. Never fails the delivery."""
    try:
        changes = changes_of(parsed)
        violations = guardrails.check(None, changes) if changes else []
        if not violations or _overridden_here(parsed.repo_id):
            return
        for violation in violations:
            record(
                action=event.action,
                summary=f"broke the guardrail “{violation.rule}” on the Hub"[:300],
                repo_type=parsed.repo_type,
                repo_id=violation.repo_id or parsed.repo_id,
                private=parsed.private,
                details={"violation": violation.message, "rule": violation.rule, "webhook_event": event.pk},
            )
    except Exception:  # the delivery is stored: a rule that could not be checked must not make the Hub retry
        logger.exception("webhook: could not check the guardrails for %s", parsed.repo_id)


def _overridden_here(repo_id: str) -> bool:
    since = timezone.now() - OVERRIDE_WINDOW
    return Event.objects.filter(
        source="hubdash", repo_id=repo_id, received_at__gte=since, details__has_key="override"
    ).exists()
