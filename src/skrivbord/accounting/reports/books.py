"""A fiscal year of the books as the reports need it: per account its opening balance and
its movement in each month of the year. Pure Python; the selectors fill it from one
aggregate query.

Signs as in SIE: debit positive, credit negative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from skrivbord.accounting.reports.ink2 import Range, bas_number, in_ranges

ZERO = Decimal("0.00")


def month_starts(start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The first day of each month the year touches (a year may start mid-month)."""
    months = []
    month = start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return tuple(months)


@dataclass(frozen=True)
class AccountBooks:
    number: str
    name: str
    opening: Decimal
    #: The movement (Σ transaction rows) in each month of the year.
    months: tuple[Decimal, ...]
    sru: str = ""

    @property
    def movement(self) -> Decimal:
        return sum(self.months, ZERO)

    @property
    def is_balance_sheet(self) -> bool:
        number = bas_number(self.number)
        return number is not None and number < 3000

    @property
    def closing(self) -> Decimal:
        """The closing balance of a balance-sheet account, the result of any other: an
        opening balance on a result account (some exports write one) is not part of it."""
        return self.opening + self.movement if self.is_balance_sheet else self.movement


@dataclass
class YearBooks:
    start: dt.date
    end: dt.date
    accounts: Mapping[str, AccountBooks]
    months: tuple[dt.date, ...] = ()
    _cumulative: dict[tuple[tuple[Range, ...], bool], tuple[Decimal, ...]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        if not self.months:
            self.months = month_starts(self.start, self.end)

    def accounts_in(self, spans: tuple[Range, ...]) -> list[AccountBooks]:
        found = []
        for account in self.accounts.values():
            number = bas_number(account.number)
            if number is not None and in_ranges(number, spans):
                found.append(account)
        return sorted(found, key=lambda account: account.number)

    def cumulative(self, spans: tuple[Range, ...], *, balance: bool) -> tuple[Decimal, ...]:
        """Per month, the accounts' sum through the end of that month: the movement since the
        year began, plus the opening balance when `balance`."""
        key = (spans, balance)
        if key not in self._cumulative:
            totals = [ZERO] * len(self.months)
            opening = ZERO
            for account in self.accounts_in(spans):
                if balance and account.is_balance_sheet:
                    opening += account.opening
                for index, amount in enumerate(account.months):
                    totals[index] += amount
            running = opening
            result = []
            for amount in totals:
                running += amount
                result.append(running)
            self._cumulative[key] = tuple(result)
        return self._cumulative[key]

    def movement(self, spans: tuple[Range, ...]) -> Decimal:
        values = self.cumulative(spans, balance=False)
        return values[-1] if values else ZERO

    def balance(self, spans: tuple[Range, ...]) -> Decimal:
        values = self.cumulative(spans, balance=True)
        if values:
            return values[-1]
        return sum((a.opening for a in self.accounts_in(spans) if a.is_balance_sheet), ZERO)

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m-%d}\N{EN DASH}{self.end:%Y-%m-%d}"
