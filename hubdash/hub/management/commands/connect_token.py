"""Connect a Hub token for a hubdash user, reading the token from standard input (never argv)."""

import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_variables

from hubdash import hub


class Command(BaseCommand):
    help = "Check a Hub token with the Hub and store it, encrypted, for USERNAME. The token is read from stdin."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    @method_decorator(sensitive_variables("token"))
    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No hubdash user named {username!r}.")
        token = sys.stdin.readline().strip()
        try:
            identity = hub.connect_token(user, token)
        except hub.HubError as err:
            raise CommandError(err.message) from None
        self.stdout.write(f"Connected {username} as {identity.name} on the Hub ({identity.token_role} token).")
