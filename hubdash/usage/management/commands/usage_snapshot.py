"""Take the usage snapshot now, in this process: what "Take one now" asks the worker for.

python manage.py usage_snapshot            # today's UTC date, as the daily job
python manage.py usage_snapshot --day D    # development only: label the snapshot D (the demo moves
                                           # the emulated Hub's clock to D first); it never replaces a row
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hubdash.usage import snapshot


class Command(BaseCommand):
    help = "Take the usage snapshot of every watched namespace now (the daily job's work)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="development only: the UTC date to label it (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options["day"]:
            if settings.PRODUCTION:
                raise CommandError("--day is for development (the demo's simulated clock), not production.")
            try:
                day = date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError("--day wants a date as YYYY-MM-DD.") from None
        self.stdout.write(snapshot.take(day).line())
