"""A circuit breaker per process and Hub: a dead Hub is answered "not answering" at once, not queued for.

After `HUBDASH_HUB_BREAKER_FAILURES` Hub calls in a row time out or cannot connect, every call fails at
once for `HUBDASH_HUB_BREAKER_SECONDS`; then one call goes through to test the Hub (the others still
fail at once) and its outcome closes or reopens the circuit. Any answer from the Hub, an error status
included, counts as the Hub answering: only silence opens the circuit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from . import errors


@dataclass
class _Circuit:
    failures: int = 0
    open_until: float = 0.0  # 0: closed
    probing: bool = False


_lock = threading.Lock()
_circuits: dict[str, _Circuit] = {}


def _circuit(endpoint: str) -> _Circuit:
    return _circuits.setdefault(endpoint, _Circuit())


def admit(endpoint: str) -> bool:
    """Let a call through, or raise HubUnavailable at once. True when this call is the one testing the Hub."""
    now = time.monotonic()
    with _lock:
        circuit = _circuit(endpoint)
        if not circuit.open_until:
            return False
        if now >= circuit.open_until and not circuit.probing:
            circuit.probing = True
            return True
        wait = max(1, round(circuit.open_until - now))
    raise errors.HubUnavailable(
        f"The Hub is not answering; hubdash will try it again in about {wait} s."
        if now < circuit.open_until
        else "The Hub is not answering; hubdash is checking on it, try again in a moment."
    )


def record(endpoint: str, probe: bool, answered: bool | None) -> None:
    """The outcome of an admitted call: the Hub answered (True), stayed silent (False), or never asked (None)."""
    with _lock:
        circuit = _circuit(endpoint)
        if probe:
            circuit.probing = False
        if answered is None:
            return
        if answered:
            circuit.failures, circuit.open_until = 0, 0.0
            return
        circuit.failures += 1
        if probe or circuit.failures >= max(1, settings.HUB_BREAKER_FAILURES):
            circuit.open_until = time.monotonic() + settings.HUB_BREAKER_SECONDS


def is_open(endpoint: str) -> bool:
    """Whether calls to this Hub are being refused right now (before the next test call)."""
    with _lock:
        circuit = _circuits.get(endpoint)
        return bool(circuit and circuit.open_until and (time.monotonic() < circuit.open_until or circuit.probing))


def reset() -> None:
    """Forget every circuit (tests; a restart does the same)."""
    with _lock:
        _circuits.clear()
