"""`manage.py sweep_uploads`: fail uploads whose worker is gone and remove orphaned staged files.

The Procfile's worker runs it before `db_worker`, so a restart never leaves an upload "pushing".
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hubdash.uploads.sweep import sweep


class Command(BaseCommand):
    help = "Fail uploads whose worker stopped mid-push; remove staged files no upload will push."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = sweep()
        if options["verbosity"] > 0:
            self.stdout.write(f"{failed} interrupted upload(s) marked failed.")
