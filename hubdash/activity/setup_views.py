"""`/webhooks/` (admins): the receiver's URL and secrets, the admin's webhooks on the Hub, a test event.

Every change is a POST that is recorded in the feed as a team event, then redirects back (a new secret
is the exception: its value is shown in the answer to the POST, once, and never stored). The Hub's
webhook API is per user, so the page shows the signed-in admin's own webhooks, called with their token.
"""

from __future__ import annotations

import json
import secrets as secrets_module
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from hubdash import hub
from hubdash.accounts.permissions import admin_required
from hubdash.core.http import AuthedRequest
from hubdash.core.hub_errors import error_region
from hubdash.hub import webhooks as hub_webhooks

from .models import Event, WebhookSecret
from .payloads import parse
from .recording import record, store_delivery
from .setup_forms import RegisterForm, SecretForm

HOOK_LABEL = "Hub webhook {}"  # the secret registered with a Hub webhook is named after it
UNDECRYPTABLE = "hubdash can no longer decrypt your stored token (its key was removed)."
TEST_SOURCE = "test event sent from /webhooks/"


def receiver_url(request: AuthedRequest) -> str:
    """Where the Hub should deliver: this hubdash as the browser reached it (behind a proxy, as the proxy says)."""
    return request.build_absolute_uri(reverse("hub-webhook"))


def _client(request: AuthedRequest) -> hub.HubClient:
    try:
        return hub.client_for(request.user)
    except hub.TokenKeyError:
        raise hub.BadToken(UNDECRYPTABLE) from None


def _last_heard(hooks: tuple[hub.HubWebhook, ...]) -> dict[str, datetime | None]:
    """When a delivery from each webhook last arrived: its id in the payload, or its own secret matched."""
    heard: dict[str, datetime | None] = {}
    for hook in hooks:
        by_secret = f"secret “{HOOK_LABEL.format(hook.id)}”"
        heard[hook.id] = (
            Event.objects.filter(source__in=("hub", "legacy"))
            .filter(Q(details__webhook_id=hook.id) | Q(verified_by__startswith=by_secret))
            .aggregate(last=Max("received_at"))["last"]
        )
    return heard


WEBHOOKS_SCOPE = "webhooks"


def _page(request: AuthedRequest, status: int = 200, **extra: Any) -> HttpResponse:
    url = receiver_url(request)
    secrets = list(WebhookSecret.objects.filter(retired_at=None))
    context: dict[str, Any] = {
        "receiver_url": url,
        "secrets": secrets,
        # Without any secret the receiver refuses every delivery: the test button would only answer 409.
        "can_test": bool(settings.WEBHOOK_SECRETS or secrets),
        "retired": WebhookSecret.objects.exclude(retired_at=None)[:10],
        "env_secrets": len(settings.WEBHOOK_SECRETS),
        "secret_form": extra.pop("secret_form", None) or SecretForm(),
        "hooks": [],
        "hooks_error": None,
        **extra,
    }
    identity = None
    token = hub.token_status(request.user)
    if token is not None and token.is_oauth and not token.has_scope(WEBHOOKS_SCOPE):
        # The Hub would refuse with a bare 403; say which grant is missing and how to get it.
        context["scope_gap"] = (
            f"Your Hugging Face sign-in did not grant the {WEBHOOKS_SCOPE} scope that managing webhooks needs. Ask "
            "an admin to add it to HUBDASH_HF_OAUTH_SCOPES, then sign in with Hugging Face again and approve it."
        )
    if token is None:
        context["hooks_error"] = error_region(request, hub.NoToken("Connect your Hub token to manage its webhooks."))
    else:
        try:
            hooks = hub_webhooks.list_webhooks(_client(request))
            heard = _last_heard(hooks)
            context["hooks"] = [
                {"hook": h, "points_here": h.url.rstrip("/") == url.rstrip("/"), "last_heard": heard[h.id]}
                for h in hooks
            ]
            identity = hub.identity_for(request.user)
        except hub.TokenKeyError:
            context["hooks_error"] = error_region(request, hub.BadToken(UNDECRYPTABLE))
        except hub.HubError as err:
            context["hooks_error"] = error_region(request, err)
    context.setdefault("register_form", RegisterForm(identity=identity))
    context["can_register"] = identity is not None
    return render(request, "activity/webhooks.html", context, status=status)


def _failure(request: AuthedRequest, err: hub.HubError) -> HttpResponse:
    """The page again with the Hub's refusal above it; "Retry" reloads the page, not the POST's URL."""
    region = {**error_region(request, err), "retry_url": reverse("webhook-setup")}
    return _page(request, status=err.status, action_error=region)


def _record(request: AuthedRequest, summary: str, **details: Any) -> None:
    record(action="team", summary=summary, member=request.user, details=details)


@require_safe
@admin_required
@never_cache
def setup(request: AuthedRequest) -> HttpResponse:
    return _page(request)


# -- secrets -----------------------------------------------------------------------------------------


@require_POST
@admin_required
@never_cache
def new_secret(request: AuthedRequest) -> HttpResponse:
    """A new secret, shown in this answer only: hubdash keeps its digest and cannot show it again."""
    form = SecretForm(request.POST)
    if not form.is_valid():
        return _page(request, status=400, secret_form=form)
    row, value = WebhookSecret.generate(form.cleaned_data["label"], created_by=request.user)
    _record(request, f"generated the webhook secret “{row.label}”", secret=str(row))
    return _page(request, status=201, new_secret={"row": row, "value": value})


@require_POST
@admin_required
def retire_secret(request: AuthedRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(WebhookSecret, pk=pk, retired_at=None)
    row.retire()
    _record(request, f"retired the webhook secret “{row.label}”", secret=str(row))
    messages.success(request, f"Retired {row}: deliveries signed with it are now refused.")
    return redirect("webhook-setup")


# -- the admin's webhooks on the Hub -----------------------------------------------------------------


@require_POST
@admin_required
def register(request: AuthedRequest) -> HttpResponse:
    """A webhook on the Hub pointing at this receiver, with a fresh secret only the Hub is told."""
    try:
        client = _client(request)
        identity = hub.identity_for(request.user)
    except hub.TokenKeyError:
        return _failure(request, hub.BadToken(UNDECRYPTABLE))
    except hub.HubError as err:
        return _failure(request, err)
    form = RegisterForm(request.POST, identity=identity)
    if not form.is_valid():
        return _page(request, status=400, register_form=form)
    watched = [hub.Watched(kind, name) for kind, name in form.cleaned_data["watched"]]
    row, value = WebhookSecret.generate(HOOK_LABEL.format("(registering)"), created_by=request.user)
    url = receiver_url(request)
    names = ", ".join(w.name for w in watched)
    try:
        created = hub_webhooks.create_webhook(client, url, watched, value)
    except hub.HubError as err:
        row.retire()  # the Hub may or may not have it; either way nothing should use it again
        _record(request, f"registering a Hub webhook watching {names} failed", outcome="failed", reason=err.message)
        return _failure(request, err)
    row.label = HOOK_LABEL.format(created.id)
    row.save(update_fields=["label"])
    _record(request, f"registered a Hub webhook watching {names}", hub_webhook=created.id, url=url)
    messages.success(request, f"Registered webhook {created.id} on the Hub, watching {names}.")
    return redirect("webhook-setup")


SWITCHES = {
    "enable": (hub_webhooks.enable_webhook, "enabled"),
    "disable": (hub_webhooks.disable_webhook, "disabled"),
}


@require_POST
@admin_required
def change(request: AuthedRequest, webhook_id: str, what: str) -> HttpResponse:
    """Enable, disable or delete one of the admin's webhooks on the Hub."""
    done = "deleted" if what == "delete" else SWITCHES[what][1]
    try:
        client = _client(request)
        if what == "delete":
            hub_webhooks.delete_webhook(client, webhook_id)
            # Nobody but the Hub held that webhook's secret: it has no use left.
            for row in WebhookSecret.objects.filter(label=HOOK_LABEL.format(webhook_id), retired_at=None):
                row.retire()
        else:
            SWITCHES[what][0](client, webhook_id)
    except hub.HubError as err:
        _record(request, f"{what} of Hub webhook {webhook_id} failed", hub_webhook=webhook_id, reason=err.message)
        return _failure(request, err)
    _record(request, f"{done} Hub webhook {webhook_id}", hub_webhook=webhook_id)
    messages.success(request, f"Webhook {webhook_id} is {done}.")
    return redirect("webhook-setup")


# -- the test event ----------------------------------------------------------------------------------


TEST_REPO = "hubdash/webhook-test"


def test_payload() -> dict[str, Any]:
    """A v3 "pushed to main" payload, unique each time (its head sha) so it is never taken for a retry."""
    repo = TEST_REPO
    return {
        "event": {"action": "update", "scope": "repo.content"},
        "repo": {
            "type": "model",
            "name": repo,
            "id": secrets_module.token_hex(12),
            "private": True,
            "url": {"web": "", "api": ""},
            "owner": {"id": ""},
            "headSha": secrets_module.token_hex(20),
        },
        # An old sha too: without one the receiver reads "created branch main", not the push the page promises.
        "updatedRefs": [
            {"ref": "refs/heads/main", "oldSha": secrets_module.token_hex(20), "newSha": secrets_module.token_hex(20)}
        ],
        "webhook": {"id": "hubdash-test", "version": 3},
    }


@require_POST
@admin_required
@never_cache
def send_test(request: AuthedRequest) -> HttpResponse:
    """Run a synthetic delivery through the receiver's own parse and store, in this process.

    Not an HTTP request to ourselves: that would hold a worker waiting on another (a deadlock with one
    worker) and make the server fetch a URL built from the Host header. The secret check is the one step
    skipped; the event says it was a test.
    """
    if not WebhookSecret.objects.filter(retired_at=None).exists() and not settings.WEBHOOK_SECRETS:
        return _page(
            request, status=409, test_error="Generate a secret first: without one the receiver refuses every delivery."
        )
    raw = json.dumps(test_payload()).encode()
    parsed = parse(json.loads(raw))
    parsed.details["test"] = True
    headers = {"User-Agent": "hubdash test event", "Content-Type": "application/json"}
    event, _ = store_delivery(parsed, raw, headers, TEST_SOURCE)
    return _page(request, test_event=event, tested_at=timezone.now())
