"""A fiscal year of the books as the reports need it: per account its opening balance and
its movement in each month of the year (and, for the output VAT accounts, the credits
alone). Pure Python; the selectors fill it from a few aggregate queries.

Also the *period* a report covers: the whole year once it is over, the months so far while
it runs, and last year's same months to compare with.

Signs as in SIE: debit positive, credit negative.
"""

from __future__ import annotations

import calendar
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


def month_end(month: dt.date) -> dt.date:
    """The last day of the month `month` is in."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


@dataclass(frozen=True)
class Period:
    """The first `months` months of a fiscal year: what a report sums (flows) and where it
    takes the balances (at `end`)."""

    start: dt.date
    #: The last day of the period's last month, at most the year's last day.
    end: dt.date
    months: int
    #: The whole year.
    complete: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def last_month(self) -> dt.date:
        return self.end.replace(day=1)


def year_period(start: dt.date, end: dt.date, months: int | None = None) -> Period:
    """The first `months` months of the year start..end (all of it when None or more)."""
    starts = month_starts(start, end)
    count = len(starts) if months is None else max(1, min(months, len(starts)))
    last = end if count == len(starts) else month_end(starts[count - 1])
    return Period(start=start, end=last, months=count, complete=count == len(starts))


def period_so_far(
    start: dt.date, end: dt.date, *, today: dt.date, last_booked: dt.date | None
) -> Period:
    """The period of a year a report covers: the whole year once `today` is past its last
    day; while it runs, the months through the month of the last voucher dated up to
    today (`last_booked`) — books are often kept a month behind, and November's first
    days are not November — or through this month when nothing is booked yet."""
    if today >= end:
        return year_period(start, end)
    through = min(last_booked, today) if last_booked is not None else today
    through = min(max(through, start), end)
    starts = month_starts(start, end)
    months = sum(1 for month in starts if month <= through)
    return year_period(start, end, months)


@dataclass(frozen=True)
class Comparison:
    """This year's period and the same months of last year: when this year is over, the
    whole of both years; while it runs, last year's first as many months (all of it when
    last year was shorter)."""

    this: Period
    previous: Period | None

    @property
    def complete(self) -> bool:
        return self.this.complete


def comparison(
    this: tuple[dt.date, dt.date],
    previous: tuple[dt.date, dt.date] | None,
    *,
    today: dt.date,
    last_booked: dt.date | None,
) -> Comparison:
    period = period_so_far(*this, today=today, last_booked=last_booked)
    before = None
    if previous is not None:
        before = year_period(*previous, None if period.complete else period.months)
    return Comparison(this=period, previous=before)


@dataclass(frozen=True)
class AccountBooks:
    number: str
    name: str
    opening: Decimal
    #: The movement (Σ transaction rows) in each month of the year.
    months: tuple[Decimal, ...]
    sru: str = ""
    #: The credit rows alone (Σ amount < 0) in each month; only the output VAT accounts
    #: have them (see `figures.OUTPUT_VAT`), empty elsewhere.
    credits: tuple[Decimal, ...] = ()

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
    _cumulative: dict[tuple[tuple[Range, ...], bool, bool], tuple[Decimal, ...]] = field(
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

    def cumulative(
        self, spans: tuple[Range, ...], *, balance: bool, credits: bool = False
    ) -> tuple[Decimal, ...]:
        """Per month, the accounts' sum through the end of that month: the movement since the
        year began (only the credit rows when `credits`), plus the opening balance when
        `balance`."""
        key = (spans, balance, credits)
        if key not in self._cumulative:
            totals = [ZERO] * len(self.months)
            opening = ZERO
            for account in self.accounts_in(spans):
                if balance and account.is_balance_sheet:
                    opening += account.opening
                for index, amount in enumerate(account.credits if credits else account.months):
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
