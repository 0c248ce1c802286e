from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "hubdash.activity"
    label = "activity"
