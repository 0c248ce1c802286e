"""Bulk decisions and rules (filled by the access-bulk work; included by urls.py)."""

urlpatterns: list = []  # type: ignore[type-arg]
