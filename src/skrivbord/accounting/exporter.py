"""Exporting the books as a SIE file: types 1, 2, 3, 4E and 4I, codepage 437, with #KSUMMA.

`sie_export(company=..., fiscal_year=..., stream=...)` builds SIE records from the database
and writes them with the SIE writer as they are read: the chart and the balances first (a
few thousand records), then the vouchers a chunk at a time, so a year of a million
transactions is written in flat memory. Importing the file again gives the same books.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils import timezone

import skrivbord
from skrivbord.accounting import models as m
from skrivbord.accounting.sie import model as sie
from skrivbord.accounting.sie.writer import KINDS, SieWriter, ordered_records
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company

CHUNK_VOUCHERS = 2000


@dataclass
class ExportResult:
    kind: str
    accounts: int = 0
    balances: int = 0
    period_balances: int = 0
    vouchers: int = 0
    rows: int = 0


def books_export(
    *, access: CompanyAccess, fiscal_year: m.FiscalYear, stream: IO[bytes], kind: str = "4E"
) -> ExportResult:
    """Export for a user (the download button): reading the books is enough."""
    access.require("accounting", "view")
    return sie_export(company=access.company, fiscal_year=fiscal_year, stream=stream, kind=kind)


def sie_export(
    *,
    company: Company,
    fiscal_year: m.FiscalYear,
    stream: IO[bytes],
    kind: str = "4E",
    using: str = "default",
) -> ExportResult:
    """Write `fiscal_year` of `company`'s books to the binary `stream` as SIE type `kind`
    ("1", "2", "3", "4E" or "4I"). The previous fiscal year, when the books have it, is year
    -1 of the file (its balances, for comparison)."""
    if kind not in KINDS:
        raise ValueError(f"unknown SIE type {kind!r}; one of {', '.join(KINDS)}")
    if fiscal_year.company_id != company.id:
        raise ValueError("the fiscal year belongs to another company")
    result = ExportResult(kind=kind)
    years = _years(company, fiscal_year, using)
    head = _head(company, years, kind, using, result)
    writer = SieWriter(stream)
    writer.write_all(ordered_records(head, kind))
    if kind in ("4E", "4I"):
        for voucher in _vouchers(company, fiscal_year, using):
            writer.write(voucher)
            result.vouchers += 1
            result.rows += len(voucher.rows)
    writer.close()
    return result


def _years(company: Company, year: m.FiscalYear, using: str) -> dict[int, m.FiscalYear]:
    previous = (
        m.FiscalYear.objects.using(using)
        .filter(company=company, start__lt=year.start)
        .order_by("-start")
        .first()
    )
    return {0: year, -1: previous} if previous is not None else {0: year}


def _head(
    company: Company,
    years: dict[int, m.FiscalYear],
    kind: str,
    using: str,
    result: ExportResult,
) -> sie.SieFile:
    """Everything but the vouchers, as a SieFile (small: the chart and the balances)."""
    accounts = list(m.Account.objects.using(using).filter(company=company).order_by("number"))
    dimensions = list(m.Dimension.objects.using(using).filter(company=company).order_by("number"))
    objects = list(
        m.AccountingObject.objects.using(using)
        .filter(company=company)
        .order_by("dimension", "code")
    )
    index_of = {year.id: index for index, year in years.items()}
    balances = []
    for b in (
        m.Balance.objects.using(using)
        .filter(company=company, fiscal_year__in=list(index_of))
        .order_by("kind", "account", "object_dimension", "object_code")
    ):
        balances.append(
            sie.Balance(
                kind=sie.BalanceKind(b.kind),
                year=index_of[b.fiscal_year_id],
                account=b.account,
                amount=b.amount,
                objects=_objects_of(b.object_dimension, b.object_code),
                quantity=b.quantity,
            )
        )
    # Year 0 first, then -1, as exporters usually write them.
    balances.sort(key=lambda b: (_BALANCE_ORDER[b.kind], -b.year))
    periods = []
    for p in (
        m.PeriodBalance.objects.using(using)
        .filter(company=company, fiscal_year__in=list(index_of))
        .order_by("kind", "period", "account", "object_dimension", "object_code")
    ):
        periods.append(
            sie.PeriodBalance(
                kind=sie.PeriodKind(p.kind),
                year=index_of[p.fiscal_year_id],
                period=p.period,
                account=p.account,
                amount=p.amount,
                objects=_objects_of(p.object_dimension, p.object_code),
                quantity=p.quantity,
            )
        )
    periods.sort(key=lambda p: (p.kind != sie.PeriodKind.PSALDO, -p.year))
    result.accounts = len(accounts)
    result.balances = len(balances)
    result.period_balances = len(periods)
    today = timezone.localdate()
    return sie.SieFile(
        program=sie.Program("skrivbord", skrivbord.__version__),
        format=sie.Format("PC8"),
        generated=sie.Generated(today),
        sie_type=sie.SieType(int(kind[0])),
        org_number=sie.OrgNumber(company.org_number) if company.org_number else None,
        address=_address(company),
        company_name=sie.CompanyName(company.name),
        fiscal_years=tuple(
            sie.FiscalYear(index, year.start, year.end)
            for index, year in sorted(years.items(), reverse=True)
        ),
        currency=sie.Currency("SEK"),
        accounts=tuple(sie.Account(a.number, a.name) for a in accounts),
        account_types=tuple(sie.AccountType(a.number, a.type) for a in accounts if a.type),
        units=tuple(sie.Unit(a.number, a.unit) for a in accounts if a.unit),
        sru_codes=tuple(sie.SruCode(a.number, a.sru) for a in accounts if a.sru),
        dimensions=tuple(sie.Dimension(d.number, d.name, d.parent) for d in dimensions),
        objects=tuple(sie.Object(o.dimension, o.code, o.name) for o in objects),
        balances=tuple(balances),
        period_balances=tuple(periods),
    )


_BALANCE_ORDER = {
    sie.BalanceKind.IB: 0,
    sie.BalanceKind.UB: 1,
    sie.BalanceKind.OIB: 2,
    sie.BalanceKind.OUB: 3,
    sie.BalanceKind.RES: 4,
}


def _address(company: Company) -> sie.Address | None:
    postal = f"{company.postal_code} {company.city}".strip()
    if not (company.street or postal or company.phone):
        return None
    return sie.Address(contact="", street=company.street, postal=postal, phone=company.phone)


def _objects_of(dimension: int, code: str) -> sie.ObjectList:
    return (sie.ObjectRef(dimension, code),) if dimension else ()


def _vouchers(company: Company, year: m.FiscalYear, using: str) -> Iterator[sie.Voucher]:
    """The year's vouchers with their rows, in series and number order, a chunk at a time."""
    vouchers = (
        m.Voucher.objects.using(using)
        .filter(company=company, fiscal_year=year)
        .order_by("series", "number", "occurrence")
        .values_list("id", "series", "number", "date", "text", "registered", "sign")
    )
    chunk: list[tuple[Any, ...]] = []
    for voucher in vouchers.iterator(chunk_size=CHUNK_VOUCHERS):
        chunk.append(voucher)
        if len(chunk) >= CHUNK_VOUCHERS:
            yield from _with_rows(chunk, using)
            chunk = []
    yield from _with_rows(chunk, using)


def _with_rows(vouchers: list[tuple[Any, ...]], using: str) -> Iterator[sie.Voucher]:
    if not vouchers:
        return
    rows: dict[Any, list[sie.TransactionRow]] = defaultdict(list)
    dates = {voucher[0]: voucher[3] for voucher in vouchers}
    for (
        voucher_id,
        kind,
        account,
        amount,
        date,
        text,
        quantity,
        sign,
        object_list,
    ) in (
        m.TransactionRow.objects.using(using)
        .filter(voucher_id__in=list(dates))
        .order_by("voucher_id", "position")
        .values_list(
            "voucher_id",
            "kind",
            "account",
            "amount",
            "date",
            "text",
            "quantity",
            "sign",
            "object_list",
        )
    ):
        rows[voucher_id].append(
            sie.TransactionRow(
                kind=sie.RowKind(kind),
                account=account,
                amount=amount,
                objects=tuple(sie.ObjectRef(int(d), str(c)) for d, c in object_list or ()),
                # A row on the voucher's own date leaves its date out, as most files do.
                date=None if date == dates[voucher_id] else date,
                text=text,
                quantity=quantity,
                sign=sign,
            )
        )
    for voucher_id, series, number, date, text, registered, sign in vouchers:
        yield sie.Voucher(
            series=series,
            number=number,
            date=date,
            text=text,
            registered=registered,
            sign=sign,
            rows=tuple(rows[voucher_id]),
        )
