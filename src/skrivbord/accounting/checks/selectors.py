"""Reads of the findings, each with its resolved state and its text in the active language."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from skrivbord.accounting.checks.messages import ADVICE, CHECKS, PROBLEMS
from skrivbord.accounting.checks.models import CheckRun, Finding, FindingMark
from skrivbord.accounting.checks.rules import CHECK_ORDER, SEVERITIES
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company

MODULE = "accounting_checks"
OPEN = "open"
RESOLVED = "resolved"
#: Resolved once, but the data under it has changed since: open again.
REOPENED = "reopened"
STATUSES = (OPEN, RESOLVED)

#: Parameters that are amounts of money (shown as 1 234,50 kr).
MONEY_PARAMS = frozenset(
    {
        "amount",
        "balance",
        "booked",
        "closing",
        "difference",
        "equity",
        "expected",
        "minimum",
        "movement",
        "opening",
        "periods",
        "previous",
        "result",
        "sales",
        "stated",
        "total",
        "vat",
    }
)


def money(value: Any) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return _("%(amount)s kr") % {
        "amount": number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    }


def _shown(key: str, value: Any, code: str) -> Any:
    if key in MONEY_PARAMS and not (code.startswith("je_") or code.startswith("numbering")):
        return money(value)
    if key == "mad":
        return number_format(Decimal(str(value)), decimal_pos=4, use_l10n=True)
    return value


def problem_text(code: str, params: dict[str, Any]) -> str:
    shown = {key: _shown(key, value, code) for key, value in params.items()}
    return _(PROBLEMS[code]) % shown


def advice_text(code: str) -> str:
    return _(ADVICE[code])


def check_title(key: str) -> str:
    number, title = CHECKS[key]
    return f"{number}. {_(title)}"


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    status: str
    mark: FindingMark | None

    @property
    def is_open(self) -> bool:
        return self.status != RESOLVED

    @property
    def title(self) -> str:
        return check_title(self.finding.check_key)

    @property
    def problem(self) -> str:
        return problem_text(self.finding.code, self.finding.params)

    @property
    def advice(self) -> str:
        return advice_text(self.finding.code)

    @property
    def vouchers(self) -> list[dict[str, Any]]:
        return [
            {"id": item[0], "label": item[1], "date": dt.date.fromisoformat(item[2])}
            for item in self.finding.vouchers
        ]

    @property
    def more_vouchers(self) -> int:
        return max(0, self.finding.voucher_count - len(self.finding.vouchers))

    @property
    def more_accounts(self) -> int:
        return max(0, self.finding.account_count - len(self.finding.accounts))


def _marks(company: Company) -> dict[tuple[str, dt.date, str], FindingMark]:
    return {
        (mark.check_key, mark.fiscal_year_start, mark.subject): mark
        for mark in FindingMark.objects.filter(company=company)
    }


def status_of(finding: Finding, mark: FindingMark | None) -> str:
    if mark is None or not mark.resolved:
        return OPEN
    return RESOLVED if mark.fingerprint == finding.fingerprint else REOPENED


def finding_list(
    *,
    access: CompanyAccess,
    severity: str = "",
    check: str = "",
    year: dt.date | None = None,
    status: str = "",
) -> list[FindingRow]:
    """The company's findings, most severe first, filtered by severity, check, fiscal year
    (its start) and status (open — reopened ones included — or resolved)."""
    access.require(MODULE, "view")
    return company_findings(
        company=access.company, severity=severity, check=check, year=year, status=status
    )


def company_findings(
    *,
    company: Company,
    severity: str = "",
    check: str = "",
    year: dt.date | None = None,
    status: str = "",
    years: list[Any] | None = None,
) -> list[FindingRow]:
    """finding_list without a user: for the command line and the services."""
    findings = Finding.objects.filter(company=company).select_related("fiscal_year")
    if years is not None:
        findings = findings.filter(fiscal_year__in=years)
    if severity:
        findings = findings.filter(severity=severity)
    if check:
        findings = findings.filter(check_key=check)
    if year is not None:
        findings = findings.filter(fiscal_year__start=year)
    marks = _marks(company)
    rows = []
    for finding in findings:
        mark = marks.get((finding.check_key, finding.fiscal_year.start, finding.subject))
        row = FindingRow(finding=finding, status=status_of(finding, mark), mark=mark)
        if status == OPEN and not row.is_open:
            continue
        if status == RESOLVED and row.is_open:
            continue
        rows.append(row)
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    rows.sort(
        key=lambda r: (
            order[r.finding.severity],
            -r.finding.fiscal_year.start.toordinal(),
            CHECK_ORDER.get(r.finding.check_key, 99),
            r.finding.code,
            r.finding.subject,
        )
    )
    return rows


def open_counts(rows: list[FindingRow]) -> Counter[str]:
    """Open findings per severity."""
    return Counter(row.finding.severity for row in rows if row.is_open)


def finding_get(*, access: CompanyAccess, finding_id: uuid.UUID) -> FindingRow | None:
    access.require(MODULE, "view")
    finding = (
        Finding.objects.filter(company=access.company, id=finding_id)
        .select_related("fiscal_year")
        .first()
    )
    if finding is None:
        return None
    mark = FindingMark.objects.filter(
        company=access.company,
        check_key=finding.check_key,
        fiscal_year_start=finding.fiscal_year.start,
        subject=finding.subject,
    ).first()
    return FindingRow(finding=finding, status=status_of(finding, mark), mark=mark)


def last_run(*, access: CompanyAccess) -> CheckRun | None:
    access.require(MODULE, "view")
    return CheckRun.objects.filter(company=access.company).first()
