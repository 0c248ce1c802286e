from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hubdash.core"
    label = "core"

    def ready(self) -> None:
        from .logging import redact_on_every_handler

        redact_on_every_handler()
