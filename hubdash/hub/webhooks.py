"""The signed-in person's webhooks on the Hub (its management API is per user, not per organisation).

Each call runs inside `translated()` with the person's own token; the answers are read into
`HubWebhook`s there too, so a webhook of a shape hubdash does not expect is "could not read", never a
crash. Changes are never retried (a second create after a lost answer would make a second webhook).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from huggingface_hub import WebhookInfo

from . import errors, parse
from .client import HubClient, translated

WatchKind = Literal["user", "org", "model", "dataset", "space"]
WATCH_KINDS: tuple[str, ...] = ("user", "org", "model", "dataset", "space", "bucket", "kernel")
SUSPENDED = "suspended-after-failure"  # the Hub's `disabled` value for a webhook it stopped after failures


@dataclass(frozen=True)
class Watched:
    kind: str  # user, org, model, dataset, space (the Hub may add more)
    name: str


@dataclass(frozen=True)
class HubWebhook:
    id: str
    url: str  # "" for a webhook that triggers a Job instead
    watched: tuple[Watched, ...]
    domains: tuple[str, ...]
    disabled: bool
    suspended: bool  # disabled by the Hub after failed deliveries, not by its owner

    @property
    def state(self) -> Literal["enabled", "disabled", "suspended"]:
        return "suspended" if self.suspended else "disabled" if self.disabled else "enabled"


def _token(client: HubClient) -> str:
    if not client._token:
        raise errors.NoToken("Connect your Hub token first.")
    return client._token


def _webhook(info: object) -> HubWebhook:
    """One webhook as huggingface_hub read it, checked: called inside `translated()` only."""
    if not parse._translating.get():
        raise RuntimeError("webhooks._webhook must run inside hubdash.hub.client.translated()")
    if not isinstance(info, WebhookInfo):
        raise parse.Unreadable("expected a webhook")
    webhook_id = parse._str(info.id, required=True)
    if not webhook_id:
        raise parse.Unreadable("a webhook without an id")
    watched = []
    for item in parse._list(info.watched):
        kind, name = getattr(item, "type", None), getattr(item, "name", None)
        watched.append(Watched(parse._str(kind, required=True), parse._str(name, required=True)))
    domains = tuple(parse._str(d, required=True) for d in parse._list(info.domains))
    disabled: object = info.disabled
    if disabled not in (True, False, None, SUSPENDED):
        raise parse.Unreadable("unexpected `disabled` value")
    return HubWebhook(
        id=webhook_id,
        url=parse._str(info.url),
        watched=tuple(watched),
        domains=domains,
        disabled=bool(disabled),
        suspended=disabled == SUSPENDED,
    )


def list_webhooks(client: HubClient) -> tuple[HubWebhook, ...]:
    token = _token(client)
    with translated():
        return tuple(_webhook(info) for info in parse._list(client._api.list_webhooks(token=token)))


def create_webhook(client: HubClient, url: str, watched: Sequence[Watched], secret: str) -> HubWebhook:
    """A webhook on repo and discussion changes of the watched namespaces, delivered to `url` with `secret`."""
    if not watched:
        raise errors.InvalidRequest("Choose at least one namespace to watch.")
    token = _token(client)
    with translated():
        info = client._api.create_webhook(
            url=url,
            watched=[{"type": w.kind, "name": w.name} for w in watched],
            domains=["repo", "discussion"],
            secret=secret,
            token=token,
        )
        return _webhook(info)


def _valid_id(webhook_id: str) -> str:
    if not webhook_id.isalnum() or len(webhook_id) > 64:
        raise errors.NotFound("The Hub has no such webhook.")
    return webhook_id


def enable_webhook(client: HubClient, webhook_id: str) -> HubWebhook:
    token = _token(client)
    with translated():
        return _webhook(client._api.enable_webhook(_valid_id(webhook_id), token=token))


def disable_webhook(client: HubClient, webhook_id: str) -> HubWebhook:
    token = _token(client)
    with translated():
        return _webhook(client._api.disable_webhook(_valid_id(webhook_id), token=token))


def delete_webhook(client: HubClient, webhook_id: str) -> None:
    token = _token(client)
    with translated():
        client._api.delete_webhook(_valid_id(webhook_id), token=token)


__all__ = [
    "SUSPENDED",
    "HubWebhook",
    "Watched",
    "create_webhook",
    "delete_webhook",
    "disable_webhook",
    "enable_webhook",
    "list_webhooks",
]
