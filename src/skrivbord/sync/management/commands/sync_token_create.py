"""skrivbord sync_token_create: a pairing token for connecting an office (online node).

Prints the token as the last line. It works once and expires (24 hours by default).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord.core.management.commands._util import company_from_option
from skrivbord.sync import pairing


class Command(BaseCommand):
    help = (
        "Make a pairing token for a company on the online desktop. The office enters it with "
        "`skrivbord sync_connect` (or on its connection page). Prints the token as the last "
        "line; it works once and is shown only this once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, metavar="ID", help="The company's id.")
        parser.add_argument(
            "--hours",
            type=int,
            default=24,
            metavar="N",
            help="How long the token is valid, in hours (1 to 168; default 24).",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        hours = options["hours"]
        if not 1 <= hours <= 168:
            raise CommandError("--hours: a pairing token is valid for 1 to 168 hours.")
        try:
            token, secret = pairing.pairing_token_issue(
                company=company, created_by="command line", ttl=timedelta(hours=hours)
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Pairing token for {company.name}, valid once until "
            f"{token.expires_at.astimezone():%Y-%m-%d %H:%M %Z}. Enter it on the office with "
            "`skrivbord sync_connect`; it is shown only this once:"
        )
        self.stdout.write(secret)
