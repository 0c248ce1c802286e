"""Guardrails, as bulk plans call them: `hubdash.core.guardrails.check(user, changes)` once the `bulk-views`
branch provides it (the team's rules, a registry in core); until then no rule is known and nothing is blocked.

The one call site is `planning.make_plan` (and the run, before changing each repo): `check(user, changes)`
answers a list of violations, each naming its rule and repos.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def check(user: User, changes: list[dict[str, Any]]) -> list[Any]:
    """The guardrails a list of changes breaks ([] while no rule exists: see the module's docstring)."""
    try:
        from hubdash.core import guardrails  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return []
    found: list[Any] = guardrails.check(user, changes)
    return found
