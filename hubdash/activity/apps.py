from __future__ import annotations

from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "hubdash.activity"
    label = "activity"

    def ready(self) -> None:
        from django.conf import settings

        from hubdash.core.logging import register_secret

        # The webhook secrets from the environment are redacted from every log record, as tokens are.
        for secret in settings.WEBHOOK_SECRETS:
            register_secret(secret)
