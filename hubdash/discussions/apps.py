from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """The discussions inbox and its mirror of the Hub's discussions and pull requests."""

    name = "hubdash.discussions"
    label = "discussions"
    verbose_name = "Discussions inbox"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from hubdash.activity.signals import delivery_stored
        from hubdash.jobs.models import Delegation

        from .hooks import on_delivery
        from .jobs import on_lent

        # A stored webhook delivery about a watched namespace's discussion updates its row.
        delivery_stored.connect(on_delivery, dispatch_uid="discussions-on-delivery")
        # A token lent for a watched namespace never read starts its first read at once.
        post_save.connect(on_lent, sender=Delegation, dispatch_uid="discussions-on-lent")
