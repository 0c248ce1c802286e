"""Re-encrypt every stored Hub token under the newest key of HUBDASH_TOKEN_KEYS."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hubdash.hub import TokenKeyError
from hubdash.hub.tokens import reseal_all


class Command(BaseCommand):
    help = "Re-encrypt every stored Hub token under the newest key (the first of HUBDASH_TOKEN_KEYS)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count, key_id = reseal_all()
        except TokenKeyError as err:
            raise CommandError(
                f"Nothing was changed: {err}. Keep the old key in HUBDASH_TOKEN_KEYS "
                "(after the new one) until rotation has run."
            ) from None
        self.stdout.write(f"Re-encrypted {count} token(s) under key {key_id or '(none stored)'}.")
