"""The monthly trend: income, expenses and result per month, this year against last year,
for the whole company or one cost centre or project. Pure Python.

Income and expenses as Fortnox's start page draws its result graph (support.fortnox.se
"Startsida"): income is accounts 3000-3999 and 8000-8399, expenses 4000-7999 and
8400-8499, so the result is the result after financial items.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from skrivbord.accounting.reports.books import ZERO, YearBooks
from skrivbord.accounting.reports.ink2 import bas_number, in_ranges, ranges

INCOME = ranges("3000-3999", "8000-8399")
EXPENSES = ranges("4000-7999", "8400-8499")


def side(account: str) -> str:
    """ "income", "expenses" or "" (balance sheet, appropriations, tax, internal)."""
    number = bas_number(account)
    if number is None:
        return ""
    if in_ranges(number, INCOME):
        return "income"
    if in_ranges(number, EXPENSES):
        return "expenses"
    return ""


@dataclass(frozen=True)
class IncomeAndExpenses:
    """Income and expenses of this year and last, and the results they make."""

    income: Decimal
    expenses: Decimal
    previous_income: Decimal | None
    previous_expenses: Decimal | None

    @property
    def result(self) -> Decimal:
        return self.income - self.expenses

    @property
    def previous_result(self) -> Decimal | None:
        if self.previous_income is None or self.previous_expenses is None:
            return None
        return self.previous_income - self.previous_expenses


@dataclass(frozen=True, kw_only=True)
class Month(IncomeAndExpenses):
    label: str


@dataclass(frozen=True)
class Trend:
    months: tuple[Month, ...]
    has_previous: bool
    #: The totals sum the first `period` months (a year in progress against the same months
    #: of last year); None: every month.
    period: int | None = None

    @property
    def totalled(self) -> tuple[Month, ...]:
        return self.months if self.period is None else self.months[: self.period]

    @property
    def income(self) -> Decimal:
        return sum((month.income for month in self.totalled), ZERO)

    @property
    def expenses(self) -> Decimal:
        return sum((month.expenses for month in self.totalled), ZERO)

    @property
    def result(self) -> Decimal:
        return self.income - self.expenses

    @property
    def previous_result(self) -> Decimal | None:
        income, expenses = self.previous_total("income"), self.previous_total("expenses")
        if income is None or expenses is None:
            return None
        return income - expenses

    def previous_total(self, what: str) -> Decimal | None:
        if not self.has_previous:
            return None
        return sum((getattr(month, f"previous_{what}") or ZERO for month in self.totalled), ZERO)


def _monthly(books: YearBooks) -> tuple[list[Decimal], list[Decimal]]:
    income = [ZERO] * len(books.months)
    expenses = [ZERO] * len(books.months)
    for account in books.accounts.values():
        where = side(account.number)
        if not where:
            continue
        for index, amount in enumerate(account.months):
            if where == "income":
                income[index] -= amount
            else:
                expenses[index] += amount
    return income, expenses


def monthly_trend(
    this: YearBooks, previous: YearBooks | None = None, *, period: int | None = None
) -> Trend:
    """Month by month; last year's months are matched by position in the year (its first
    month against this year's first month), so years need not start in January. The
    totals sum the first `period` months of both (all when None)."""
    income, expenses = _monthly(this)
    before_income: list[Decimal] = []
    before_expenses: list[Decimal] = []
    if previous is not None:
        before_income, before_expenses = _monthly(previous)
    months = []
    for index, start in enumerate(this.months):
        months.append(
            Month(
                label=f"{start:%Y-%m}",
                income=income[index],
                expenses=expenses[index],
                previous_income=before_income[index] if index < len(before_income) else None,
                previous_expenses=before_expenses[index] if index < len(before_expenses) else None,
            )
        )
    return Trend(months=tuple(months), has_previous=previous is not None, period=period)
