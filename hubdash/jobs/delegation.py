"""Whose token does unattended work: a person lends theirs, on their own profile, per capability and namespace.

    user, client = unattended_client("access", "acme")   # or raises Paused(reason)

At each call the person's standing is checked again, with the Hub too (a fresh whoami): still active, a
token hubdash holds and can decrypt, which the Hub accepts, and still an admin or writer of the namespace.
Otherwise the work for that namespace pauses: the reason is kept (the jobs page shows it) and told to the
feed once, until someone takes it on (which ends the pause) or the same person's standing comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction

from hubdash import activity, hub
from hubdash.hub.rights import namespaces_members_write, writable_namespaces

from .models import CAPABILITIES, Delegation, Pause

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

NOBODY = "nobody has taken this on"


class Paused(Exception):
    """The unattended work for a namespace cannot run now; `reason` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Held(Exception):
    """Someone else does this work now and their standing is intact: replacing them needs a confirmation."""

    def __init__(self, holder: User) -> None:
        super().__init__(holder.get_username())
        self.holder = holder


def _check(capability: str) -> None:
    if capability not in CAPABILITIES:
        raise ValueError(f"unknown capability {capability!r}; one of {', '.join(CAPABILITIES)}")


def unattended_client(capability: str, namespace: str) -> tuple[User, hub.HubClient]:
    """The person who took this work on, and a Hub client with their token; raises Paused(reason) (recorded)
    when there is none fit to do it. A Hub that cannot answer the check (down, rate-limited) raises its
    HubError: not knowing is no reason to pause, and the run is tried again next period."""
    _check(capability)
    delegation = Delegation.objects.select_related("person").filter(capability=capability, namespace=namespace).first()
    if delegation is None:
        raise _pause(capability, namespace, NOBODY)
    person = delegation.person
    reason = _unfit(person, namespace)
    if reason is not None:
        raise _pause(capability, namespace, reason, person)
    client = hub.client_for(person)
    Pause.objects.filter(capability=capability, namespace=namespace).delete()
    return person, client


def lent_client(namespace: str, capabilities: tuple[str, ...] = tuple(CAPABILITIES)) -> hub.HubClient | None:
    """A client with the token someone lent for the namespace's unattended work (the first of `capabilities`
    with a person still fit for it), for one read now and then: no Hub call here and no pause recorded, only
    hubdash's last knowledge of the person's standing. None when nobody's token may read it."""
    for capability in capabilities:
        person = delegate_of(capability, namespace)
        if person is None or not person.is_active:
            continue
        try:
            status = hub.token_status(person)
            if status is None or status.state == "rejected":
                continue
            if namespace not in writable_namespaces(person, ask_hub=False):
                continue
            return hub.client_for(person)
        except (hub.HubError, hub.TokenKeyError):
            continue
    return None


def _unfit(person: User, namespace: str) -> str | None:
    """Why this person's token may not do the namespace's work now, or None."""
    name = person.get_username()
    if not person.is_active:
        return f"{name} was deactivated"
    status = hub.token_status(person)
    if status is None:
        return f"{name}'s token was removed"
    if status.state == "rejected":
        return f"{name}'s token was rejected by the Hub"
    try:
        hub.identity_for(person, refresh=True)
    except hub.TokenKeyError:
        return f"hubdash can no longer decrypt {name}'s token (its key was removed)"
    except hub.BadToken:
        return f"{name}'s token was rejected by the Hub"
    except hub.NoToken:
        return f"{name}'s token was removed"
    if namespace not in writable_namespaces(person):
        return f"{name} is no longer an admin or writer of {namespace}"
    return None


def _pause(capability: str, namespace: str, reason: str, person: User | None = None) -> Paused:
    pause, created = Pause.objects.get_or_create(
        capability=capability, namespace=namespace, defaults={"reason": reason}
    )
    if not created and pause.reason == reason:
        return Paused(reason)  # told already
    if not created:
        pause.reason = reason
        pause.save(update_fields=["reason"])
    logger.warning("%s in %s paused: %s", capability, namespace, reason)
    activity.record(
        action="team",
        summary=f"paused this team's {CAPABILITIES[capability]} in {namespace}: {reason}"[:300],
        subject=person,
    )
    return Paused(reason)


def pause_of(capability: str, namespace: str) -> Pause | None:
    return Pause.objects.filter(capability=capability, namespace=namespace).first()


def delegate_of(capability: str, namespace: str) -> User | None:
    found = Delegation.objects.select_related("person").filter(capability=capability, namespace=namespace).first()
    return found.person if found is not None else None


def take_on(person: User, capability: str, namespace: str, replace: bool = False) -> User | None:
    """Make `person`'s token do the namespace's <capability> work. Someone else holding it is replaced only if
    their work is paused, they were deactivated, or `replace` (the person confirmed); else Held(holder).
    Returns whom they replaced. The caller checks that `person` may manage the namespace."""
    _check(capability)
    with transaction.atomic():
        current = (
            Delegation.objects.select_for_update()
            .select_related("person")
            .filter(capability=capability, namespace=namespace)
            .first()
        )
        if current is not None and current.person_id == person.pk:
            return None
        replaced = current.person if current is not None else None
        paused = Pause.objects.filter(capability=capability, namespace=namespace).exists()
        if replaced is not None and replaced.is_active and not paused and not replace:
            raise Held(replaced)
        Delegation.objects.update_or_create(capability=capability, namespace=namespace, defaults={"person": person})
        Pause.objects.filter(capability=capability, namespace=namespace).delete()
        words = f"took on this team's {CAPABILITIES[capability]} in {namespace} with their token"
        if replaced is not None:
            words += f", in place of {replaced.get_username()}"
        activity.record(action="team", summary=words, member=person, subject=person)
    return replaced


def give_up(person: User, capability: str, namespace: str) -> bool:
    """Stop lending `person`'s token for this work; the work pauses at its next run until someone takes it on."""
    _check(capability)
    with transaction.atomic():
        gone, _ = Delegation.objects.filter(capability=capability, namespace=namespace, person=person).delete()
        if gone:
            activity.record(
                action="team",
                summary=f"stopped lending their token for this team's {CAPABILITIES[capability]} in {namespace}",
                member=person,
                subject=person,
            )
    return bool(gone)


def delegations_of(person: User) -> set[tuple[str, str]]:
    return set(Delegation.objects.filter(person=person).values_list("capability", "namespace"))


def watch_candidates(capability: str, watched: Iterable[str]) -> list[str]:
    """The namespaces an admin may tick for a capability: those `watched`, those someone took on for it, and
    those the members' tokens manage (their Hub accounts and the organisations they admin or write in, as
    last known)."""
    names = set(watched)
    names |= set(Delegation.objects.filter(capability=capability).values_list("namespace", flat=True))
    names |= namespaces_members_write()
    return sorted(names, key=str.lower)
