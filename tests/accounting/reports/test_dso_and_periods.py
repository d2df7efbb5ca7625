"""Days sales outstanding, and a year in progress compared with the same months of last
year. Pure: no database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from skrivbord.accounting.reports import figures
from skrivbord.accounting.reports.books import (
    AccountBooks,
    YearBooks,
    comparison,
    period_so_far,
    year_period,
)
from skrivbord.accounting.reports.trend import monthly_trend

D = Decimal
ZERO = D("0.00")
YEAR_2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
YEAR_2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def _months(*amounts: str) -> tuple[Decimal, ...]:
    return tuple(D(a) for a in amounts) + (ZERO,) * (12 - len(amounts))


def _account(
    number: str, *months: str, opening: str = "0", credits: tuple[str, ...] = ()
) -> AccountBooks:
    return AccountBooks(
        number=number,
        name=f"Konto {number}",
        opening=D(opening),
        months=_months(*months),
        credits=_months(*credits) if credits else (),
    )


def _books(*accounts: AccountBooks, year: int = 2025) -> YearBooks:
    return YearBooks(
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        accounts={account.number: account for account in accounts},
    )


def _figure(key: str, this: YearBooks, previous: YearBooks | None = None, **kw: Any) -> Any:
    return next(f for f in figures.key_figures(this, previous, **kw) if f.key == key)


# Sales of 100,000 + 25,000 VAT in January, invoiced (1510) and 75,000 of it paid; the VAT
# return in February moves the January VAT to 2650 (a debit on 2611); a purchase with
# reverse charge books 5,000 on 2614 (credit) and 2647 (debit), which is no sales VAT.
SALES = _books(
    _account("1510", "125000", "-100000"),
    _account("1930", "0", "100000"),
    _account("2611", "-25000", "25000", credits=("-25000",)),
    _account("2614", "-5000", credits=("-5000",)),
    _account("2647", "5000"),
    _account("2650", "0", "-25000"),
    _account("3001", "-100000"),
    _account("4535", "5000"),
)


def test_dso_is_receivables_over_sales_including_the_vat_credited_times_the_days() -> None:
    dso = _figure("dso", SALES)
    # 25,000 owed at the year's end / (100,000 + 25,000 of output VAT) x 365 days. The VAT
    # return's debit on 2611 does not cancel the VAT charged (its net movement is zero), and
    # the reverse charge on 2614 is not VAT on sales.
    assert dso.value == D("25000") * 365 / D("125000")
    assert dso.definition.unit == figures.DAYS
    assert round(dso.value) == 73


def test_dso_of_the_months_so_far_counts_the_days_so_far() -> None:
    dso = _figure("dso", SALES)
    # At the end of January: 125,000 owed / 125,000 x 31 days; at February's end
    # 25,000 / 125,000 x 59.
    assert dso.months[0] == D("31")
    assert dso.months[1] == D("25000") * 59 / D("125000")


def test_dso_has_no_value_without_sales() -> None:
    books = _books(_account("1510", opening="5000"), _account("2611", credits=("0",)))
    assert _figure("dso", books).value is None


def test_the_drill_down_lists_the_vat_credited_on_the_sales_vat_accounts_only() -> None:
    parts = {p.part.key: p for p in figures.figure_accounts(figures.BY_KEY["dso"], SALES)}
    assert parts["output_vat"].accounts == (("2611", "Konto 2611", D("25000"), None),)
    assert parts["revenue"].amount == D("100000")
    assert parts["receivables"].amount == D("25000")


def test_a_year_that_is_over_is_compared_whole() -> None:
    period = period_so_far(*YEAR_2025, today=dt.date(2026, 3, 1), last_booked=None)
    assert (period.months, period.complete, period.end) == (12, True, dt.date(2025, 12, 31))
    assert period.days == 365


def test_a_year_in_progress_runs_through_the_month_of_its_last_voucher() -> None:
    # Today is 28 November and November is being booked: January to November.
    period = period_so_far(
        *YEAR_2025, today=dt.date(2025, 11, 28), last_booked=dt.date(2025, 11, 27)
    )
    assert (period.months, period.complete, period.end) == (11, False, dt.date(2025, 11, 30))
    assert period.days == 334
    # The books are a month behind: January to October, not an empty November.
    behind = period_so_far(
        *YEAR_2025, today=dt.date(2025, 11, 28), last_booked=dt.date(2025, 10, 31)
    )
    assert behind.months == 10
    # Nothing booked yet: through this month.
    empty = period_so_far(*YEAR_2025, today=dt.date(2025, 2, 3), last_booked=None)
    assert empty.months == 2


def test_last_year_is_cut_at_the_same_month_or_taken_whole_when_shorter() -> None:
    running = comparison(
        YEAR_2025, YEAR_2024, today=dt.date(2025, 11, 28), last_booked=dt.date(2025, 11, 3)
    )
    assert running.previous is not None
    assert (running.previous.months, running.previous.end) == (11, dt.date(2024, 11, 30))
    # A first year of six months (July-December) is whole against January-November.
    short = comparison(
        YEAR_2025,
        (dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
        today=dt.date(2025, 11, 28),
        last_booked=dt.date(2025, 11, 3),
    )
    assert short.previous == year_period(dt.date(2024, 7, 1), dt.date(2024, 12, 31))
    over = comparison(YEAR_2025, YEAR_2024, today=dt.date(2026, 1, 10), last_booked=None)
    assert over.complete
    assert over.previous is not None
    assert over.previous.complete


# This year: sales of 1,000 a month through November (the books stop there). Last year:
# 1,000 a month and 3,000 in December; the bank grows by the sales.
THIS = _books(
    _account("3001", *["-1000"] * 11),
    _account("1930", *["1000"] * 11, opening="12000"),
)
LAST = _books(
    _account("3001", *["-1000"] * 11, "-3000"),
    _account("1930", *["1000"] * 11, "3000"),
    year=2024,
)
IN_PROGRESS = comparison(
    YEAR_2025, YEAR_2024, today=dt.date(2025, 11, 28), last_booked=dt.date(2025, 11, 27)
)


def test_a_year_in_progress_compares_flows_over_the_same_months_and_balances_at_their_end() -> None:
    revenue = _figure("revenue", THIS, LAST, comparison=IN_PROGRESS)
    assert (revenue.value, revenue.previous) == (D("11000"), D("11000"))  # not 14,000
    assert revenue.change == ZERO
    cash = _figure("cash", THIS, LAST, comparison=IN_PROGRESS)
    assert (cash.value, cash.previous) == (D("23000"), D("11000"))  # at 30 November 2024
    # This year's line stops after November; last year's shows all of it.
    assert revenue.months[-1] is None
    assert revenue.months[-2] == D("1000")
    assert revenue.previous_months[-1] == D("3000")
    whole = _figure("revenue", THIS, LAST)
    assert whole.previous == D("14000")


def test_the_drill_down_compares_the_same_months() -> None:
    (part,) = figures.figure_accounts(figures.BY_KEY["revenue"], THIS, LAST, comparison=IN_PROGRESS)
    assert part.accounts == (("3001", "Konto 3001", D("11000"), D("11000")),)


def test_dso_of_a_year_in_progress_counts_the_days_so_far() -> None:
    books = _books(
        _account("1510", "1250", "0", "1250"),
        _account("3001", "-1000", "0", "-1000"),
        _account("2611", "-250", "0", "-250", credits=("-250", "0", "-250")),
    )
    running = comparison(YEAR_2025, None, today=dt.date(2025, 3, 20), last_booked=None)
    dso = _figure("dso", books, comparison=running)
    # 2,500 owed / 2,500 sold incl. VAT x 90 days (January to March).
    assert dso.value == D("90")


def test_the_trend_totals_the_same_months() -> None:
    trend = monthly_trend(THIS, LAST, period=IN_PROGRESS.this.months)
    assert trend.income == D("11000")
    assert trend.previous_total("income") == D("11000")
    assert trend.months[-1].previous_income == D("3000")  # December is still shown
    assert monthly_trend(THIS, LAST).previous_total("income") == D("14000")
