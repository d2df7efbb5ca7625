"""The pure calculations: formats, key figures, the trend, charts. No database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from skrivbord.accounting.reports import charts, figures, formats, statements
from skrivbord.accounting.reports.books import AccountBooks, YearBooks, month_starts
from skrivbord.accounting.reports.trend import monthly_trend

D = Decimal
ZERO = D("0.00")


def _account(number: str, *months: str, opening: str = "0") -> AccountBooks:
    amounts = [D(m) for m in months] + [ZERO] * (12 - len(months))
    return AccountBooks(
        number=number, name=f"Konto {number}", opening=D(opening), months=tuple(amounts)
    )


def _books(*accounts: AccountBooks, year: int = 2025) -> YearBooks:
    return YearBooks(
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        accounts={account.number: account for account in accounts},
    )


# A small trading company: sales in January and February, goods, rent, salaries, interest,
# tax, a tax allocation reserve, inventory; the opening balances balance.
BOOKS = _books(
    _account("1460", opening="20000"),
    _account("1510", "12500", "-12500", opening="5000"),
    _account("1930", "-2000", "8500", opening="30000"),
    _account("2081", opening="-25000"),
    _account("2091", opening="-10000"),
    _account("2110", opening="-10000"),
    _account("2440", "-4000", opening="-10000"),
    _account("2611", "-2500"),
    _account("3001", "-10000"),
    _account("4010", "4000"),
    _account("5010", "2000"),
    _account("7010", "0", "3000"),
    _account("8410", "0", "500"),
    _account("8910", "0", "500"),
)


def test_it_formats_amounts_the_swedish_way() -> None:
    assert formats.money(D("1234.5")) == "1\xa0234,50"
    assert formats.money(D("-1234567.891")) == "-1\xa0234\xa0567,89"
    assert formats.money(D("-0.001")) == "0,00"
    assert formats.money(None) == ""
    assert formats.whole_kronor(D("999.50")) == "1\xa0000"
    assert formats.percent(D("0.125")) == "12,5\xa0%"
    assert formats.times(D("1.255")) == "1,26\xa0\N{MULTIPLICATION SIGN}"


def test_it_lists_the_months_a_broken_year_touches() -> None:
    months = month_starts(dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert len(months) == 12
    assert months[0] == dt.date(2024, 7, 1)
    assert months[-1] == dt.date(2025, 6, 1)
    assert len(month_starts(dt.date(2024, 1, 15), dt.date(2025, 6, 30))) == 18


def test_it_computes_the_key_figures_of_accounting_md() -> None:
    values = {figure.key: figure.value for figure in figures.key_figures(BOOKS)}
    assert values["revenue"] == D("10000")
    assert values["gross_profit"] == D("6000")
    assert values["gross_margin"] == D("0.6")
    assert values["operating_result"] == D("1000")  # 10000 - 4000 - 2000 - 3000
    assert values["ebitda"] == D("1000")
    assert values["result_after_financial_items"] == D("500")
    assert values["result"] == D("0")  # after 500 of tax
    assert values["cash"] == D("36500")
    assert values["receivables"] == D("5000")
    assert values["current_liabilities"] == D("16500")  # 2440 14000 + 2611 2500
    assert values["quick_ratio"] == D("41500") / D("16500")
    assert values["current_ratio"] == D("61500") / D("16500")
    assert values["total_assets"] == D("61500")
    assert values["equity"] == D("35000")
    # Adjusted equity: equity + untaxed reserves less 20.6 % deferred tax.
    assert values["adjusted_equity"] == D("35000") + D("0.794") * D("10000")
    assert values["solidity"] == (D("35000") + D("7940")) / D("61500")
    assert values["debt_equity_ratio"] == (D("16500") + D("2060")) / D("42940")
    assert values["personnel_share"] == D("0.3")


def test_it_draws_flows_per_month_and_balances_at_each_months_end() -> None:
    by_key = {figure.key: figure for figure in figures.key_figures(BOOKS)}
    assert by_key["revenue"].months[:3] == (D("10000"), ZERO, ZERO)
    assert by_key["cash"].months[:3] == (D("28000"), D("36500"), D("36500"))
    assert by_key["operating_result"].months[:2] == (D("4000"), D("-3000"))


def test_a_ratio_without_a_denominator_has_no_value() -> None:
    empty = _books(_account("1930", opening="100"), _account("2081", opening="-100"))
    values = {figure.key: figure.value for figure in figures.key_figures(empty)}
    assert values["gross_margin"] is None
    assert values["quick_ratio"] is None
    assert values["solidity"] == D("1")


def test_it_compares_with_last_year_and_shows_the_accounts_behind_a_figure() -> None:
    last_year = _books(_account("3001", "-4000"), _account("1930", "4000"), year=2024)
    revenue = next(f for f in figures.key_figures(BOOKS, last_year) if f.key == "revenue")
    assert revenue.previous == D("4000")
    assert revenue.change == D("6000")
    (part,) = figures.figure_accounts(figures.BY_KEY["revenue"], BOOKS, last_year)
    assert part.accounts == (("3001", "Konto 3001", D("10000"), D("4000")),)


def test_the_statements_agree_with_the_books() -> None:
    income = statements.income_statement(BOOKS)
    assert income.total == ZERO
    rows = {row.key: row for row in income.rows()}
    assert rows["3.1"].amount == D("10000")
    assert rows["3.6"].amount == D("-4000")
    assert rows["3.18"].amount == D("-500")
    assert rows["3.25"].field == "7528"
    balance = statements.balance_sheet(BOOKS)
    assets, equity_liabilities = balance.sections
    assert assets.total == equity_liabilities.total == D("61500")
    rows = {row.key: row for row in balance.rows()}
    assert rows["2.15"].amount == D("20000")
    assert rows["2.29"].amount == D("10000")
    assert "unclosed-result" not in rows  # the result is zero


def test_a_signed_row_takes_the_field_of_its_net() -> None:
    up = statements.income_statement(_books(_account("4990", "-300")))
    down = statements.income_statement(_books(_account("4990", "300")))
    assert {r.key: r.field for r in up.rows()}["3.2"] == "7411"
    assert {r.key: r.field for r in down.rows()}["3.2"] == "7510"


def test_accounts_outside_the_mapping_keep_the_totals_right() -> None:
    books = _books(
        _account("4850", "100"),
        _account("1930", "-100", opening="100"),
        _account("2081", opening="-100"),
    )
    income = statements.income_statement(books)
    assert income.total == D("-100")
    other = [row for row in income.rows() if row.key.startswith("other-")]
    assert [(row.key, row.amount) for row in other] == [("other-operating", D("-100"))]


def test_the_trend_sums_income_and_expenses_per_month() -> None:
    trend = monthly_trend(BOOKS)
    assert trend.months[0].income == D("10000")
    assert trend.months[0].expenses == D("6000")
    assert trend.months[1].expenses == D("3500")
    assert trend.result == D("500")  # the result after financial items


def test_charts_are_svg_with_escaped_labels() -> None:
    line = charts.sparkline([D("1"), D("-2"), None, D("3")], [D("0")], label="<b>")
    assert line.startswith('<svg class="sparkline"')
    assert "&lt;b&gt;" in line
    assert 'class="previous"' in line
    assert charts.sparkline([None, None]) == ""
    bars = charts.bar_chart(
        ["01", "02"], [("current", "Result & co", [D("5"), D("-5")])], title="T"
    )
    assert bars.count("<rect") == 3  # the legend and two bars
    assert "Result &amp; co" in bars
