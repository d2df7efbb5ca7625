"""The books generator (skrivbord.accounting.sie.generate): books a real company could have."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest

from skrivbord.accounting.sie.generate import CompanyInfo, generate
from skrivbord.accounting.sie.model import BalanceKind, SieFile
from skrivbord.accounting.sie.reader import read

TODAY = dt.date(2026, 11, 27)  # a Friday


def books(**options: object) -> tuple[bytes, SieFile]:
    data = io.BytesIO()
    generate(data, **options)  # type: ignore[arg-type]
    return data.getvalue(), read(data.getvalue())


def balances(book: SieFile, kind: BalanceKind, year: int) -> dict[str, Decimal]:
    return {b.account: b.amount for b in book.balances if b.kind == kind and b.year == year}


def movements(book: SieFile) -> dict[int, dict[str, Decimal]]:
    """year index -> account -> Σ rows."""
    years = {fy.index: fy for fy in book.fiscal_years}
    moved: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for voucher in book.vouchers:
        [index] = [i for i, fy in years.items() if fy.start <= voucher.date <= fy.end]
        for row in voucher.rows:
            moved[index][row.account] += row.amount
    return moved


@pytest.fixture(scope="module")
def two_years() -> SieFile:
    return books(
        transactions=6000,
        seed=11,
        year=2026,
        years=2,
        until=TODAY,
        company=CompanyInfo("Demoföretaget AB", "559012-3453"),
    )[1]


def test_it_writes_the_same_bytes_for_the_same_seed_and_exactly_the_rows_asked_for() -> None:
    first, book = books(transactions=3000, seed=5)
    again, _ = books(transactions=3000, seed=5)
    other, _ = books(transactions=3000, seed=6)
    assert first == again
    assert first != other
    assert sum(len(v.rows) for v in book.vouchers) == 3000
    for small in (2, 3, 7, 50, 201):
        _, tiny = books(transactions=small, seed=small)
        assert sum(len(v.rows) for v in tiny.vouchers) == small


def test_its_books_read_without_a_warning_and_every_voucher_balances(two_years: SieFile) -> None:
    assert two_years.warnings == ()
    assert two_years.company_name.value == "Demoföretaget AB"  # type: ignore[union-attr]
    assert two_years.org_number.number == "559012-3453"  # type: ignore[union-attr]
    for voucher in two_years.vouchers:
        assert len(voucher.rows) >= 2
        assert sum(row.amount for row in voucher.rows) == 0, voucher
    assert {v.series for v in two_years.vouchers} == {"A", "B", "C", "K", "L", "M"}


def test_its_balances_continue_from_last_year_and_reconcile(two_years: SieFile) -> None:
    moved = movements(two_years)
    for year in (-1, 0):
        opening = balances(two_years, BalanceKind.IB, year)
        closing = balances(two_years, BalanceKind.UB, year)
        result = balances(two_years, BalanceKind.RES, year)
        assert sum(opening.values()) == 0
        assert sum(closing.values()) + sum(result.values()) == 0
        for account in set(opening) | set(closing):
            assert closing.get(account, 0) == opening.get(account, 0) + moved[year][account]
        assert result == {a: v for a, v in moved[year].items() if a >= "3000" and v}
    assert balances(two_years, BalanceKind.IB, 0) == balances(two_years, BalanceKind.UB, -1)


def test_it_closes_last_year_and_moves_its_result_in_the_spring(two_years: SieFile) -> None:
    moved = movements(two_years)
    last_year = moved[-1]
    profit = -sum(v for a, v in last_year.items() if "3000" <= a <= "8989")
    assert profit > 0
    assert last_year["8999"] == profit
    assert last_year["2099"] == -profit
    assert last_year["8910"] > 0  # corporate tax
    # This year is not closed yet; last year's result went to retained earnings in May.
    assert "8999" not in moved[0]
    [disposition] = [v for v in two_years.vouchers if v.text.startswith("Vinstdisposition")]
    assert disposition.date.year == 2026
    assert disposition.date.month == 5
    assert {r.account: r.amount for r in disposition.rows} == {"2099": profit, "2091": -profit}


def test_nothing_is_dated_or_registered_after_the_end_date(two_years: SieFile) -> None:
    assert max(v.date for v in two_years.vouchers) <= TODAY
    assert max(v.registered for v in two_years.vouchers if v.registered) <= TODAY
    assert max(v.date for v in two_years.vouchers) >= TODAY - dt.timedelta(days=3)
    assert two_years.generated.date == TODAY  # type: ignore[union-attr]


def test_it_books_on_working_days_with_salaries_vat_and_taxes_every_month(
    two_years: SieFile,
) -> None:
    year_end = {v for v in two_years.vouchers if v.date == dt.date(2025, 12, 31)}
    assert all(v.date.weekday() < 5 for v in two_years.vouchers if v not in year_end)
    salaries = [v for v in two_years.vouchers if v.series == "L"]
    assert len(salaries) == 12 + 11
    assert all(20 <= v.date.day <= 25 for v in salaries)
    # Every centre's salary carries its cost centre.
    assert all(r.objects for v in salaries for r in v.rows if r.account == "7210")
    vat_returns = [v for v in two_years.vouchers if v.text.startswith("Momsredovisning")]
    assert len(vat_returns) == 12 + 10  # November 2026 is not over
    # A complete year ends with its VAT moved to the VAT account.
    closing = balances(two_years, BalanceKind.UB, -1)
    assert not closing.get("2611")
    assert not closing.get("2641")


def test_the_till_never_goes_below_zero_and_cash_is_registered_within_a_working_day(
    two_years: SieFile,
) -> None:
    cash = balances(two_years, BalanceKind.IB, -1)["1910"]
    for voucher in sorted(two_years.vouchers, key=lambda v: v.date):
        for row in voucher.rows:
            if row.account == "1910":
                cash += row.amount
                assert cash >= 0, voucher
                assert voucher.registered is not None
                assert (voucher.registered - voucher.date).days <= 3  # Friday -> Monday


def test_sales_carry_cost_centres_and_projects_and_customers_pay_later(
    two_years: SieFile,
) -> None:
    invoices = [v for v in two_years.vouchers if v.series == "A"]
    sales_rows = [r for v in invoices for r in v.rows if r.account.startswith("3")]
    assert {o.dimension for r in sales_rows for o in r.objects} == {1, 6}
    paid = [v for v in two_years.vouchers if v.text.startswith("Inbetalning ")]
    assert len(paid) > len(invoices) * 0.8


def test_it_refuses_what_cannot_be_books() -> None:
    with pytest.raises(ValueError, match="two rows"):
        generate(io.BytesIO(), transactions=1)
    with pytest.raises(ValueError, match="last fiscal year"):
        generate(io.BytesIO(), transactions=100, year=2026, until=dt.date(2025, 5, 1))
