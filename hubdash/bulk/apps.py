from django.apps import AppConfig


class BulkConfig(AppConfig):
    """Bulk changes with a preview, approvals, a journal with undo; saved views and guardrails."""

    name = "hubdash.bulk"
    label = "bulk"

    def ready(self) -> None:
        from hubdash.core import guardrails as registry

        from . import guard, guardrails

        # Every path that changes repos asks core's registry; the team's rules answer through it, and say
        # which facts a change the Hub reported lacks (found by `read_reported`, off the webhook's request).
        registry.register(guardrails.check, needs=guard.reported_needs, reader=guard.read_reported)
