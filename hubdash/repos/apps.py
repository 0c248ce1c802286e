from django.apps import AppConfig


class ReposConfig(AppConfig):
    name = "hubdash.repos"
    label = "repos"

    def ready(self) -> None:
        from hubdash.core import visibility

        from .models import last_visibilities, remember_visibility

        # The Hub's last settings answers (a protected Space), read and kept by other apps through core.
        visibility.register(last_visibilities, remember_visibility)
