from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hubdash.core"
    label = "core"
