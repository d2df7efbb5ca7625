"""skrivbord token_create: create a personal API token; prints the secret as the last line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord.core import services
from skrivbord.core.models import User


class Command(BaseCommand):
    help = (
        "Create an API token for a user. Prints the token as the last line; it is shown only "
        "once and cannot be recovered later."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="The user's e-mail address.")
        parser.add_argument(
            "--name", default="", help='What the token is for, e.g. "Accounting export".'
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"There is no user with the e-mail address {email}.")
        if not user.is_active:
            raise CommandError(f"The user {user.email} is deactivated and cannot use tokens.")
        token, secret = services.token_create(user=user, name=options["name"])
        self.stdout.write(
            f'Created API token "{token.name}" for {user.email}. '
            "It is shown only this once; keep it like a password:"
        )
        self.stdout.write(secret)
