"""`skrivbord books_check --company ID [--fiscal-year YYYY-MM-DD] [--format json]`: run the
control checks over the books and print the findings.

Checks the latest fiscal year and the one before it (or the given year), stores the
findings as the Kontroll page shows them, and prints them: as text grouped by severity, or
as JSON (the structure is documented in docs/accounting.md, "Control and validation").
Exits 0 when no open critical finding remains, 1 otherwise (a critical finding someone
marked resolved, with its data unchanged, does not count).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from skrivbord.accounting.checks import selectors
from skrivbord.accounting.checks.rules import CRITICAL, SEVERITIES
from skrivbord.accounting.checks.services import books_check_run
from skrivbord.core.management.commands._util import company_from_option

SEVERITY_HEADINGS = {
    "critical": gettext_noop("Critical"),
    "warning": gettext_noop("Warnings"),
    "info": gettext_noop("Information"),
}
STATUS_NAMES = {
    "resolved": gettext_noop("resolved"),
    "reopened": gettext_noop("reopened: the data changed after it was resolved"),
}
#: Version of the JSON structure: raised when a field changes meaning or disappears.
JSON_VERSION = 1


class Command(BaseCommand):
    help = "Run the control checks over a company's books and print the findings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="The company's id.")
        parser.add_argument(
            "--fiscal-year",
            help="The start of the fiscal year to check (YYYY-MM-DD); "
            "the latest and the previous year when left out.",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        start = None
        if options["fiscal_year"]:
            try:
                start = dt.date.fromisoformat(options["fiscal_year"])
            except ValueError as error:
                raise CommandError(
                    _("%(value)s is not a date (YYYY-MM-DD).") % {"value": options["fiscal_year"]}
                ) from error
        try:
            run = books_check_run(company=company, fiscal_year=start, trigger="command")
        except ValueError as error:
            raise CommandError(
                _("The books of %(company)s have no fiscal year starting on %(start)s.")
                % {"company": company.name, "start": start}
            ) from error
        rows = selectors.company_findings(company=company, years=run.years)
        if options["format"] == "json":
            self.stdout.write(json.dumps(as_json(company, run, rows), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(company, run, rows))
        if any(row.finding.severity == CRITICAL and row.is_open for row in rows):
            sys.exit(1)


def as_json(company: Any, run: Any, rows: list[selectors.FindingRow]) -> dict[str, Any]:
    counts = selectors.open_counts(rows)
    return {
        "version": JSON_VERSION,
        "company": {"id": str(company.id), "name": company.name},
        "fiscal_years": [
            {"start": y.start.isoformat(), "end": y.end.isoformat()} for y in run.years
        ],
        "open": {severity: counts.get(severity, 0) for severity in SEVERITIES},
        "findings": [
            {
                "check": row.finding.check_key,
                "check_number": selectors.CHECKS[row.finding.check_key][0],
                "severity": row.finding.severity,
                "code": row.finding.code,
                "fiscal_year": row.finding.fiscal_year.start.isoformat(),
                "subject": row.finding.subject,
                "status": row.status,
                "message": row.problem,
                "advice": row.advice,
                "params": row.finding.params,
                "vouchers": [
                    {"id": v[0], "label": v[1], "date": v[2]} for v in row.finding.vouchers
                ],
                "voucher_count": row.finding.voucher_count,
                "accounts": row.finding.accounts,
                "account_count": row.finding.account_count,
                "fingerprint": row.finding.fingerprint,
                "resolved_comment": row.mark.comment if row.mark and row.mark.resolved else "",
            }
            for row in rows
        ],
    }


def as_text(company: Any, run: Any, rows: list[selectors.FindingRow]) -> str:
    years = ", ".join(f"{y.start}\N{EN DASH}{y.end}" for y in run.years) or _("none")
    lines = [
        _("Checks of %(company)s, fiscal years %(years)s:")
        % {"company": company.name, "years": years}
    ]
    if not rows:
        lines.append(_("No findings."))
    for severity in SEVERITIES:
        group = [row for row in rows if row.finding.severity == severity]
        if not group:
            continue
        open_rows = sum(1 for row in group if row.is_open)
        lines.append("")
        lines.append(
            _("%(heading)s (%(open)s open, %(all)s in all)")
            % {"heading": _(SEVERITY_HEADINGS[severity]), "open": open_rows, "all": len(group)}
        )
        for row in group:
            state = f" [{_(STATUS_NAMES[row.status])}]" if row.status in STATUS_NAMES else ""
            lines.append(f"  {row.finding.fiscal_year.start} {row.title}{state}")
            lines.append(f"    {row.problem}")
            lines.append(f"    {row.advice}")
            if row.finding.vouchers:
                labels = ", ".join(v[1] for v in row.finding.vouchers)
                more = f" (+{row.more_vouchers})" if row.more_vouchers else ""
                lines.append(f"    {_('Vouchers')}: {labels}{more}")
    return "\n".join(lines)
