"""A stored webhook delivery about a watched namespace's discussion updates the inbox.

The receiver (hubdash.activity) sends `delivery_stored` for each new delivery; here, without calling the Hub:

- a `discussion` or `discussion.comment` delivery marks its namespace covered (webhooks keep it current, so
  the hourly refresh leaves it alone) and applies what the payload says at once (status, title);
- a `discussion` / `delete` removes the row; a `repo` / `delete` removes the repo's rows;
- otherwise (a new item, a comment, a status or title change, `repo.content` on `refs/pr/N`: commits pushed to
  a pull request) one task is enqueued that reads the details of that one item (one Hub call) with the
  token of the person who lent it for the namespace's discussions, and writes its row.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from django.utils import timezone
from django_tasks import task

from hubdash import hub
from hubdash.activity.payloads import Parsed
from hubdash.hub import discussions as hub_discussions
from hubdash.hub.repo_types import KINDS
from hubdash.hub.rights import writable_namespaces
from hubdash.jobs.delegation import delegate_of, pause_of

from . import mirror
from .models import OPEN_STATUSES, Discussion, DiscussionRepo, WatchedNamespace

logger = logging.getLogger(__name__)

CAPABILITY = "discussions"
_PR_REF = re.compile(r"refs/pr/(\d{1,9})")


def on_delivery(sender: object, parsed: Parsed, **kwargs: Any) -> None:
    """The receiver's `delivery_stored`: never calls the Hub (the Hub waits for the answer)."""
    if parsed.source != "hub" or parsed.repo_type not in KINDS or not parsed.namespace:
        return
    watched = WatchedNamespace.objects.filter(namespace=parsed.namespace).first()
    if watched is None:
        return
    scope = str(parsed.details.get("scope", ""))
    hub_action = str(parsed.details.get("hub_action", ""))
    if parsed.private is not None:
        _visibility(parsed.repo_type, parsed.repo_id, parsed.private)
    if scope == "repo" and hub_action == "delete":
        Discussion.objects.filter(repo_type=parsed.repo_type, repo_id=parsed.repo_id).delete()
        DiscussionRepo.objects.filter(repo_type=parsed.repo_type, repo_id=parsed.repo_id).update(gone=True)
        return
    num = _item_number(parsed, scope)
    if num is None:
        return
    if scope.startswith("discussion"):
        WatchedNamespace.objects.filter(pk=watched.pk).update(last_delivery_at=timezone.now())
    rows = Discussion.objects.filter(repo_type=parsed.repo_type, repo_id=parsed.repo_id, num=num)
    if scope == "discussion" and hub_action == "delete":
        rows.delete()
        return
    said = parsed.details.get("discussion") or {}
    facts: dict[str, object] = {}
    if scope == "discussion" and said.get("status") in (*OPEN_STATUSES, "closed", "merged"):
        facts["status"] = said["status"]
    if scope == "discussion" and said.get("title"):
        facts["title"] = str(said["title"])[:300]
    if facts:
        rows.update(**facts)
    read_item.enqueue(parsed.repo_type, parsed.repo_id, num)


def _item_number(parsed: Parsed, scope: str) -> int | None:
    """The item the delivery is about: the discussion's number, or the pull request a push went to."""
    if scope.startswith("discussion"):
        said = parsed.details.get("discussion") or {}
        num = said.get("num") if isinstance(said, dict) else None
        return num if isinstance(num, int) and not isinstance(num, bool) and num > 0 else None
    if scope.startswith("repo.content"):
        for ref in parsed.details.get("refs") or []:
            match = _PR_REF.fullmatch(str(ref.get("ref", "")) if isinstance(ref, dict) else "")
            if match:
                return int(match.group(1))  # one item per delivery: one Hub call at most
    return None


def _visibility(repo_type: str, repo_id: str, private: bool) -> None:
    DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=repo_id).exclude(private=private).update(private=private)
    Discussion.objects.filter(repo_type=repo_type, repo_id=repo_id).exclude(private=private).update(private=private)
    if not DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=repo_id).exists():
        DiscussionRepo.objects.get_or_create(
            repo_type=repo_type,
            repo_id=repo_id,
            defaults={"namespace": repo_id.partition("/")[0], "private": private},
        )


def lender_client(namespace: str) -> hub.HubClient | None:
    """A client with the token lent for this namespace's discussions, checked without calling the Hub (the
    hourly job checks it with the Hub at each run); None when nobody fit lent one or the work is paused."""
    person = delegate_of(CAPABILITY, namespace)
    if person is None or not person.is_active or pause_of(CAPABILITY, namespace) is not None:
        return None
    status = hub.token_status(person)
    if status is None or status.state != "valid":
        return None
    if namespace not in writable_namespaces(person, ask_hub=False):
        return None
    return hub.client_for(person)


@task()
def read_item(repo_type: str, repo_id: str, num: int) -> str:
    """Read one item's details (one Hub call) into its row, with the namespace's lent token. Without one
    fit to use, the row is marked for the next refresh to read."""
    namespace = repo_id.partition("/")[0]
    rows = Discussion.objects.filter(repo_type=repo_type, repo_id=repo_id, num=num)
    client = lender_client(namespace)
    if client is None or repo_type not in KINDS:
        rows.update(details_at=None)
        return "no token lent for this namespace's discussions: left for the next refresh"
    try:
        raw = hub_discussions.details(client, repo_type, repo_id, num)
    except hub.NotFound:
        rows.delete()
        return "gone from the Hub"
    except hub.HubError as err:
        rows.update(details_at=None)
        logger.warning("discussions: could not read %s#%s: %s", repo_id, num, err.message)
        return f"could not read it: {err.message}"[:300]
    mirror.record_details(repo_type, repo_id, raw)
    return "updated"
