"""Changes made on the Hub itself that break a team guardrail (hubdash.core.guardrails): each shows in the
feed as a violation of its own when its webhook arrives. hubdash reports them; it never reverts them.

A payload says little: that a repo was made public, moved, deleted, or that its settings changed (gating
among them, unsaid). Rules that need no more are judged in the receiver's request, which makes no Hub call.
Rules on the license, the downloads or the gating need facts the payload lacks: the delivery is then judged
by a task (`judge_delivery`, on the worker), which finds them through core's registry (what hubdash already
knows of the repo, else one Hub call for its info) and records what it finds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from hubdash.core import guardrails

from .models import Event
from .payloads import BadPayload, Parsed, parse
from .recording import record

logger = logging.getLogger(__name__)

# A change hubdash itself made with an admin's override comes back as a webhook: it is not reported twice.
OVERRIDE_WINDOW = timedelta(minutes=10)


def changes_of(parsed: Parsed) -> list[guardrails.Change]:
    """What the delivery says changed, as the guardrails read changes."""
    facts = {"private": parsed.private} if parsed.private is not None else {}
    if parsed.action == "settings" and parsed.details.get("private") is False:
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "visibility", "private", "public", facts)]
    if parsed.action == "settings" and "private" not in parsed.details and parsed.source == "hub":
        # settings changed, the Hub does not say which: perhaps the gating (read when a rule needs it)
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "gating", facts=facts)]
    if parsed.action == "move" and isinstance(parsed.details.get("moved_to"), str):
        moved_to = parsed.details["moved_to"]
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "move", parsed.repo_id, moved_to, facts)]
    if parsed.action == "delete" and parsed.source == "hub":
        return [guardrails.Change(parsed.repo_type, parsed.repo_id, "delete", facts=facts)]
    return []


def report_violations(parsed: Parsed, event: Event) -> None:
    """Record a violation event per rule the delivered change breaks, now when the payload says enough, else
    from a task (the receiver does not wait on the Hub). Never fails the delivery."""
    try:
        changes = changes_of(parsed)
        if not changes:
            return
        if guardrails.needs_facts(changes):
            judge_delivery.enqueue(event.pk)
            return
        _record(parsed, event, guardrails.check(None, changes))
    except Exception:  # the delivery is stored: a rule that could not be checked must not make the Hub retry
        logger.exception("webhook: could not check the guardrails for %s", parsed.repo_id)


@task()
def judge_delivery(event_id: int) -> str:
    """Judge a stored delivery with the facts its rules need (at most one Hub call), and record what it breaks."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.raw_body is None:
        return "no such delivery"
    try:
        parsed = parse(json.loads(bytes(event.raw_body)))
    except (ValueError, BadPayload):
        return "unreadable"
    changes = guardrails.read_facts(changes_of(parsed), parsed.details.get("head_sha"))
    violations = guardrails.check(None, changes)
    _record(parsed, event, violations)
    return f"{len(violations)} violation{'s' if len(violations) != 1 else ''}"


def _record(parsed: Parsed, event: Event, violations: Sequence[guardrails.Violation]) -> None:
    if not violations or _overridden_here(parsed.repo_id):
        return
    moved_to = parsed.details.get("moved_to") if parsed.action == "move" else None
    for violation in violations:
        record(
            action=event.action,
            summary=f"broke the guardrail “{violation.rule}” on the Hub"[:300],
            repo_type=parsed.repo_type,
            repo_id=moved_to if isinstance(moved_to, str) else (violation.repo_id or parsed.repo_id),  # its name now
            private=parsed.private,
            details={"violation": violation.message, "rule": violation.rule, "webhook_event": event.pk},
        )


def _overridden_here(repo_id: str) -> bool:
    since = timezone.now() - OVERRIDE_WINDOW
    return Event.objects.filter(
        source="hubdash", repo_id=repo_id, received_at__gte=since, details__has_key="override"
    ).exists()
