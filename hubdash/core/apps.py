from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hubdash.core"
    label = "core"

    def ready(self) -> None:
        from hubdash.core import checks  # noqa: F401 (registers the configuration checks)

        from .logging import redact_on_every_handler

        redact_on_every_handler()
