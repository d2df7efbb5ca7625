"""skrivbord sync_disconnect: end a company's connection to the online desktop (office node)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord.core.management.commands._util import company_from_option
from skrivbord.sync import pairing
from skrivbord.sync.models import SyncLink

EXPLANATION = (
    "The online copy of the company's data is removed. Users and their access stay. Your "
    "office data is not touched. You can connect again later; nothing is duplicated."
)
FORGET_EXPLANATION = (
    "This office system can forget the connection on its own. The online copy of the "
    "company's data then stays until an administrator of the online desktop ends the "
    "connection there."
)


class Command(BaseCommand):
    help = (
        "Disconnect a company from the online desktop. " + EXPLANATION + " If the online "
        "desktop cannot be reached, --forget drops the connection here only."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, metavar="ID", help="The company's id.")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask for confirmation (for scripts)."
        )
        parser.add_argument(
            "--forget",
            action="store_true",
            help="Forget the connection here without contacting the online desktop (when it "
            "cannot be reached). The online copy stays until an administrator there ends it.",
        )

    def _confirm(self, question: str, options: dict[str, Any]) -> bool:
        if options["yes"]:
            return True
        self.stdout.write(f"{question} [y/N] ", ending="")
        self.stdout.flush()
        answer = (options.get("stdin") or sys.stdin).readline()
        return answer.strip().lower() in {"y", "yes", "j", "ja"}

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        link = SyncLink.objects.filter(company=company).first()
        if link is None:
            raise CommandError(f"{company.name} is not connected to the online desktop.")
        if options["forget"]:
            self.stdout.write(FORGET_EXPLANATION)
            if not self._confirm(f"Forget the connection of {company.name} here?", options):
                raise CommandError("Nothing was changed.")
            pairing.connection_forget(company=company)
            self.stdout.write(f"Forgot the connection of {company.name}. Office data untouched.")
            return

        self.stdout.write(EXPLANATION)
        if not self._confirm(
            f"Disconnect {company.name} from the online desktop at {link.remote_url}?", options
        ):
            raise CommandError("Nothing was changed.")
        try:
            result = pairing.disconnect(company=company)
        except pairing.ConnectError as error:
            lines = [f"Cannot disconnect {company.name}:", *(f"- {m}" for m in error.messages)]
            if error.unreachable:
                lines.append(
                    "Try again later, or forget the connection here only with --forget "
                    "(the online copy then stays until an administrator there ends it)."
                )
            raise CommandError("\n".join(lines)) from error
        if result.already_ended_online:
            self.stdout.write(
                f"The online desktop had already ended the connection; {company.name} is now "
                "disconnected here too. Office data untouched."
            )
        else:
            removed = sum(result.removed_online.values())
            rows = "1 row" if removed == 1 else f"{removed} rows"
            self.stdout.write(
                f"Disconnected {company.name}. The online copy ({rows}) is removed; "
                "office data untouched."
            )
