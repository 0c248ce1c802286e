from django.apps import AppConfig


class UsageConfig(AppConfig):
    """Daily snapshots of the watched namespaces' usage figures, their charts and trends."""

    name = "hubdash.usage"
    label = "usage"
    verbose_name = "Usage over time"

    def ready(self) -> None:
        from hubdash.core import guardrails, row_figures

        from .series import last_facts
        from .trends import downloads_trend, version

        row_figures.register("trend", downloads_trend, version)  # the listings' trend column, by the core registry
        guardrails.register_facts(last_facts)  # what the last snapshot knows of a repo, for guardrails' webhooks
