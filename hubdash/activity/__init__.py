"""The activity feed: what changed across the team's namespaces, from the Hub's webhooks and from hubdash.

Other apps write events only through `record` (`from hubdash.activity import record`). It is loaded on
first use, so that importing this package while Django loads its apps does not import the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .recording import record

__all__ = ["record"]


def __getattr__(name: str) -> Any:
    if name == "record":
        from .recording import record

        return record
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
