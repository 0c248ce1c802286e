"""Create or retire a webhook secret stored in hubdash (until the Webhooks page does it in the browser).

python manage.py webhook_secret create "production Hub webhook"   # prints the secret once
python manage.py webhook_secret list
python manage.py webhook_secret retire ID
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hubdash.activity.models import WebhookSecret


class Command(BaseCommand):
    help = "Create, list or retire the webhook secrets kept in hubdash (beside HUBDASH_WEBHOOK_SECRETS)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["create", "list", "retire"])
        parser.add_argument("arg", nargs="?", default="", help="a label to create, an id to retire")

    def handle(self, *args: Any, **options: Any) -> None:
        verb, arg = options["verb"], str(options["arg"]).strip()
        if verb == "create":
            if not arg:
                raise CommandError("Give the new secret a label, such as “production Hub webhook”.")
            row, value = WebhookSecret.generate(arg[:100])
            self.stdout.write(f"Secret {row.pk} “{row.label}”, shown this once; give it to the Hub's webhook:\n{value}")
        elif verb == "list":
            for row in WebhookSecret.objects.all():
                state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "active"
                self.stdout.write(f"{row.pk}\t…{row.last4}\t{state}\t{row.label}")
        else:
            active = WebhookSecret.objects.filter(pk=int(arg) if arg.isdigit() else 0, retired_at=None).first()
            if active is None:
                raise CommandError(f"No active secret with id {arg!r}.")
            active.retire()
            self.stdout.write(
                f"Retired secret {active.pk} “{active.label}”: deliveries signed with it are now refused."
            )
