from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Bulk changes with a preview, approvals, a journal with undo; saved views and guardrails."""

    name = "hubdash.bulk"
    label = "bulk"
