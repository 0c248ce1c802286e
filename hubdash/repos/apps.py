from django.apps import AppConfig


class ReposConfig(AppConfig):
    name = "hubdash.repos"
    label = "repos"
