from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hubdash.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from .sessions import say_signed_out

        user_logged_out.connect(say_signed_out, dispatch_uid="hubdash-say-signed-out")
