"""Reads of the books. Every function takes a CompanyAccess, so no query leaves the company."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from skrivbord.accounting.models import (
    Account,
    AccountingObject,
    AccountType,
    Balance,
    BalanceKind,
    Dimension,
    FiscalYear,
    RowKind,
    SieUpload,
    TransactionRow,
    Voucher,
    VoucherSeries,
)
from skrivbord.core.access import CompanyAccess

ZERO = Decimal("0.00")


def fiscal_year_list(*, access: CompanyAccess) -> QuerySet[FiscalYear]:
    access.require("accounting", "view")
    return FiscalYear.objects.filter(company=access.company).order_by("-start")


def fiscal_year_get(*, access: CompanyAccess, start: dt.date | None = None) -> FiscalYear:
    """The fiscal year that starts on `start` (the latest one when None), or 404."""
    years = fiscal_year_list(access=access)
    year = years.filter(start=start).first() if start is not None else years.first()
    if year is None:
        raise Http404
    return year


BALANCE_SHEET = "balance"
RESULT = "result"
INTERNAL = "internal"


def account_class(number: str, account_type: str, stated: str | None) -> str:
    """Balance-sheet account (assets, liabilities, equity), result account (income and
    expenses) or internal account: by #KTYP where the file stated it, else by the BAS
    class (1-2 balance sheet, 3-8 result), else by what the file states for it (#UB or
    #RES). BAS class 9 (internal accounting) and non-numeric accounts without any of these
    are internal: the annual accounts leave them out, and files state nothing for them."""
    if account_type:
        if account_type in (AccountType.ASSET, AccountType.LIABILITY):
            return BALANCE_SHEET
        return RESULT
    if number[:1] in ("1", "2"):
        return BALANCE_SHEET
    if number[:1] in ("3", "4", "5", "6", "7", "8"):
        return RESULT
    if stated == BalanceKind.UB:
        return BALANCE_SHEET
    if stated == BalanceKind.RES:
        return RESULT
    return INTERNAL


@dataclass(frozen=True)
class TrialBalanceLine:
    number: str
    name: str
    #: #IB of the year.
    opening: Decimal
    #: Σ #TRANS rows of the year's vouchers.
    movement: Decimal
    #: opening + movement for a balance-sheet account, movement for a result account.
    closing: Decimal
    #: The closing balance (#UB) or result (#RES) the imported file stated (0 when the file
    #: left out a zero balance); None when the year has none at all, and for an internal
    #: account the file says nothing about.
    stated: Decimal | None
    #: BALANCE_SHEET, RESULT or INTERNAL (see account_class).
    account_class: str

    @property
    def reconciles(self) -> bool:
        if self.stated is None:
            return self.account_class == INTERNAL
        return self.stated == self.closing


@dataclass(frozen=True)
class TrialBalance:
    fiscal_year: FiscalYear
    lines: list[TrialBalanceLine]
    #: Whether the books hold closing balances or results for the year to compare with.
    has_stated: bool

    @property
    def reconciles(self) -> bool:
        return self.has_stated and all(line.reconciles for line in self.lines)

    @property
    def differences(self) -> list[TrialBalanceLine]:
        return [line for line in self.lines if not line.reconciles]


def trial_balance(*, access: CompanyAccess, fiscal_year: FiscalYear) -> TrialBalance:
    """The trial balance (råbalans) of a fiscal year: per account the opening balance, the
    year's movement and the closing balance, and whether it agrees with the closing balance
    or result the imported file stated. Three aggregate queries, whatever the size."""
    access.require("accounting", "view")
    if fiscal_year.company_id != access.company.id:
        raise Http404
    # The year is the company's (checked above), so its rows are too: filtering by the year
    # alone lets the database answer from the (fiscal_year, kind, account, amount) index.
    movements = dict(
        TransactionRow.objects.filter(fiscal_year=fiscal_year, kind=RowKind.TRANS)
        .values("account")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("account", "total")
    )
    stated: dict[str, dict[str, Decimal]] = {
        BalanceKind.IB: {},
        BalanceKind.UB: {},
        BalanceKind.RES: {},
    }
    for kind, account, amount in Balance.objects.filter(
        company=access.company,
        fiscal_year=fiscal_year,
        kind__in=(BalanceKind.IB, BalanceKind.UB, BalanceKind.RES),
        object_dimension=0,
    ).values_list("kind", "account", "amount"):
        stated[kind][account] = amount
    has_stated = bool(stated[BalanceKind.UB] or stated[BalanceKind.RES])
    numbers = set(movements) | set(stated[BalanceKind.IB])
    numbers |= set(stated[BalanceKind.UB]) | set(stated[BalanceKind.RES])
    chart = {
        number: (name, account_type)
        for number, name, account_type in Account.objects.filter(
            company=access.company, number__in=numbers
        ).values_list("number", "name", "type")
    }
    lines = []
    for number in sorted(numbers):
        name, account_type = chart.get(number, ("", ""))
        in_file = (
            BalanceKind.UB
            if number in stated[BalanceKind.UB]
            else BalanceKind.RES
            if number in stated[BalanceKind.RES]
            else None
        )
        kind = account_class(number, account_type, in_file)
        opening = stated[BalanceKind.IB].get(number, ZERO)
        movement = movements.get(number) or ZERO
        closing = opening + movement if kind == BALANCE_SHEET else movement
        file_closing: Decimal | None = None
        if kind != INTERNAL and has_stated:
            side = stated[BalanceKind.UB if kind == BALANCE_SHEET else BalanceKind.RES]
            file_closing = side.get(number, ZERO)
        lines.append(
            TrialBalanceLine(
                number=number,
                name=name,
                opening=opening,
                movement=movement,
                closing=closing,
                stated=file_closing,
                account_class=kind,
            )
        )
    return TrialBalance(fiscal_year=fiscal_year, lines=lines, has_stated=has_stated)


# --- Browsing the books (the web pages) ------------------------------------------------------
#
# Lists stay fast on a million transaction rows: they page by key (the next page starts after
# the last row shown) instead of by offset, count at most COUNT_LIMIT rows, and read the rows
# of a year through the report index (fiscal_year, account, date, kind, amount).

#: Rows a list shows at a time.
PAGE_SIZE = 50
#: Lists count up to this many matches; beyond it they say "more than".
COUNT_LIMIT = 1000


def limited_count(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> int:
    """How many rows match, counting at most limit + 1 (so "more than limit" is known)."""
    return queryset.order_by()[: limit + 1].count()


def account_list(
    *, access: CompanyAccess, search: str = "", account_type: str = ""
) -> QuerySet[Account]:
    """The chart of accounts, by number. `search` matches the start of the number or any
    part of the name."""
    access.require("accounting", "view")
    accounts = Account.objects.filter(company=access.company)
    search = search.strip()
    if search:
        accounts = accounts.filter(Q(number__startswith=search) | Q(name__icontains=search))
    if account_type:
        accounts = accounts.filter(type=account_type)
    return accounts.order_by("number")


def account_get(*, access: CompanyAccess, number: str) -> Account:
    """The company's account with this number. An account a 4I file used without declaring
    it has no row in the chart: it is shown unnamed, so its ledger is still reachable."""
    access.require("accounting", "view")
    account = Account.objects.filter(company=access.company, number=number).first()
    if account is not None:
        return account
    # By the company's years, so the report index answers (rows have no company index).
    years = FiscalYear.objects.filter(company=access.company).values("id")
    if not TransactionRow.objects.filter(fiscal_year__in=years, account=number).exists():
        raise Http404
    return Account(company=access.company, number=number)


def _account_classes(access: CompanyAccess, numbers: Iterable[str]) -> dict[str, str]:
    types = dict(
        Account.objects.filter(company=access.company, number__in=list(numbers)).values_list(
            "number", "type"
        )
    )
    return {number: account_class(number, types.get(number, ""), None) for number in numbers}


@dataclass(frozen=True)
class AccountBalance:
    opening: Decimal
    movement: Decimal
    closing: Decimal


def account_balances(
    *, access: CompanyAccess, fiscal_year: FiscalYear, numbers: Iterable[str]
) -> dict[str, AccountBalance]:
    """Opening balance, movement and closing balance of the year for these accounts (a page
    of the chart): two aggregate queries over the report index, whatever the year's size."""
    access.require("accounting", "view")
    if fiscal_year.company_id != access.company.id:
        raise Http404
    numbers = list(numbers)
    movements = dict(
        TransactionRow.objects.filter(
            fiscal_year=fiscal_year, kind=RowKind.TRANS, account__in=numbers
        )
        .values("account")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("account", "total")
    )
    openings = dict(
        Balance.objects.filter(
            company=access.company,
            fiscal_year=fiscal_year,
            kind=BalanceKind.IB,
            object_dimension=0,
            account__in=numbers,
        ).values_list("account", "amount")
    )
    classes = _account_classes(access, numbers)
    balances = {}
    for number in numbers:
        opening = openings.get(number, ZERO) if classes[number] == BALANCE_SHEET else ZERO
        movement = movements.get(number) or ZERO
        balances[number] = AccountBalance(opening, movement, opening + movement)
    return balances


class _DebitCredit:
    """A transaction row shown the ledger way: its amount as debit (positive) or credit."""

    row: TransactionRow

    @property
    def debit(self) -> Decimal | None:
        return self.row.amount if self.row.amount > 0 else None

    @property
    def credit(self) -> Decimal | None:
        return -self.row.amount if self.row.amount < 0 else None


@dataclass(frozen=True)
class LedgerLine(_DebitCredit):
    row: TransactionRow
    #: The account's balance after this row.
    balance: Decimal


@dataclass(frozen=True)
class Ledger:
    """A page of an account's ledger (huvudbok) for a fiscal year, in date order."""

    account: Account
    fiscal_year: FiscalYear
    #: The opening balance (#IB) of a balance-sheet account; 0 for a result account.
    opening: Decimal
    #: opening + the year's transactions, and the year's debit and credit totals: on the
    #: last page only (None on the others).
    closing: Decimal | None
    debit_total: Decimal | None
    credit_total: Decimal | None
    lines: list[LedgerLine]
    #: Cursors of the pages before and after this one (None at either end).
    previous: str | None
    next: str | None
    #: How many transactions the year has on the account (at most COUNT_LIMIT + 1).
    count: int


def _cursor(row: TransactionRow) -> str:
    return f"{row.date:%Y-%m-%d}~{row.voucher_id}~{row.position}"


def _parse_cursor(value: str | None) -> tuple[dt.date, uuid.UUID, int] | None:
    if not value:
        return None
    try:
        day, voucher, position = value.split("~")
        return dt.date.fromisoformat(day), uuid.UUID(voucher), int(position)
    except ValueError:
        return None


def _before(cursor: tuple[dt.date, uuid.UUID, int]) -> Q:
    """Rows that come before the cursor in ledger order (date, voucher, position): written
    so the date bound is a range on the report index."""
    day, voucher, position = cursor
    return (
        Q(date__lt=day)
        | Q(date=day, voucher_id__lt=voucher)
        | Q(date=day, voucher_id=voucher, position__lt=position)
    )


def _after(cursor: tuple[dt.date, uuid.UUID, int]) -> Q:
    day, voucher, position = cursor
    return Q(date__gte=day) & ~(
        Q(date=day, voucher_id__lt=voucher)
        | Q(date=day, voucher_id=voucher, position__lte=position)
    )


def ledger(
    *,
    access: CompanyAccess,
    fiscal_year: FiscalYear,
    account: Account,
    after: str | None = None,
    before: str | None = None,
    start: dt.date | None = None,
    page_size: int = PAGE_SIZE,
) -> Ledger:
    """One page of the account's transactions in the year with the running balance: the
    page after the cursor `after`, before `before`, from the date `start`, or the first."""
    access.require("accounting", "view")
    if fiscal_year.company_id != access.company.id or account.company_id != access.company.id:
        raise Http404
    # The year is the company's (checked above), so filtering rows by it alone is enough
    # and lets the database read them in date order from the report index.
    rows = TransactionRow.objects.filter(
        fiscal_year=fiscal_year, account=account.number, kind=RowKind.TRANS
    )
    opening = ZERO
    if account_class(account.number, account.type, None) == BALANCE_SHEET:
        opening = (
            Balance.objects.filter(
                company=access.company,
                fiscal_year=fiscal_year,
                kind=BalanceKind.IB,
                account=account.number,
                object_dimension=0,
            )
            .values_list("amount", flat=True)
            .first()
            or ZERO
        )
    order = ("date", "voucher_id", "position")
    after_cursor, before_cursor = _parse_cursor(after), _parse_cursor(before)
    page = rows.select_related("voucher")
    if before_cursor is not None:
        found = list(
            page.filter(_before(before_cursor)).order_by(*(f"-{o}" for o in order))[: page_size + 1]
        )
        has_before = len(found) > page_size
        found = found[:page_size][::-1]
        has_after = True
    else:
        if after_cursor is not None:
            page = page.filter(_after(after_cursor))
        elif start is not None:
            page = page.filter(date__gte=start)
        found = list(page.order_by(*order)[: page_size + 1])
        has_after = len(found) > page_size
        found = found[:page_size]
        has_before = after_cursor is not None or start is not None
    balance = opening
    if found:
        first = found[0]
        # Two sums, so the large one is a date range read from the report index alone (an OR
        # with the voucher id would read every row of the account).
        before_day = rows.filter(date__lt=first.date).order_by().aggregate(t=Sum("amount"))
        same_day = (
            rows.filter(date=first.date)
            .filter(
                Q(voucher_id__lt=first.voucher_id)
                | Q(voucher_id=first.voucher_id, position__lt=first.position)
            )
            .order_by()
            .aggregate(t=Sum("amount"), n=Count("*"))
        )
        balance += (before_day["t"] or ZERO) + (same_day["t"] or ZERO)
        if has_before and before_cursor is None and before_day["t"] is None and not same_day["n"]:
            has_before = False
    lines = []
    for row in found:
        balance += row.amount
        lines.append(LedgerLine(row=row, balance=balance))
    # The year's totals only on the last page, where the closing line shows them.
    debit_total = credit_total = closing = None
    if not has_after:
        totals = rows.order_by().aggregate(
            debit=Sum("amount", filter=Q(amount__gt=0)),
            credit=Sum("amount", filter=Q(amount__lt=0)),
        )
        debit_total = totals["debit"] or ZERO
        credit_total = -(totals["credit"] or ZERO)
        closing = opening + debit_total - credit_total
    return Ledger(
        account=account,
        fiscal_year=fiscal_year,
        opening=opening,
        closing=closing,
        debit_total=debit_total,
        credit_total=credit_total,
        lines=lines,
        previous=_cursor(found[0]) if found and has_before else None,
        next=_cursor(found[-1]) if found and has_after else None,
        count=limited_count(rows),
    )


@dataclass(frozen=True)
class YearLine:
    year: FiscalYear
    vouchers: int
    rows: int


def fiscal_year_overview(*, access: CompanyAccess) -> list[YearLine]:
    """Every fiscal year with its number of vouchers and transaction rows (two grouped
    counts over indexes, whatever the number of years)."""
    years = list(fiscal_year_list(access=access))
    vouchers = dict(
        Voucher.objects.filter(company=access.company)
        .values("fiscal_year")
        .annotate(n=Count("*"))  # "*", not "id": answered from the unique index alone
        .order_by()
        .values_list("fiscal_year", "n")
    )
    rows = {
        year.id: TransactionRow.objects.filter(fiscal_year=year).order_by().count()
        for year in years
    }
    return [YearLine(year, vouchers.get(year.id, 0), rows.get(year.id, 0)) for year in years]


@dataclass(frozen=True)
class SeriesLine:
    code: str
    name: str
    #: Vouchers in the selected fiscal year, and in all years.
    in_year: int
    total: int
    first: int | None
    last: int | None


def series_overview(*, access: CompanyAccess, fiscal_year: FiscalYear | None) -> list[SeriesLine]:
    """The voucher series with their voucher counts and first and last numbers."""
    access.require("accounting", "view")
    names = dict(VoucherSeries.objects.filter(company=access.company).values_list("code", "name"))
    per_year: dict[str, dict[str, Any]] = {}
    totals: dict[str, int] = {}
    for year_id, code, count, first, last in (
        Voucher.objects.filter(company=access.company)
        .values("fiscal_year", "series")
        .annotate(n=Count("*"), first=Min("number"), last=Max("number"))
        .order_by()
        .values_list("fiscal_year", "series", "n", "first", "last")
    ):
        totals[code] = totals.get(code, 0) + count
        if fiscal_year is not None and year_id == fiscal_year.id:
            per_year[code] = {"n": count, "first": first, "last": last}
    return [
        SeriesLine(
            code=code,
            name=names.get(code, ""),
            in_year=per_year.get(code, {}).get("n", 0),
            total=totals.get(code, 0),
            first=per_year.get(code, {}).get("first"),
            last=per_year.get(code, {}).get("last"),
        )
        for code in sorted(set(names) | set(totals))
    ]


@dataclass(frozen=True)
class VoucherQuery:
    """A voucher search. `text` is the one search box: it matches the voucher text, and
    also a voucher number ("12", "A12", "A 12"), a date (2025-03-01) or an amount
    ("1 234,50", "1234.50") when it reads as one."""

    text: str = ""
    series: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    account: str = ""
    amount: Decimal | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.text
            or self.series
            or self.date_from
            or self.date_to
            or self.account
            or self.amount is not None
        )


_VOUCHER_NUMBER = re.compile(r"^\s*([A-Za-zÅÄÖåäö]{0,3})\s*-?\s*(\d{1,12})\s*$")
_AMOUNT = re.compile(r"^[-+]?\d[\d\s.,]*$")


def parse_amount(text: str) -> Decimal | None:
    """An amount typed the Swedish way ("1 234,50", "-1234,5") or with a decimal point
    ("1234.50", "1,234.50"); None when the text is not an amount of whole öre."""
    value = (
        text.strip().replace("\N{NO-BREAK SPACE}", " ").replace("\N{NARROW NO-BREAK SPACE}", " ")
    )
    value = value.replace("\N{MINUS SIGN}", "-").removesuffix("kr").strip()
    if not value or not _AMOUNT.match(value):
        return None
    value = value.replace(" ", "")
    if "," in value and "." in value:
        # The later separator is the decimal one: 1.234,50 or 1,234.50.
        thousands = "." if value.rfind(",") > value.rfind(".") else ","
        value = value.replace(thousands, "").replace(",", ".")
    elif "," in value:
        value = value.replace(",", ".") if value.count(",") == 1 else value.replace(",", "")
    elif value.count(".") > 1:
        value = value.replace(".", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if amount != amount.quantize(Decimal("0.01")):
        return None
    return amount.quantize(Decimal("0.01"))


#: A voucher's total is a sum per voucher over the year's rows, which no index answers. In a
#: year of more rows than this, an amount matches voucher totals only among the vouchers the
#: other fields (series, dates, account) select; rows of that amount are always found.
TOTAL_SEARCH_ROWS = 200_000


def _amount_match(
    fiscal_year: FiscalYear, amount: Decimal, *, totals_within: QuerySet[Voucher] | None
) -> Q:
    """Vouchers with a row of this amount (debit or credit), or whose total (the sum of its
    debits, which equals the sum of its credits) is this amount: among `totals_within`, or
    the whole year when None."""
    rows = TransactionRow.objects.filter(fiscal_year=fiscal_year, kind=RowKind.TRANS)
    size = abs(amount)
    match = Q(id__in=rows.filter(amount__in=[size, -size]).values("voucher_id"))
    candidates = (
        rows if totals_within is None else rows.filter(voucher_id__in=totals_within.values("id"))
    )
    by_total = (
        candidates.filter(amount__gt=0)
        .values("voucher_id")
        .annotate(total=Sum("amount"))
        .filter(total=size)
        .values("voucher_id")
    )
    return match | Q(id__in=by_total)


def voucher_search(
    *, access: CompanyAccess, fiscal_year: FiscalYear, query: VoucherQuery
) -> QuerySet[Voucher]:
    """The year's vouchers that match every part of the query, newest first."""
    access.require("accounting", "view")
    if fiscal_year.company_id != access.company.id:
        raise Http404
    vouchers = Voucher.objects.filter(company=access.company, fiscal_year=fiscal_year)
    if query.series:
        vouchers = vouchers.filter(series=query.series)
    if query.date_from:
        vouchers = vouchers.filter(date__gte=query.date_from)
    if query.date_to:
        vouchers = vouchers.filter(date__lte=query.date_to)
    if query.account:
        vouchers = vouchers.filter(
            id__in=TransactionRow.objects.filter(
                fiscal_year=fiscal_year, account=query.account
            ).values("voucher_id")
        )
    amount_in_text = parse_amount(query.text) if query.text.strip() else None
    totals_within: QuerySet[Voucher] | None = None
    if query.amount is not None or amount_in_text is not None:
        narrowed = bool(query.series or query.date_from or query.date_to or query.account)
        small = (
            limited_count(TransactionRow.objects.filter(fiscal_year=fiscal_year), TOTAL_SEARCH_ROWS)
            <= TOTAL_SEARCH_ROWS
        )
        totals_within = None if small else vouchers if narrowed else vouchers.none()
    if query.amount is not None:
        vouchers = vouchers.filter(
            _amount_match(fiscal_year, query.amount, totals_within=totals_within)
        )
    text = query.text.strip()
    if text:
        match = Q(text__icontains=text)
        number = _VOUCHER_NUMBER.match(text)
        if number:
            series, digits = number.groups()
            by_number = Q(number=int(digits))
            match |= by_number & Q(series__iexact=series) if series else by_number
        with contextlib.suppress(ValueError):
            match |= Q(date=dt.date.fromisoformat(text))
        if amount_in_text is not None:
            match |= _amount_match(fiscal_year, amount_in_text, totals_within=totals_within)
        vouchers = vouchers.filter(match)
    return vouchers.order_by("-date", "-id")


@dataclass(frozen=True)
class VoucherPage:
    vouchers: list[Voucher]
    previous: str | None
    next: str | None


def _voucher_cursor(voucher: Voucher) -> str:
    return f"{voucher.date:%Y-%m-%d}~{voucher.id}"


def voucher_page(
    vouchers: QuerySet[Voucher],
    *,
    after: str | None = None,
    before: str | None = None,
    page_size: int = PAGE_SIZE,
) -> VoucherPage:
    """A page of a voucher search (newest first), by key: after or before a cursor."""

    def parse(value: str | None) -> tuple[dt.date, uuid.UUID] | None:
        try:
            day, pk = (value or "").split("~")
            return dt.date.fromisoformat(day), uuid.UUID(pk)
        except ValueError:
            return None

    after_key, before_key = parse(after), parse(before)
    if before_key is not None:
        day, pk = before_key
        found = list(
            vouchers.filter(Q(date__gt=day) | Q(date=day, id__gt=pk)).order_by("date", "id")[
                : page_size + 1
            ]
        )
        has_before = len(found) > page_size
        found = found[:page_size][::-1]
        has_after = True
    else:
        page = vouchers
        if after_key is not None:
            day, pk = after_key
            page = page.filter(Q(date__lt=day) | Q(date=day, id__lt=pk))
        found = list(page.order_by("-date", "-id")[: page_size + 1])
        has_after = len(found) > page_size
        found = found[:page_size]
        has_before = after_key is not None
    return VoucherPage(
        vouchers=found,
        previous=_voucher_cursor(found[0]) if found and has_before else None,
        next=_voucher_cursor(found[-1]) if found and has_after else None,
    )


def voucher_totals(vouchers: Iterable[Voucher]) -> dict[uuid.UUID, Decimal]:
    """Each voucher's total (the sum of its debits), for a page of vouchers."""
    ids = [voucher.id for voucher in vouchers]
    return dict(
        TransactionRow.objects.filter(voucher_id__in=ids, kind=RowKind.TRANS, amount__gt=0)
        .values("voucher_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("voucher_id", "total")
    )


@dataclass(frozen=True)
class VoucherRowLine(_DebitCredit):
    row: TransactionRow
    account_name: str
    #: (dimension name, object code, object name) for each object of the row.
    objects: list[tuple[str, str, str]]


@dataclass(frozen=True)
class VoucherDetail:
    voucher: Voucher
    fiscal_year: FiscalYear
    lines: list[VoucherRowLine]
    debit_total: Decimal
    credit_total: Decimal

    @property
    def balanced(self) -> bool:
        return self.debit_total == self.credit_total


#: The SIE standard dimensions' names, for files that use them without #DIM.
STANDARD_DIMENSIONS = {1: _("Cost centre"), 2: _("Cost unit"), 6: _("Project"), 7: _("Employee")}


def voucher_detail(*, access: CompanyAccess, pk: uuid.UUID) -> VoucherDetail:
    """A voucher with its rows, their accounts' names and their objects' names, or 404."""
    access.require("accounting", "view")
    voucher = (
        Voucher.objects.filter(company=access.company, id=pk).select_related("fiscal_year").first()
    )
    if voucher is None:
        raise Http404
    rows = list(TransactionRow.objects.filter(voucher=voucher).order_by("position"))
    names = dict(
        Account.objects.filter(
            company=access.company, number__in={row.account for row in rows}
        ).values_list("number", "name")
    )
    pairs = {(int(d), str(c)) for row in rows for d, c in row.object_list}
    dimensions = dict(
        Dimension.objects.filter(company=access.company).values_list("number", "name")
    )
    object_names: dict[tuple[int, str], str] = {}
    if pairs:
        codes = {code for _d, code in pairs}
        for dimension, code, name in AccountingObject.objects.filter(
            company=access.company, code__in=codes
        ).values_list("dimension", "code", "name"):
            object_names[(dimension, code)] = name
    lines = []
    for row in rows:
        objects = [
            (
                dimensions.get(int(d)) or str(STANDARD_DIMENSIONS.get(int(d), d)),
                str(c),
                object_names.get((int(d), str(c)), ""),
            )
            for d, c in row.object_list
        ]
        lines.append(
            VoucherRowLine(row=row, account_name=names.get(row.account, ""), objects=objects)
        )
    booked = [line for line in lines if line.row.kind == RowKind.TRANS]
    return VoucherDetail(
        voucher=voucher,
        fiscal_year=voucher.fiscal_year,
        lines=lines,
        debit_total=sum((line.debit or ZERO for line in booked), ZERO),
        credit_total=sum((line.credit or ZERO for line in booked), ZERO),
    )


def books_counts(*, access: CompanyAccess) -> dict[str, int]:
    """How many accounts, series and fiscal years the books have (the overview's empty
    state, and the BAS start that is only offered to a company without a chart)."""
    access.require("accounting", "view")
    return {
        "accounts": Account.objects.filter(company=access.company).count(),
        "years": FiscalYear.objects.filter(company=access.company).count(),
        "series": VoucherSeries.objects.filter(company=access.company).count(),
    }


def sie_upload_list(*, access: CompanyAccess, limit: int = 5) -> list[SieUpload]:
    """The company's latest web uploads, newest first."""
    access.require("accounting", "view")
    return list(
        SieUpload.objects.filter(company=access.company)
        .select_related("user")
        .order_by("-created_at")[:limit]
    )


def sie_upload_get(*, access: CompanyAccess, upload_id: uuid.UUID) -> SieUpload:
    access.require("accounting", "view")
    upload = (
        SieUpload.objects.filter(company=access.company, id=upload_id)
        .select_related("user")
        .first()
    )
    if upload is None:
        raise Http404
    return upload
