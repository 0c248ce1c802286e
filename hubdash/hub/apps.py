from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "hubdash.hub"
    label = "hub"
