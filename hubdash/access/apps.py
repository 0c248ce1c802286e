from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "hubdash.access"
    label = "access"
    verbose_name = "Access requests"
