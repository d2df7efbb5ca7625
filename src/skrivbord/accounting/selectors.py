"""Reads of the books. Every function takes a CompanyAccess, so no query leaves the company."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from skrivbord.accounting.models import (
    Account,
    AccountType,
    Balance,
    BalanceKind,
    FiscalYear,
    RowKind,
    TransactionRow,
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
