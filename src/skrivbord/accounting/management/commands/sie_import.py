"""`skrivbord sie_import FILE --company ID [--force]`: import a SIE file into the books.

Prints what the file held, its warnings with their lines, and what changed. The import is all
or nothing; on a refusal the command exits 1 with the reason (and the line) and the books are
as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from skrivbord.accounting import models
from skrivbord.accounting.checks.services import books_check_after_import, checks_summary
from skrivbord.accounting.importer import ImportRefused, ImportResult, sie_import
from skrivbord.core.access import KeptElsewhere
from skrivbord.core.management.commands._util import company_from_option


class Command(BaseCommand):
    help = "Import a SIE file (types 1-4, .SE or .SI) into a company's books."

    _bar_open = False
    _logged_tenth = -1

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The SIE file.")
        parser.add_argument("--company", required=True, help="The company's id.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Import even if the file's organisation number is another company's.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        company = company_from_option(options["company"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            result = sie_import(
                company=company, source=path, force=options["force"], progress=self._progress
            )
        except (ImportRefused, KeptElsewhere) as error:
            self._end_bar()
            raise CommandError(
                _("%(file)s was not imported; the books are unchanged. %(reason)s")
                % {"file": path.name, "reason": getattr(error, "message", str(error))}
            ) from error
        self._end_bar()
        self.stdout.write(summary(result, company_name=company.name, file=path.name))
        checks_summary(books_check_after_import(company=company, result=result), self.stdout)

    def _progress(self, done: int, total: int) -> None:
        """A bar on a terminal; in a log a line each tenth of the way."""
        percent = min(100, done * 100 // total) if total else 100
        figures = _("%(done)s of %(total)s (%(percent)s%%)") % {
            "done": _size(done),
            "total": _size(total),
            "percent": percent,
        }
        if self.stdout.isatty():
            width = 30
            filled = width * percent // 100
            bar = f"[{'#' * filled}{'.' * (width - filled)}]"
            self.stdout.write(f"\r\033[K{_('Importing')} {bar} {figures}", ending="")
            self.stdout.flush()
            self._bar_open = True
            return
        if percent // 10 != self._logged_tenth:
            self._logged_tenth = percent // 10
            self.stdout.write(f"{_('Importing')}: {figures}")

    def _end_bar(self) -> None:
        if self._bar_open:
            self.stdout.write("")
            self._bar_open = False


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} kB"
    return f"{n} B"


def _number(value: int) -> str:
    # Grouped with spaces, as in Swedish, which no reader takes for a decimal point.
    return f"{value:,}".replace(",", "\N{NO-BREAK SPACE}")


def _names(counts: dict[str, int]) -> str:
    labels = {model._meta.label_lower: model for model in models.BOOKS_MODELS}
    parts = []
    for label, count in counts.items():
        if not count:
            continue
        model = labels[label]
        name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
        parts.append(f"{_number(count)} {name}")
    return ", ".join(parts) or "0"


def summary(result: ImportResult, *, company_name: str, file: str) -> str:
    """What the command prints after an import (also used by the tests)."""
    lines = [_("Imported %(file)s into %(company)s.") % {"file": file, "company": company_name}]
    kind = result.kind or "?"
    lines.append(
        "  "
        + _("File: SIE %(kind)s from %(program)s, %(encoding)s.")
        % {"kind": kind, "program": result.program or "?", "encoding": result.encoding}
    )
    if result.company_name or result.org_number:
        lines.append(
            "  "
            + _("Company in the file: %(name)s %(org)s")
            % {"name": result.company_name, "org": result.org_number}
        )
    years = ", ".join(f"{start}\N{EN DASH}{end}" for start, end in result.fiscal_years)
    lines.append("  " + _("Fiscal years: %(years)s") % {"years": years or "\N{EM DASH}"})
    lines.append(
        "  "
        + _(
            "Accounts: %(accounts)s. Vouchers: %(vouchers)s. Transactions: %(transactions)s. "
            "Balances: %(balances)s. Period balances: %(periods)s."
        )
        % {
            "accounts": _number(result.accounts),
            "vouchers": _number(result.vouchers),
            "transactions": _number(result.transactions),
            "balances": _number(result.balances),
            "periods": _number(result.period_balances),
        }
    )
    if result.changed:
        lines.append("  " + _("Created: %(what)s.") % {"what": _names(result.created)})
        lines.append("  " + _("Updated: %(what)s.") % {"what": _names(result.updated)})
        lines.append("  " + _("Deleted: %(what)s.") % {"what": _names(result.deleted)})
    else:
        lines.append("  " + _("Nothing changed: the books already hold this file."))
    if result.warnings:
        count = len(result.warnings)
        lines.append(
            "  " + ngettext("%(count)s warning:", "%(count)s warnings:", count) % {"count": count}
        )
        lines += [f"    {warning.message}" for warning in result.warnings]
    else:
        lines.append("  " + _("No warnings."))
    if result.seconds >= 1 and result.rows:
        lines.append(
            "  "
            + _("Done in %(seconds).1f s (%(rate)s transaction rows a second).")
            % {"seconds": result.seconds, "rate": _number(int(result.rows / result.seconds))}
        )
    return "\n".join(lines)
