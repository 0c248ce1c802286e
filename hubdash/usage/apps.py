from django.apps import AppConfig


class UsageConfig(AppConfig):
    """Daily snapshots of the watched namespaces' usage figures, their charts and trends."""

    name = "hubdash.usage"
    label = "usage"
    verbose_name = "Usage over time"
