"""skrivbord sync_connect: connect an office company to the online desktop (office node)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord.core.management.commands._util import company_from_option
from skrivbord.sync import pairing


class Command(BaseCommand):
    help = (
        "Connect a company of this office system to its company on the online desktop, with "
        "a pairing token made there. Checks the company's details and the licence rule first."
    )

    # Tests pass a file-like object as `stdin` to stand in for standard input.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, metavar="ID", help="The company's id.")
        parser.add_argument(
            "--url",
            required=True,
            help="Address of the online desktop, e.g. https://skrivbord.example.se",
        )
        parser.add_argument(
            "--token",
            required=True,
            help='The pairing token (skp_...), or "-" to read it from standard input.',
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        token = options["token"]
        if token == "-":  # noqa: S105 (the stdin marker, not a secret)
            # Keeps the token out of the shell history and the process list.
            token = (options.get("stdin") or sys.stdin).readline().strip()
        try:
            link = pairing.connect(company=company, url=options["url"], token=token)
        except pairing.ConnectError as error:
            lines = [f"Cannot connect {company.name}:", *(f"- {m}" for m in error.messages)]
            if error.retryable:
                lines.append("Nothing was stored; try again when the online desktop answers.")
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(
            f"Connected {company.name} to the online desktop at {link.remote_url}. "
            f"Start the sync agent: skrivbord sync --company {company.id}"
        )
