from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """The discussions inbox and its mirror of the Hub's discussions and pull requests."""

    name = "hubdash.discussions"
    label = "discussions"
    verbose_name = "Discussions inbox"
