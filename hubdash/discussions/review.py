"""One discussion or pull request, `/{type}s/{ns}/{name}/discussions/{num}/`, and acting on it as oneself.

Read live with the person's own token (hubdash.hub.discussion_review caches each answer briefly for that token
only), so a private repo's discussion is a 404 to whoever's token may not read the repo, as its repo page is.
The page's one form posts to the page itself: comment, preview, close, reopen, merge (asking first, naming the
target branch). With htmx the conversation region swaps in place; without it, a success redirects back to the
page and a refusal answers the whole page, the typed comment kept in the box either way. Each action is sent
with the person's token, recorded in the feed, and brings the inbox's row up to date at once (the mirror).
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from hubdash import hub
from hubdash.activity import record
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region, hub_error_page
from hubdash.core.markdown import render_markdown
from hubdash.hub import discussion_review as hub_review
from hubdash.hub import repos as hub_repos
from hubdash.hub.repo_types import Kind, RepoDetail

from . import mirror, review_diff
from .review_forms import ActForm

FRAGMENT_HEADERS = ("HX-Request", "HX-Target", "HX-History-Restore-Request")
CHANGED = "discussions-changed"  # the HX-Trigger event after an action: regions that count discussions refresh
MERGED = "pull-request-merged"  # and after a merge: the pull request's files region reads itself again
ROLE_WORDS = {"owner": "Owner", "member": "Member", "outsider": "Outsider"}
KEPT_SECONDS = 60 * 60  # a diff read into files, a comment rendered: kept this long after their last use


def _wants_fragment(request: AuthedRequest) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


def _client(request: AuthedRequest) -> hub.HubClient:
    try:
        return hub.client_for(request.user)
    except hub.TokenKeyError:
        raise hub.BadToken("hubdash can no longer decrypt your stored token (its key was removed).") from None


def _read(client: hub.HubClient, kind: Kind, repo_id: str, num: int) -> tuple[hub_review.Thread, RepoDetail | None]:
    """The item and its repo (for the repo's visibility), asked at once. Raises the item's HubError, or Moved
    when the repo was renamed (the Hub answers the item under its old name too, which would be recorded so)."""
    answers = hub_repos.run_together(
        {
            "thread": lambda: hub_review.thread(client, kind, repo_id, num),
            "repo": lambda: hub_repos.repo_detail(client, kind, repo_id, None),
        },
        hub_repos.PAGE_BUDGET_S,
    )
    repo = answers["repo"]
    if isinstance(repo, hub.Moved):
        raise repo
    thread = answers["thread"]
    if isinstance(thread, hub.HubError):
        raise thread
    return thread, None if isinstance(repo, hub.HubError) else repo


def _failure(request: AuthedRequest, err: hub.HubError, kind: Kind, repo_id: str, num: int) -> HttpResponse:
    if isinstance(err, hub.Moved):
        namespace, name = err.new_id.split("/", 1)
        return redirect(reverse(f"{kind}-discussion", kwargs={"namespace": namespace, "name": name, "num": num}))
    return hub_error_page(request, err, what=f"{repo_id} #{num}")


def _gap(request: AuthedRequest, repo_id: str) -> str | None:
    try:
        return hub_review.acting_gap(request.user, repo_id)
    except hub.HubError as err:
        return f"hubdash could not ask the Hub what your token may do ({err.message}). Reload to try again."


def _noun(thread: hub_review.Thread) -> str:
    return "pull request" if thread.is_pull_request else "discussion"


# -- what the page shows -----------------------------------------------------------------------------------


def _comment_key(thread: hub_review.Thread, event: hub_review.Event) -> str:
    """A comment's version: its event's id, its latest version's date and its text (the same words render the
    same for whoever may read them)."""
    digest = hashlib.blake2b(event.content.encode(), digest_size=16).hexdigest()
    return f"discussions:comment:{thread.kind}:{thread.repo_id}:{event.id}:{event.updated_at}:{digest}"


def _conversation(thread: hub_review.Thread) -> list[dict[str, Any]]:
    """The events in order, each comment rendered and sanitised once per version (kept, so a reload renders
    nothing: one read of the cache for them all)."""
    base = hub_repos.hub_url(thread.kind, thread.repo_id) + "/"
    keys = {
        event.id: _comment_key(thread, event) for event in thread.events if event.type == "comment" and event.content
    }
    kept = cache.get_many(list(keys.values())) if keys else {}
    rendered: dict[str, str] = {}
    items = []
    for event in thread.events:
        html = ""
        if event.id in keys:
            found = kept.get(keys[event.id])
            html = found if isinstance(found, str) else render_markdown(event.content, base, demote=2)
            if not isinstance(found, str):
                rendered[keys[event.id]] = html
        items.append({"event": event, "role": ROLE_WORDS[event.author.role], "html": html})
    if rendered:
        cache.set_many(rendered, KEPT_SECONDS)
    return items


def _parsed(thread: hub_review.Thread) -> review_diff.ParsedDiff | None:
    """A pull request's diff read into files, once per diff: kept under the digest of its text, so reloads
    and the regions that read themselves again draw from the first reading."""
    if not thread.is_pull_request:
        return None
    key = f"discussions:diff:{thread.diff_digest}"
    parsed = cache.get(key) if thread.diff_digest else None
    if not isinstance(parsed, review_diff.ParsedDiff):
        parsed = review_diff.parse(thread.diff)
        if thread.diff_digest:
            cache.set(key, parsed, KEPT_SECONDS)
    return parsed


def _files(
    request: AuthedRequest, client: hub.HubClient, thread: hub_review.Thread, parsed: review_diff.ParsedDiff
) -> dict[str, Any]:
    """A pull request's files: what the diff says of each, with its size at the target branch's head and at
    refs/pr/N (one paths-info call each, at once) for those drawn; the others named, or counted."""
    paths = parsed.paths
    target = thread.target_branch or "main"
    answers = hub_repos.run_together(
        {
            "before": lambda: hub_review.path_states(client, thread.kind, thread.repo_id, thread.num, target, paths),
            "after": lambda: hub_review.path_states(
                client, thread.kind, thread.repo_id, thread.num, thread.pr_ref, paths
            ),
        },
        hub_repos.FRAGMENT_BUDGET_S,
    )
    before, after = answers["before"], answers["after"]
    failed = next((answer for answer in (before, after) if isinstance(answer, hub.HubError)), None)
    before = {} if isinstance(before, hub.HubError) else before
    after = {} if isinstance(after, hub.HubError) else after
    rows = [
        {
            "file": item,
            "before": before.get(item.old_path or item.path),
            "after": after.get(item.path),
        }
        for item in parsed.drawn
    ]
    return {
        "files": rows,
        "listed": parsed.listed,
        "more_files": parsed.more_files,
        "diff_cut": parsed.cut or thread.diff_cut,
        "sizes_error": error_region(request, failed) if failed is not None else None,
        "additions": sum(item.additions for item in parsed.files if not item.lfs),
        "deletions": sum(item.deletions for item in parsed.files if not item.lfs),
    }


def _context(
    request: AuthedRequest, thread: hub_review.Thread, repo: RepoDetail | None, form: ActForm, **extra: Any
) -> dict[str, Any]:
    namespace, name = thread.repo_id.split("/", 1)
    parsed = _parsed(thread)  # once: the head counts its files
    return {
        "parsed": parsed,
        "file_count": parsed.file_count if parsed is not None else 0,
        "thread": thread,
        "title_bidi": review_diff.BIDI.search(thread.title) is not None,
        "repo": repo.summary if repo is not None else None,
        "kind": thread.kind,
        "namespace": namespace,
        "name": name,
        "noun": _noun(thread),
        "conversation": _conversation(thread),
        "form": form,
        "gap": _gap(request, thread.repo_id),
        "page_url": _page_url(thread),
        "diff_url": reverse(
            f"{thread.kind}-discussion-diff", kwargs={"namespace": namespace, "name": name, "num": thread.num}
        ),
        **extra,
    }


def _page_url(thread: hub_review.Thread) -> str:
    namespace, name = thread.repo_id.split("/", 1)
    return reverse(f"{thread.kind}-discussion", kwargs={"namespace": namespace, "name": name, "num": thread.num})


# -- the page and its actions --------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
@cache_control(private=True, no_store=True)  # read with the person's own token: a private repo's words
@vary_on_headers(*FRAGMENT_HEADERS)
def review(request: AuthedRequest, kind: Kind, namespace: str, name: str, num: int) -> HttpResponse:
    repo_id = f"{namespace}/{name}"
    try:
        client = _client(request)
        try:
            thread, repo = _read(client, kind, repo_id, num)
        except hub.Moved as moved:
            if request.method != "POST":
                raise
            # Sent from a page read before the repo was renamed: acted on, and recorded, under its new name.
            thread, repo = _read(client, kind, moved.new_id, num)
    except hub.HubError as err:
        return _failure(request, err, kind, repo_id, num)
    if request.method == "POST":
        response = _act(request, client, thread, repo)
        if thread.repo_id != repo_id and _wants_fragment(request):
            response["HX-Replace-Url"] = _page_url(thread)  # the address bar follows the rename
        return response
    context = _context(request, thread, repo, ActForm())
    files_only = _wants_fragment(request) and request.htmx.target == "files"
    if thread.is_pull_request and (files_only or not _wants_fragment(request)):
        context.update(_files(request, client, thread, context["parsed"]))
    if files_only:  # the files region reading itself again after a merge
        return render(request, "discussions/review.html#files", context)
    if _wants_fragment(request):
        return render(request, "discussions/review.html#thread", context)
    return render(request, "discussions/review.html", context)


def _act(
    request: AuthedRequest, client: hub.HubClient, thread: hub_review.Thread, repo: RepoDetail | None
) -> HttpResponse:
    form = ActForm(request.POST)
    extra: dict[str, Any] = {}
    status = 200
    if not form.is_valid():
        status = 400
    elif (gap := _gap(request, thread.repo_id)) is not None:
        extra["error"], status = gap, 403
    else:
        action, text = form.cleaned_data["action"], form.cleaned_data["text"]
        if action == "preview":
            base = hub_repos.hub_url(thread.kind, thread.repo_id) + "/"
            extra["preview"] = render_markdown(text, base, demote=2)
        elif action == "merge":
            if thread.is_pull_request and thread.status == "open":
                extra["confirm_merge"] = True
            else:
                extra["error"], status = _not_mergeable(thread), 400
        elif action in ("comment", "close", "reopen", "merge-confirmed"):
            return _send(request, client, thread, repo, form, action, text)
    return _answer(request, thread, repo, form, status, **extra)


def _answer(
    request: AuthedRequest,
    thread: hub_review.Thread,
    repo: RepoDetail | None,
    form: ActForm,
    status: int,
    **extra: Any,
) -> HttpResponse:
    """The conversation region (htmx) or the whole page, the box holding what was typed."""
    context = _context(request, thread, repo, form, **extra)
    if _wants_fragment(request):
        return render(request, "discussions/review.html#thread", context, status=status)
    if thread.is_pull_request:
        context.update(_files(request, _client(request), thread, context["parsed"]))
    return render(request, "discussions/review.html", context, status=status)


DONE = {
    "comment": "commented on {noun} #{num}",
    "close": "closed {noun} #{num}",
    "reopen": "reopened {noun} #{num}",
    "merge-confirmed": "merged pull request #{num} into {branch}",
}


def _send(
    request: AuthedRequest,
    client: hub.HubClient,
    thread: hub_review.Thread,
    repo: RepoDetail | None,
    form: ActForm,
    action: str,
    text: str,
) -> HttpResponse:
    kind, repo_id, num = thread.kind, thread.repo_id, thread.num
    summary = DONE[action].format(noun=_noun(thread), num=num, branch=thread.target_branch or "main")
    try:
        if action == "comment":
            hub_review.comment(client, kind, repo_id, num, text)
        elif action == "merge-confirmed":
            hub_review.merge(client, kind, repo_id, num, text)
        else:
            hub_review.change_status(client, kind, repo_id, num, "closed" if action == "close" else "open", text)
    except hub.HubError as err:
        if not isinstance(err, hub.RateLimited | hub.HubUnavailable):
            # The page shows the item as the Hub now has it (closed or merged meanwhile, say), not as cached.
            with contextlib.suppress(hub.HubError):
                thread = hub_review.thread(client, kind, repo_id, num)
        reason = _refusal(err, action, thread)
        _record(request, thread, repo, action, f"{summary} failed", reason)
        return _answer(request, thread, repo, form, err.status if err.status >= 400 else 502, error=reason)
    _record(request, thread, repo, action, summary, None)
    fresh: hub_review.Thread | None
    try:
        fresh = hub_review.thread(client, kind, repo_id, num)
    except hub.HubError:
        fresh = None
    if fresh is not None and fresh.details is not None:
        mirror.record_details(kind, repo_id, fresh.details)
    done = summary[0].upper() + summary[1:] + "."
    if not _wants_fragment(request):
        messages.success(request, done)
        namespace, name = repo_id.split("/", 1)
        url = reverse(f"{kind}-discussion", kwargs={"namespace": namespace, "name": name, "num": num})
        return redirect(url + "#thread")
    if fresh is None:  # done, but the Hub did not answer the read back: the whole page asks again
        return HttpResponseClientRefresh()
    response = _answer(request, fresh, repo, ActForm(), 200, done=done)
    if action == "merge-confirmed":
        trigger_client_event(response, MERGED, {"repo": repo_id, "num": num})
    return trigger_client_event(response, CHANGED, {"repo": repo_id, "num": num})


def _not_mergeable(thread: hub_review.Thread) -> str:
    if not thread.is_pull_request:
        return "A discussion has nothing to merge."
    if thread.status == "draft":
        return "This pull request is a draft: it can be merged once its author has pushed changes to it."
    return f"This pull request is {thread.status}: there is nothing to merge."


def _refusal(err: hub.HubError, action: str, thread: hub_review.Thread) -> str:
    """The Hub's refusal in plain words, where the action was."""
    namespace = thread.repo_id.split("/", 1)[0]
    branch = thread.target_branch or "main"
    if isinstance(err, hub.NoToken):
        return "Connect your Hub token on your profile first."
    if isinstance(err, hub.BadToken):
        return "The Hub rejected your token (revoked or expired). Connect it again on your profile, then retry."
    if isinstance(err, hub.RateLimited):
        return f"{err.message} Nothing was sent; your comment is kept below."
    if isinstance(err, hub.HubUnavailable):
        # Sent, and the answer lost: it may have happened. Never claim nothing changed.
        return f"{err.message} The Hub did not confirm it: reload the page to see whether it happened."
    if isinstance(err, hub.NotFound):
        return f"The Hub no longer has this {_noun(thread)}, or your token may not see it. ({err.message})"
    if action == "merge-confirmed":
        if thread.status != "open":
            return f"{_not_mergeable(thread)} (The Hub says: {err.message})"
        if isinstance(err, hub.NoAccess):
            return (
                f"The Hub refused to merge: only people who may write to {namespace}'s repos can merge its "
                f"pull requests. ({err.message})"
            )
        if thread.has_conflicts:
            files = ", ".join(thread.conflicting_files) or "files it cannot list"
            return (
                f"The Hub could not merge: this pull request conflicts with {branch} ({files}). "
                f"Resolve the conflicts on the pull request's branch first. ({err.message})"
            )
    if not thread.is_open and action in ("comment", "merge-confirmed", "close"):
        return f"This {_noun(thread)} is {thread.status}: the Hub refused. ({err.message})"
    if isinstance(err, hub.NoAccess):
        verb = {"comment": "comment", "close": "close it", "reopen": "reopen it"}.get(action, "do this")
        return f"The Hub refused: your token may not {verb} here. ({err.message})"
    return err.message


def _record(
    request: AuthedRequest,
    thread: hub_review.Thread,
    repo: RepoDetail | None,
    action: str,
    summary: str,
    error: str | None,
) -> None:
    outcome = {"outcome": "failed", "reason": error} if error else {"outcome": "success"}
    record(
        action="comment" if action == "comment" else "discussion",
        summary=f"{summary}: {thread.title}",
        member=request.user,
        repo_type=thread.kind,
        repo_id=thread.repo_id,
        private=repo.summary.private if repo is not None else None,
        details={**outcome, "num": thread.num, "title": thread.title, "url": thread.hub_url, "kind": _noun(thread)},
    )


@require_safe
@cache_control(private=True, no_store=True)
def raw_diff(request: AuthedRequest, kind: Kind, namespace: str, name: str, num: int) -> HttpResponse:
    """The pull request's whole diff as the Hub gave it, as plain text (never drawn as a page)."""
    repo_id = f"{namespace}/{name}"
    try:
        thread = hub_review.thread(_client(request), kind, repo_id, num)
    except hub.HubError as err:
        return _failure(request, err, kind, repo_id, num)
    if not thread.is_pull_request:
        raise Http404("A discussion has no diff.")
    response = HttpResponse(thread.diff, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{name}-pr-{num}.diff"'
    return response
