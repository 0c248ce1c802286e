from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hubdash.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import User
        from django.contrib.auth.signals import user_logged_out
        from django.db.models.signals import pre_save

        from .models import note_deactivation
        from .sessions import say_signed_out

        user_logged_out.connect(say_signed_out, dispatch_uid="hubdash-say-signed-out")
        pre_save.connect(note_deactivation, sender=User, dispatch_uid="hubdash-note-deactivation")
