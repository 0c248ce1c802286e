"""`POST /webhooks/hub`: authenticate by secret, bound and parse the body, store one row, acknowledge.

Nothing here calls the Hub. Only a failure to store answers 5xx (so that the Hub retries); every
refusal is a 4xx with a JSON message and stores nothing.
"""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connections, router
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from hubdash.hub.cache import forget_repo
from hubdash.hub.repo_types import KINDS

from .models import Event, WebhookSecret, secret_digest
from .payloads import BadPayload, Parsed, parse
from .recording import store_delivery
from .signals import delivery_stored
from .violations import report_violations

logger = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # the Hub's payloads are a few kB; the raw body is kept, so it is capped
# Kept with the event for debugging a webhook; never the secret.
KEPT_HEADERS = ("User-Agent", "Content-Type", "Content-Length", "X-Request-Id", "X-Amzn-Trace-Id")


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def verify(presented: str) -> str | None:
    """Which configured secret this is ("HUBDASH_WEBHOOK_SECRETS #2", "secret “prod” …a1b2"), or None.

    Digests are compared in constant time, and every candidate is compared, so that the time taken
    says nothing about which secret (or how much of one) matched.
    """
    offered = secret_digest(presented)
    candidates = [
        (secret_digest(s), f"HUBDASH_WEBHOOK_SECRETS #{i}") for i, s in enumerate(settings.WEBHOOK_SECRETS, 1)
    ]
    candidates += [(digest, f"secret “{label}” …{last4}") for digest, label, last4 in _active_secrets()]
    match = None
    for digest, name in candidates:
        if hmac.compare_digest(digest, offered) and match is None:
            match = name
    return match


def _active_secrets() -> list[tuple[str, str, str]]:
    """(digest, label, last4) of the secrets admins created and have not retired.

    One fixed statement: building the same ORM query anew cost more than the rest of a delivery's reading.
    """
    connection = connections[router.db_for_read(WebhookSecret)]
    quote = connection.ops.quote_name
    sql = "SELECT {}, {}, {} FROM {} WHERE {} IS NULL".format(  # noqa: S608 - names from the model's meta
        quote("digest"), quote("label"), quote("last4"), quote(WebhookSecret._meta.db_table), quote("retired_at")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [(str(digest), str(label), str(last4)) for digest, label, last4 in cursor.fetchall()]


def _content_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _read_body(request: HttpRequest) -> bytes:
    """At most MAX_BODY + 1 bytes of the body, however it was framed.

    A chunked body comes without Content-Length, and Django then reads it as empty. A server that ends the
    stream where the body ends says so (`wsgi.input_terminated`, as gunicorn does): read that stream.
    """
    if request.META.get("CONTENT_LENGTH") or not request.META.get("wsgi.input_terminated"):
        return request.read(MAX_BODY + 1)
    stream = request.META["wsgi.input"]
    return bytes(stream.read(MAX_BODY + 1))


@csrf_exempt  # a machine posts here; it authenticates with the shared secret instead
@login_not_required
@never_cache
def hub_webhook(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        response = _error(405, "Webhooks are delivered with POST.")
        response["Allow"] = "POST"
        return response
    presented = request.headers.get("X-Webhook-Secret", "")
    if not presented:
        return _error(401, "Missing X-Webhook-Secret header.")
    try:
        verified_by = verify(presented)
    except DatabaseError:
        logger.exception("webhook: could not read the stored secrets")
        return _error(503, "hubdash could not check the secret just now; the delivery will be retried.")
    if verified_by is None:
        return _error(401, "Wrong webhook secret.")
    content_type = request.content_type or ""
    if content_type.lower() != "application/json":
        return _error(415, f"Expected Content-Type application/json, not {content_type[:100] or 'none'}.")
    length = _content_length(request)
    if length is None:
        return _error(400, "The Content-Length header is not a number.")
    if length > MAX_BODY:
        return _error(413, f"The body is over {MAX_BODY // 1024} kB.")
    raw = _read_body(request)
    if len(raw) > MAX_BODY:
        return _error(413, f"The body is over {MAX_BODY // 1024} kB.")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return _error(400, "The body is not JSON.")
    try:
        parsed = parse(payload)
    except BadPayload as err:
        return _error(400, str(err))
    headers = {name: request.headers[name][:300] for name in KEPT_HEADERS if name in request.headers}
    try:
        event, stored = store_delivery(parsed, raw, headers, verified_by)
    except DatabaseError:
        logger.exception("webhook: could not store a delivery")
        return _error(503, "hubdash could not store the event; the delivery will be retried.")
    if stored:
        _forget_cached(parsed.repo_type, parsed.repo_id, parsed.details.get("moved_to"))
        report_violations(parsed, event)
        _tell_apps(parsed, event)
    return JsonResponse({"stored": stored, "event": event.pk, "duplicate": not stored}, status=201 if stored else 200)


def _forget_cached(kind: str, repo_id: str, moved_to: object) -> None:
    """The repo changed: every worker's cached Hub answers about it (and its new name) are dropped."""
    if kind not in KINDS:
        return
    try:
        for name in (repo_id, moved_to):
            if isinstance(name, str) and name:
                forget_repo(kind, name)
    except Exception:  # the event is stored; a cache that is down only means staler pages for a while
        logger.exception("webhook: could not drop cached data for %s", repo_id)


def _tell_apps(parsed: Parsed, event: Event) -> None:
    """The apps above the feed learn of the delivery (the discussions inbox updates its row); one that fails
    is logged, and the stored delivery is acknowledged all the same."""
    for receiver, result in delivery_stored.send_robust(sender=Parsed, parsed=parsed, event=event):
        if isinstance(result, Exception):
            name = getattr(receiver, "__qualname__", receiver)
            logger.error("webhook: %s failed on a delivery", name, exc_info=result)
