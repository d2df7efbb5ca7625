"""Reads for the reports. Every function takes a CompanyAccess, so no query leaves the
company; the sums are made by the database (GROUP BY account and month) from the report
index of the transaction rows, and Python only sees a few thousand totals.

#PSALDO period balances are not used: many files lack them, and the rows are the truth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404

from skrivbord.accounting.models import (
    Account,
    AccountingObject,
    Balance,
    BalanceKind,
    FiscalYear,
    RowKind,
    TransactionRow,
    Voucher,
)
from skrivbord.accounting.reports.books import (
    ZERO,
    AccountBooks,
    Comparison,
    YearBooks,
    comparison,
    month_starts,
)
from skrivbord.accounting.reports.figures import OUTPUT_VAT_SPANS
from skrivbord.accounting.reports.trend import IncomeAndExpenses, side
from skrivbord.accounting.selectors import fiscal_year_get, fiscal_year_list
from skrivbord.core.access import CompanyAccess

COST_CENTRE = 1
PROJECT = 6
DIMENSION_COLUMNS = {COST_CENTRE: "cost_centre", PROJECT: "project"}


@dataclass(frozen=True)
class ReportYears:
    year: FiscalYear
    previous: FiscalYear | None


def report_years(*, access: CompanyAccess, start: dt.date | None = None) -> ReportYears:
    """The year asked for (the latest when None) and the one before it, or 404 when the
    company has no books."""
    year = fiscal_year_get(access=access, start=start)
    previous = fiscal_year_list(access=access).filter(start__lt=year.start).first()
    return ReportYears(year=year, previous=previous)


def report_comparison(*, access: CompanyAccess, years: ReportYears, today: dt.date) -> Comparison:
    """The period of the year the reports cover and the same months of the year before
    (`books.period_so_far`): for a year still running on `today`, one more query, the date
    of its last voucher up to today (the (company, date) index of the vouchers)."""
    access.require("accounting", "view")
    year, previous = years.year, years.previous
    last_booked = None
    if today < year.end:
        last_booked = Voucher.objects.filter(
            company=access.company, date__gte=year.start, date__lte=today
        ).aggregate(last=Max("date"))["last"]
    return comparison(
        (year.start, year.end),
        (previous.start, previous.end) if previous is not None else None,
        today=today,
        last_booked=last_booked,
    )


def _rows(access: CompanyAccess, years: list[FiscalYear]) -> QuerySet[TransactionRow]:
    for year in years:
        if year.company_id != access.company.id:
            raise Http404
    # The years are the company's (checked above), so their rows are too: filtering by the
    # year alone lets the database answer from the (fiscal_year, account, date, kind, amount)
    # index without reading the table.
    return TransactionRow.objects.filter(
        fiscal_year_id__in=[year.id for year in years], kind=RowKind.TRANS
    )


def year_books(
    *,
    access: CompanyAccess,
    years: ReportYears,
    dimension: int | None = None,
    code: str = "",
    by_month: bool = True,
    periods: Comparison | None = None,
    vat_credits: bool = True,
) -> tuple[YearBooks, YearBooks | None]:
    """The books of the year and of the one before, per account and month: one aggregate
    query for the rows, one for the opening balances, one for the accounts' names, and one
    for the credits on the output VAT accounts (for DSO; only with `by_month` and
    `vat_credits`, and without a dimension). With a dimension (1 cost centre, 6 project)
    and an object code, only that object's rows. Without `by_month` the rows are summed
    per account only (a cheaper GROUP BY, for the statements), and each account's year is
    all in its last month; `periods` then keeps each year's rows to its period (a year in
    progress and last year's same months), as the months do for the key figures."""
    access.require("accounting", "view")
    wanted = [years.year] + ([years.previous] if years.previous else [])
    rows = _rows(access, wanted)
    if dimension is not None:
        rows = rows.filter(**{DIMENSION_COLUMNS[dimension]: code})
    if periods is not None and not by_month and not periods.complete:
        moved = _movements_within(access, rows, years, periods)
    else:
        moved = _movements(rows, wanted, by_month=by_month)
    credited: dict[Any, dict[str, dict[str, int]]] = {year.id: {} for year in wanted}
    if by_month and vat_credits and dimension is None:
        credited = _movements(_output_vat_credits(rows), wanted, by_month=True)
    opening: dict[Any, dict[str, Decimal]] = {year.id: {} for year in wanted}
    if dimension is None:
        for year_id, account, amount in (
            Balance.objects.filter(
                company=access.company,
                fiscal_year__in=wanted,
                kind=BalanceKind.IB,
                object_dimension=0,
            )
            .values_list("fiscal_year_id", "account", "amount")
            .order_by()
        ):
            opening[year_id][account] = amount
    numbers = {n for year in wanted for n in (*moved[year.id], *opening[year.id])}
    chart = {
        number: (name, sru)
        for number, name, sru in Account.objects.filter(company=access.company, number__in=numbers)
        .values_list("number", "name", "sru")
        .order_by()
    }
    books = []
    for year in wanted:
        months = month_starts(year.start, year.end)
        index = {f"{month:%Y-%m}": position for position, month in enumerate(months)}
        accounts = {}
        for number in set(moved[year.id]) | set(opening[year.id]):
            credits: tuple[Decimal, ...] = ()
            if number in credited[year.id]:
                credits = _by_month(credited[year.id][number], index, year)
            name, sru = chart.get(number, ("", ""))
            accounts[number] = AccountBooks(
                number=number,
                name=name,
                opening=opening[year.id].get(number, ZERO),
                months=_by_month(moved[year.id].get(number, {}), index, year),
                sru=sru,
                credits=credits,
            )
        books.append(YearBooks(start=year.start, end=year.end, accounts=accounts, months=months))
    return books[0], (books[1] if len(books) > 1 else None)


def _movements_within(
    access: CompanyAccess,
    rows: QuerySet[TransactionRow],
    years: ReportYears,
    periods: Comparison,
) -> dict[Any, dict[str, dict[str, int]]]:
    """Per year and account, the sum of its rows in its period: one query per year, so a
    year not cut reads its rows without testing their dates (a date test on every row of
    an OR over both years cost a third more on SQLite). This year is cut only when a
    voucher is dated after its period (booked ahead): one look at the vouchers' (company,
    date) index."""
    year, previous = years.year, years.previous
    this_rows = rows.filter(fiscal_year_id=year.id)
    if Voucher.objects.filter(
        company=access.company, date__gt=periods.this.end, date__lte=year.end
    ).exists():
        this_rows = this_rows.filter(date__lte=periods.this.end)
    moved = _movements(this_rows, [year], by_month=False)
    if previous is not None:
        previous_rows = rows.filter(fiscal_year_id=previous.id)
        if periods.previous is not None and not periods.previous.complete:
            previous_rows = previous_rows.filter(date__lte=periods.previous.end)
        moved.update(_movements(previous_rows, [previous], by_month=False))
    return moved


def _by_month(
    totals: dict[str, int], index: dict[str, int], year: FiscalYear
) -> tuple[Decimal, ...]:
    """Sums in öre per "YYYY-MM" as amounts per month of the year."""
    amounts = [ZERO] * len(index)
    for month, total in totals.items():
        # A row dated outside its year (the checks report it) counts in the nearest
        # month, so the year's totals still agree with the books.
        position = index.get(month, 0 if month < f"{year.start:%Y-%m}" else -1)
        amounts[position] += Decimal(total).scaleb(-2)
    return tuple(amounts)


def _output_vat_credits(rows: QuerySet[TransactionRow]) -> QuerySet[TransactionRow]:
    """The credit rows on 2610-2639: one range of the report index per year (as text, so
    8-digit sub-accounts are in it too). The reverse-charge accounts among them are left
    out by the figure's part (`figures.OUTPUT_VAT`), not here: one range scans faster than
    four."""
    low = min(low for low, _high in OUTPUT_VAT_SPANS)
    high = max(high for _low, high in OUTPUT_VAT_SPANS)
    return rows.filter(account__gte=str(low), account__lt=str(high + 1), amount__lt=0)


def _movements(
    rows: QuerySet[TransactionRow], years: list[FiscalYear], *, by_month: bool
) -> dict[Any, dict[str, dict[str, int]]]:
    """Per year, account and month ("YYYY-MM"), the sum of the rows in öre.

    Grouped by the date, not the month: the report index (fiscal_year, account, date, ...)
    hands the rows over in that order, so the database sums them as they come, where a
    GROUP BY on a month expression makes SQLite sort them first (several times slower). The few
    thousand (account, day) sums are added up to months here, as integers: the ORM's
    per-value conversions are skipped by reading the cursor directly.
    """
    fields = ("fiscal_year_id", "account", "date") if by_month else ("fiscal_year_id", "account")
    sql, params = (
        rows.values_list(*fields).annotate(total=Sum("amount")).order_by().query.sql_with_params()
    )
    keys: dict[Any, Any] = {}
    for year in years:
        keys.update({year.id: year.id, year.id.hex: year.id, str(year.id): year.id})
    moved: dict[Any, dict[str, dict[str, int]]] = {year.id: {} for year in years}
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        if by_month:
            for year_key, account, date, total in cursor:
                # SQLite returns the date as ISO text, PostgreSQL as a date: both start
                # with YYYY-MM as text.
                months = moved[keys[year_key]].setdefault(account, {})
                month = str(date)[:7]
                months[month] = months.get(month, 0) + total
        else:
            for year_key, account, total in cursor:
                moved[keys[year_key]][account] = {"9999-99": total}
    return moved


@dataclass(frozen=True, kw_only=True)
class ObjectResult(IncomeAndExpenses):
    code: str
    name: str


def object_results(
    *,
    access: CompanyAccess,
    years: ReportYears,
    dimension: int,
    periods: Comparison | None = None,
) -> list[ObjectResult]:
    """Income, expenses and result per object of a dimension (1 cost centre, 6 project),
    this year and last year (each year's rows up to its period's end for a year in
    progress): one aggregate query by object and account."""
    access.require("accounting", "view")
    column = DIMENSION_COLUMNS[dimension]
    wanted = [years.year] + ([years.previous] if years.previous else [])
    rows = _rows(access, wanted)
    if periods is not None and not periods.complete:
        within = Q(fiscal_year_id=years.year.id, date__lte=periods.this.end)
        if years.previous is not None and periods.previous is not None:
            within |= Q(fiscal_year_id=years.previous.id, date__lte=periods.previous.end)
        rows = rows.filter(within)
    totals = (
        rows.exclude(**{column: ""})
        .values_list("fiscal_year_id", column, "account")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    sums: dict[str, dict[tuple[Any, str], Decimal]] = {}
    for year_id, code, account, total in totals:
        where = side(account)
        if not where:
            continue
        per_code = sums.setdefault(code, {})
        key = (year_id, where)
        per_code[key] = per_code.get(key, ZERO) + (-total if where == "income" else total)
    names = dict(
        AccountingObject.objects.filter(
            company=access.company, dimension=dimension, code__in=list(sums)
        ).values_list("code", "name")
    )
    has_previous = years.previous is not None
    previous_id = years.previous.id if years.previous else None
    return [
        ObjectResult(
            code=code,
            name=names.get(code, ""),
            income=per_code.get((years.year.id, "income"), ZERO),
            expenses=per_code.get((years.year.id, "expenses"), ZERO),
            previous_income=per_code.get((previous_id, "income"), ZERO) if has_previous else None,
            previous_expenses=per_code.get((previous_id, "expenses"), ZERO)
            if has_previous
            else None,
        )
        for code, per_code in sorted(sums.items())
    ]


def object_get(*, access: CompanyAccess, dimension: int, code: str) -> tuple[str, str]:
    """An object's code and name (the name may be missing: 4I files need not declare)."""
    access.require("accounting", "view")
    if dimension not in DIMENSION_COLUMNS:
        raise Http404
    name = (
        AccountingObject.objects.filter(company=access.company, dimension=dimension, code=code)
        .values_list("name", flat=True)
        .first()
    )
    return code, name or ""


@dataclass(frozen=True)
class LedgerRow:
    date: dt.date
    series: str
    number: int | None
    text: str
    amount: Decimal
    balance: Decimal


@dataclass(frozen=True)
class Ledger:
    account: str
    name: str
    opening: Decimal
    rows: list[LedgerRow]

    @property
    def closing(self) -> Decimal:
        return self.rows[-1].balance if self.rows else self.opening


def account_ledger(*, access: CompanyAccess, year: FiscalYear, account: str) -> Ledger:
    """An account's rows of the year in date order with the running balance (from the
    opening balance for a balance-sheet account)."""
    access.require("accounting", "view")
    name = (
        Account.objects.filter(company=access.company, number=account)
        .values_list("name", flat=True)
        .first()
    )
    rows = _rows(access, [year]).filter(account=account)
    if name is None and not rows.exists():
        raise Http404
    opening = ZERO
    if account[:1] in ("1", "2"):
        opening = (
            Balance.objects.filter(
                company=access.company,
                fiscal_year=year,
                kind=BalanceKind.IB,
                account=account,
                object_dimension=0,
            )
            .values_list("amount", flat=True)
            .first()
        ) or ZERO
    balance = opening
    result = []
    for date, series, number, text, voucher_text, amount in rows.order_by(
        "date", "voucher__series", "voucher__number", "voucher__occurrence", "position"
    ).values_list("date", "voucher__series", "voucher__number", "text", "voucher__text", "amount"):
        balance += amount
        result.append(
            LedgerRow(
                date=date,
                series=series,
                number=number,
                text=text or voucher_text,
                amount=amount,
                balance=balance,
            )
        )
    return Ledger(account=account, name=name or "", opening=opening, rows=result)
