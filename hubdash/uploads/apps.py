from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "hubdash.uploads"
    label = "uploads"
