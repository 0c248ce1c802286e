from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Bulk changes with a preview, approvals, a journal with undo; saved views and guardrails."""

    name = "hubdash.bulk"
    label = "bulk"

    def ready(self) -> None:
        from hubdash.core import guardrails as registry

        from . import guardrails

        # Every path that changes repos asks core's registry; the team's rules answer through it.
        registry.register(guardrails.check)
