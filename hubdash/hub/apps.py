from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hubdash.hub"
    label = "hub"

    def ready(self) -> None:
        from django.conf import settings

        from hubdash.core.logging import register_secret

        from . import checks  # noqa: F401 (registers the token keys' check)

        if settings.HF_OAUTH_CLIENT_SECRET:
            register_secret(settings.HF_OAUTH_CLIENT_SECRET)
