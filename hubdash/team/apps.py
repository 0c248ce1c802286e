from django.apps import AppConfig


class TeamConfig(AppConfig):
    """The team portal: members and roles, invitations, who may sign in with Hugging Face, the Team page."""

    name = "hubdash.team"
    label = "team"

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.db.models.signals import pre_save

        from .models import note_deactivation

        pre_save.connect(note_deactivation, sender=User, dispatch_uid="hubdash-note-deactivation")
