"""A stored webhook delivery about a watched namespace's discussion updates the inbox.

The receiver (hubdash.activity) sends `delivery_stored` for each new delivery; here, without calling the Hub:

- a `discussion` or `discussion.comment` delivery marks its namespace covered (webhooks keep it current, so
  the hourly refresh leaves it alone) and applies what the payload says at once (status, title);
- a `discussion` / `delete` removes the row; a `repo` / `delete` removes the repo's rows, and a `repo` /
  `move` takes them to its new name (or removes them when that namespace is not watched);
- otherwise (a new item, a comment, a status or title change, `repo.content` on `refs/pr/N`: commits pushed to
  a pull request) one task is enqueued that reads the details of that one item (one Hub call) with the
  token of the person who lent it for the namespace's discussions, and writes its row; while one waits to
  start, further deliveries about the item enqueue nothing (`PendingRead`), and each read waits its turn in
  the token's quota (the jobs' Pacer). When it cannot (no token fit to use, the Hub busy), the next hourly
  run reads it: the item's details, or for an item new since the last read, its repo's list (which brings it).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from hubdash import hub
from hubdash.activity.payloads import Parsed
from hubdash.hub import discussions as hub_discussions
from hubdash.hub.parse import valid_repo_id
from hubdash.hub.repo_types import KINDS
from hubdash.hub.rights import writable_namespaces
from hubdash.jobs.delegation import delegate_of, pause_of

from . import mirror, refresh
from .models import OPEN_STATUSES, TITLE_MAX, Discussion, DiscussionRepo, PendingRead, WatchedNamespace

logger = logging.getLogger(__name__)

CAPABILITY = "discussions"
_PR_REF = re.compile(r"refs/pr/(\d{1,9})")
PENDING_FOR = timedelta(minutes=15)  # a read enqueued this long ago and not started: its worker stopped


def _is_repo_id(repo_id: str) -> bool:
    """A repo id the Hub could send: a namespace and a name, each as the Hub allows."""
    return "/" in repo_id and valid_repo_id(repo_id)


def on_delivery(sender: object, parsed: Parsed, **kwargs: Any) -> None:
    """The receiver's `delivery_stored`: never calls the Hub (the Hub waits for the answer)."""
    if parsed.source != "hub" or parsed.repo_type not in KINDS or not _is_repo_id(parsed.repo_id):
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
    if scope == "repo" and hub_action == "move":
        _moved(parsed.repo_type, parsed.repo_id, str(parsed.details.get("moved_to") or ""))
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
    if scope == "discussion" and said.get("status") in (*OPEN_STATUSES, "closed", "merged"):
        rows.update(status=said["status"])
    if scope == "discussion" and said.get("title"):
        title = str(said["title"])[:TITLE_MAX]
        for row in rows.only("author"):  # the text filter finds the new title at once
            rows.update(title=title, search_text=mirror.search_text(title, row.author, parsed.repo_id, num))
    _read_soon(parsed.repo_type, parsed.repo_id, num)


def _read_soon(repo_type: str, repo_id: str, num: int) -> None:
    """Enqueue one read of the item's details, unless one waits to start already: a burst of deliveries about
    one item (comments in a row, a push and its status change) is one Hub call."""
    now = timezone.now()
    with transaction.atomic():
        pending, created = PendingRead.objects.select_for_update().get_or_create(
            repo_type=repo_type, repo_id=repo_id, num=num, defaults={"queued_at": now}
        )
        if not created:
            if pending.queued_at > now - PENDING_FOR:
                return
            PendingRead.objects.filter(pk=pending.pk).update(queued_at=now)  # its worker stopped: ask again
        read_item.enqueue(repo_type, repo_id, num)


def _moved(repo_type: str, old: str, new: str) -> None:
    """A renamed or transferred repo: its rows follow it when its new namespace is watched, else they go."""
    rows = Discussion.objects.filter(repo_type=repo_type, repo_id=old)
    repos = DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=old)
    namespace = new.partition("/")[0]
    # A target no repo could have (no namespace, a name the Hub refuses): the rows go rather than take a name
    # no page has; the namespace's next read, or a delivery about the repo under its new name, brings them.
    if not _is_repo_id(new) or not WatchedNamespace.objects.filter(namespace=namespace).exists():
        rows.delete()
        repos.update(gone=True)
        return
    with transaction.atomic():
        Discussion.objects.filter(repo_type=repo_type, repo_id=new).delete()  # rows of a repo once named so
        DiscussionRepo.objects.filter(repo_type=repo_type, repo_id=new).delete()
        for row in rows:
            row.repo_id, row.namespace = new, namespace
            row.search_text = mirror.search_text(row.title, row.author, new, row.num)
            row.save(update_fields=["repo_id", "namespace", "search_text"])
        repos.update(repo_id=new, namespace=namespace)


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


def _left_for_later(repo_type: str, repo_id: str, num: int) -> None:
    """An item a delivery could not read: its row is marked for the next hourly run to read its details; an
    item without a row yet (new since the last read) marks its repo to be listed again, which brings it."""
    if Discussion.objects.filter(repo_type=repo_type, repo_id=repo_id, num=num).update(details_at=None):
        return
    repo, _ = DiscussionRepo.objects.get_or_create(
        repo_type=repo_type, repo_id=repo_id, defaults={"namespace": repo_id.partition("/")[0]}
    )
    if repo.listed_at is not None or repo.gone:
        DiscussionRepo.objects.filter(pk=repo.pk).update(listed_at=None, gone=False)


@task()
def read_item(repo_type: str, repo_id: str, num: int) -> str:
    """Read one item's details (one Hub call) into its row, with the namespace's lent token. Without one
    fit to use, or when the Hub does not answer, the item is left for the next hourly run (`_left_for_later`)."""
    namespace = repo_id.partition("/")[0]
    rows = Discussion.objects.filter(repo_type=repo_type, repo_id=repo_id, num=num)
    # From here, a delivery about the item enqueues another read: this one may miss what it says.
    PendingRead.objects.filter(repo_type=repo_type, repo_id=repo_id, num=num).delete()
    if repo_type not in KINDS:
        return "not a repo type hubdash reads"
    client = lender_client(namespace)
    if client is None:
        _left_for_later(repo_type, repo_id, num)
        return "no token lent for this namespace's discussions: left for the next refresh"
    pacer = refresh.pacer_for(client)  # the token's quota spread as the jobs spread it, a reserve kept
    try:
        raw = hub_discussions.details(client, repo_type, repo_id, num, pacer.before_call)
    except hub.NotFound:
        rows.delete()
        return "gone from the Hub"
    except hub.HubError as err:
        _left_for_later(repo_type, repo_id, num)
        logger.warning("discussions: could not read %s#%s: %s", repo_id, num, err.message)
        return f"could not read it: {err.message}"[:300]
    mirror.record_details(repo_type, repo_id, raw)
    return "updated"
