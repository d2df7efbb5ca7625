"""`skrivbord sie_export --company ID --fiscal-year YYYY-MM-DD [--type 1|2|3|4|4I] -o FILE`:
write a fiscal year of the books as a SIE file (codepage 437, with #KSUMMA)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from skrivbord.accounting.exporter import sie_export
from skrivbord.accounting.models import FiscalYear
from skrivbord.core.management.commands._util import company_from_option

TYPES = {"1": "1", "2": "2", "3": "3", "4": "4E", "4E": "4E", "4I": "4I"}


class Command(BaseCommand):
    help = "Export a fiscal year of a company's books as a SIE file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="The company's id.")
        parser.add_argument(
            "--fiscal-year",
            required=True,
            help="The first day of the fiscal year, YYYY-MM-DD.",
        )
        parser.add_argument(
            "--type",
            default="4",
            choices=sorted(TYPES),
            help="SIE type: 1, 2, 3, 4 (4E, with the vouchers; the default) or 4I.",
        )
        parser.add_argument(
            "-o", "--output", required=True, help="The file to write (- for standard output)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        try:
            start = dt.date.fromisoformat(options["fiscal_year"])
        except ValueError as error:
            raise CommandError(
                _("--fiscal-year: %(value)s is not a date (YYYY-MM-DD).")
                % {"value": options["fiscal_year"]}
            ) from error
        year = FiscalYear.objects.filter(company=company, start=start).first()
        if year is None:
            starts = ", ".join(
                y.start.isoformat() for y in FiscalYear.objects.filter(company=company)
            )
            raise CommandError(
                _(
                    "%(company)s has no fiscal year that starts on %(start)s. "
                    "Its years start on: %(starts)s."
                )
                % {"company": company.name, "start": start, "starts": starts or "\N{EM DASH}"}
            )
        kind = TYPES[options["type"]]
        if options["output"] == "-":
            sie_export(company=company, fiscal_year=year, stream=sys.stdout.buffer, kind=kind)
            return
        path = Path(options["output"])
        partial = path.with_name(path.name + ".part")
        # Written aside and renamed: a cut export never leaves a file that looks complete.
        with partial.open("wb") as stream:
            result = sie_export(company=company, fiscal_year=year, stream=stream, kind=kind)
        partial.replace(path)
        self.stdout.write(
            _(
                "Wrote %(file)s: SIE %(kind)s of %(company)s, fiscal year from %(start)s to "
                "%(end)s: %(accounts)s accounts, %(balances)s balances, %(vouchers)s vouchers, "
                "%(rows)s transaction rows."
            )
            % {
                "file": path,
                "kind": kind,
                "company": company.name,
                "start": year.start,
                "end": year.end,
                "accounts": result.accounts,
                "balances": result.balances + result.period_balances,
                "vouchers": result.vouchers,
                "rows": result.rows,
            }
        )
