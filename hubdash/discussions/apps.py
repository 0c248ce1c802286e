from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """The discussions inbox and its mirror of the Hub's discussions and pull requests."""

    name = "hubdash.discussions"
    label = "discussions"
    verbose_name = "Discussions inbox"

    def ready(self) -> None:
        from hubdash.activity.signals import delivery_stored

        from .hooks import on_delivery

        # A stored webhook delivery about a watched namespace's discussion updates its row.
        delivery_stored.connect(on_delivery, dispatch_uid="discussions-on-delivery")
