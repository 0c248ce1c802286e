"""Saved views' and guardrails' URLs: filled by the `bulk-views` branch (included from urls.py)."""

urlpatterns: list = []  # type: ignore[type-arg]
