"""Key figures (nyckeltal) of ACCOUNTING.md §4.3, from BAS account ranges. Pure Python.

Each figure is a formula over a few parts, each part a sum of account ranges: a movement
over the year (income, expenses) or a balance at its end (assets, liabilities). Credit is
negative in the books, so revenue, equity and liabilities are negated. Every figure is also
computed at the end of each month of the year, from the months so far (for the sparklines):
flows (revenue, results) per month, balances and ratios as they stood at the month's end.

A year in progress is compared with the same months of last year (`books.Comparison`):
its value is taken at the end of the period so far, last year's at the end of the same
month of last year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from skrivbord.accounting.reports.books import ZERO, AccountBooks, Comparison, YearBooks, month_end
from skrivbord.accounting.reports.ink2 import Range, _, ranges

MONEY = "money"
PERCENT = "percent"
TIMES = "times"
#: A number of days, shown in whole days ("45 days").
DAYS = "days"


@dataclass(frozen=True)
class Part:
    """A sum of account ranges: `sign` -1 negates it (credit accounts), `balance` takes the
    balance at the end of the period rather than the movement during it."""

    key: str
    label: str
    spans: tuple[Range, ...]
    sign: int
    balance: bool
    #: Only the credit rows of the period (the books keep them for the output VAT only).
    credits: bool = False


REVENUE = Part("revenue", _("Net sales"), ranges("3000-3799"), -1, False)
OPERATING_INCOME = Part("operating_income", _("Operating income"), ranges("3000-3999"), -1, False)
GOODS = Part("goods", _("Goods, materials and inventory change"), ranges("4000-4999"), 1, False)
OPERATING_EXPENSES = Part(
    "operating_expenses", _("Operating expenses"), ranges("4000-7999"), 1, False
)
DEPRECIATION = Part(
    "depreciation", _("Depreciation and write-downs"), ranges("7700-7899"), 1, False
)
PERSONNEL = Part("personnel", _("Personnel expenses"), ranges("7000-7699"), 1, False)
FINANCIAL_INCOME = Part("financial_income", _("Financial income"), ranges("8000-8399"), -1, False)
FINANCIAL_EXPENSES = Part(
    "financial_expenses", _("Financial expenses"), ranges("8400-8499"), 1, False
)
APPROPRIATIONS_TAX = Part(
    "appropriations_tax", _("Appropriations and tax"), ranges("8500-8989"), 1, False
)
CASH = Part("cash", _("Cash and bank"), ranges("1900-1999"), 1, True)
RECEIVABLES = Part("receivables", _("Trade receivables"), ranges("1510-1559", "1580-1589"), 1, True)
CURRENT_ASSETS = Part("current_assets", _("Current assets"), ranges("1400-1999"), 1, True)
LIQUID_ASSETS = Part(
    "liquid_assets", _("Current assets less inventories"), ranges("1500-1999"), 1, True
)
CURRENT_LIABILITIES = Part(
    "current_liabilities", _("Current liabilities"), ranges("2400-2999"), -1, True
)
TOTAL_ASSETS = Part("total_assets", _("Total assets"), ranges("1000-1999"), 1, True)
EQUITY_ACCOUNTS = Part("equity_accounts", _("Equity accounts"), ranges("2000-2099"), -1, True)
UNCLOSED_RESULT = Part(
    "unclosed_result", _("Result not yet closed to equity"), ranges("3000-8999"), -1, False
)
UNTAXED_RESERVES = Part("untaxed_reserves", _("Untaxed reserves"), ranges("2100-2199"), -1, True)
LIABILITIES = Part("liabilities", _("Provisions and liabilities"), ranges("2200-2999"), -1, True)
#: The output VAT accounts of check 15 (2610-2639) without reverse charge and import
#: (26x4-26x7), which are not VAT on our sales.
OUTPUT_VAT_SPANS = ranges("2610-2613", "2618-2623", "2628-2633", "2638-2639")
#: Credits only: the VAT return moves these accounts to 2650 with a debit, so their net
#: movement over a year is not the VAT charged.
OUTPUT_VAT = Part(
    "output_vat", _("Output VAT charged (credits)"), OUTPUT_VAT_SPANS, -1, False, credits=True
)


def corporate_tax_rate(year_end: dt.date) -> Decimal:
    """The corporate income tax rate of a year (for the deferred tax in untaxed reserves)."""
    if year_end.year >= 2021:
        return Decimal("0.206")
    if year_end.year >= 2019:
        return Decimal("0.214")
    return Decimal("0.22")


class _At:
    """The parts' values at the end of month `index` of the year (the year so far)."""

    def __init__(self, books: YearBooks, index: int) -> None:
        self.books = books
        self.index = index
        self.tax_rate = corporate_tax_rate(books.end)

    def __call__(self, part: Part) -> Decimal:
        values = self.books.cumulative(part.spans, balance=part.balance, credits=part.credits)
        if not values:
            return part.sign * self.books.balance(part.spans) if part.balance else ZERO
        return part.sign * values[self.index]

    @property
    def days(self) -> int:
        """The days from the year's first day through the end of this month."""
        if not self.books.months:
            return (self.books.end - self.books.start).days + 1
        end = min(month_end(self.books.months[self.index]), self.books.end)
        return (end - self.books.start).days + 1

    def equity(self) -> Decimal:
        return self(EQUITY_ACCOUNTS) + self(UNCLOSED_RESULT)

    def adjusted_equity(self) -> Decimal:
        return self.equity() + (1 - self.tax_rate) * self(UNTAXED_RESERVES)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return numerator / denominator


def days_sales_outstanding(at: _At) -> Decimal | None:
    """Trade receivables / sales including VAT, times the days of the period; no value
    without sales (or with more credited than sold)."""
    sales = at(REVENUE) + at(OUTPUT_VAT)
    if sales <= 0:
        return None
    return at(RECEIVABLES) * at.days / sales


@dataclass(frozen=True)
class Definition:
    key: str
    label: str
    unit: str
    #: A flow over the period (its sparkline shows each month's), not a balance or ratio.
    flow: bool
    formula: str
    parts: tuple[Part, ...]
    compute: Callable[[_At], Decimal | None]
    #: On the Status page.
    tile: bool = False


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "revenue",
        _("Net sales"),
        MONEY,
        True,
        _("Net sales: income from the sale of goods and services, accounts 3000-3799."),
        (REVENUE,),
        lambda at: at(REVENUE),
        tile=True,
    ),
    Definition(
        "gross_profit",
        _("Gross profit"),
        MONEY,
        True,
        _("Net sales less goods, materials and inventory change (accounts 4000-4999)."),
        (REVENUE, GOODS),
        lambda at: at(REVENUE) - at(GOODS),
    ),
    Definition(
        "gross_margin",
        _("Gross margin"),
        PERCENT,
        False,
        _("Gross profit as a share of net sales."),
        (REVENUE, GOODS),
        lambda at: _ratio(at(REVENUE) - at(GOODS), at(REVENUE)),
        tile=True,
    ),
    Definition(
        "ebitda",
        _("EBITDA"),
        MONEY,
        True,
        _("Operating result before depreciation and write-downs (accounts 7700-7899)."),
        (OPERATING_INCOME, OPERATING_EXPENSES, DEPRECIATION),
        lambda at: at(OPERATING_INCOME) - at(OPERATING_EXPENSES) + at(DEPRECIATION),
    ),
    Definition(
        "operating_result",
        _("Operating result"),
        MONEY,
        True,
        _(
            "Operating income (accounts 3000-3999) less operating expenses (4000-7999), "
            "before financial items."
        ),
        (OPERATING_INCOME, OPERATING_EXPENSES),
        lambda at: at(OPERATING_INCOME) - at(OPERATING_EXPENSES),
        tile=True,
    ),
    Definition(
        "operating_margin",
        _("Operating margin"),
        PERCENT,
        False,
        _("Operating result as a share of net sales."),
        (OPERATING_INCOME, OPERATING_EXPENSES, REVENUE),
        lambda at: _ratio(at(OPERATING_INCOME) - at(OPERATING_EXPENSES), at(REVENUE)),
    ),
    Definition(
        "result_after_financial_items",
        _("Result after financial items"),
        MONEY,
        True,
        _(
            "Operating result plus financial income (accounts 8000-8399) less financial "
            "expenses (8400-8499)."
        ),
        (OPERATING_INCOME, OPERATING_EXPENSES, FINANCIAL_INCOME, FINANCIAL_EXPENSES),
        lambda at: (
            at(OPERATING_INCOME)
            - at(OPERATING_EXPENSES)
            + at(FINANCIAL_INCOME)
            - at(FINANCIAL_EXPENSES)
        ),
        tile=True,
    ),
    Definition(
        "result",
        _("Result for the year"),
        MONEY,
        True,
        _(
            "Result after financial items less appropriations and tax (accounts 8500-8989); "
            "the closing entry through 8999 is left out."
        ),
        (
            OPERATING_INCOME,
            OPERATING_EXPENSES,
            FINANCIAL_INCOME,
            FINANCIAL_EXPENSES,
            APPROPRIATIONS_TAX,
        ),
        lambda at: (
            at(OPERATING_INCOME)
            - at(OPERATING_EXPENSES)
            + at(FINANCIAL_INCOME)
            - at(FINANCIAL_EXPENSES)
            - at(APPROPRIATIONS_TAX)
        ),
    ),
    Definition(
        "cash",
        _("Cash and bank"),
        MONEY,
        False,
        _("Cash, bank accounts and client funds at the end of the period, accounts 1900-1999."),
        (CASH,),
        lambda at: at(CASH),
        tile=True,
    ),
    Definition(
        "receivables",
        _("Trade receivables"),
        MONEY,
        False,
        _("What customers owe at the end of the period, accounts 1510-1559 and 1580-1589."),
        (RECEIVABLES,),
        lambda at: at(RECEIVABLES),
        tile=True,
    ),
    Definition(
        "dso",
        _("Days sales outstanding (DSO)"),
        DAYS,
        False,
        _(
            "Trade receivables at the end of the period divided by sales including VAT, times "
            "the days of the period (365 or 366 for a whole year, the days so far in a year in "
            "progress): how many days customers take to pay, on average. Sales including VAT "
            "are net sales (accounts 3000-3799) plus the output VAT charged, the credit "
            "postings on 2610-2639 without reverse charge and import (26x4-26x7); debits there "
            "(the VAT return, also credit notes) are left out. In whole days."
        ),
        (RECEIVABLES, REVENUE, OUTPUT_VAT),
        days_sales_outstanding,
    ),
    Definition(
        "current_liabilities",
        _("Current liabilities"),
        MONEY,
        False,
        _("Liabilities due within a year, accounts 2400-2999."),
        (CURRENT_LIABILITIES,),
        lambda at: at(CURRENT_LIABILITIES),
        tile=True,
    ),
    Definition(
        "quick_ratio",
        _("Quick ratio"),
        PERCENT,
        False,
        _(
            "Current assets less inventories and work in progress (accounts 1500-1999) as a "
            "share of current liabilities (2400-2999). Above 100 % the company can pay its "
            "short-term debts without selling inventory."
        ),
        (LIQUID_ASSETS, CURRENT_LIABILITIES),
        lambda at: _ratio(at(LIQUID_ASSETS), at(CURRENT_LIABILITIES)),
        tile=True,
    ),
    Definition(
        "current_ratio",
        _("Current ratio"),
        PERCENT,
        False,
        _("Current assets (accounts 1400-1999) as a share of current liabilities (2400-2999)."),
        (CURRENT_ASSETS, CURRENT_LIABILITIES),
        lambda at: _ratio(at(CURRENT_ASSETS), at(CURRENT_LIABILITIES)),
    ),
    Definition(
        "working_capital",
        _("Working capital"),
        MONEY,
        False,
        _("Current assets less current liabilities."),
        (CURRENT_ASSETS, CURRENT_LIABILITIES),
        lambda at: at(CURRENT_ASSETS) - at(CURRENT_LIABILITIES),
    ),
    Definition(
        "total_assets",
        _("Total assets"),
        MONEY,
        False,
        _("The sum of all assets, accounts 1000-1999."),
        (TOTAL_ASSETS,),
        lambda at: at(TOTAL_ASSETS),
    ),
    Definition(
        "equity",
        _("Equity"),
        MONEY,
        False,
        _(
            "Equity accounts 2000-2099 plus the result for the year as long as it is not yet "
            "closed to equity."
        ),
        (EQUITY_ACCOUNTS, UNCLOSED_RESULT),
        lambda at: at.equity(),
    ),
    Definition(
        "adjusted_equity",
        _("Adjusted equity"),
        MONEY,
        False,
        _(
            "Equity plus untaxed reserves (accounts 2100-2199) less the deferred tax in them "
            "(at the corporate tax rate of the year: 20.6 % from 2021)."
        ),
        (EQUITY_ACCOUNTS, UNCLOSED_RESULT, UNTAXED_RESERVES),
        lambda at: at.adjusted_equity(),
    ),
    Definition(
        "solidity",
        _("Solidity"),
        PERCENT,
        False,
        _("Adjusted equity as a share of total assets: how much of the assets is the owners'."),
        (EQUITY_ACCOUNTS, UNCLOSED_RESULT, UNTAXED_RESERVES, TOTAL_ASSETS),
        lambda at: _ratio(at.adjusted_equity(), at(TOTAL_ASSETS)),
        tile=True,
    ),
    Definition(
        "debt_equity_ratio",
        _("Debt/equity ratio"),
        TIMES,
        False,
        _(
            "Provisions and liabilities (accounts 2200-2999) plus the deferred tax in untaxed "
            "reserves, divided by adjusted equity."
        ),
        (LIABILITIES, UNTAXED_RESERVES, EQUITY_ACCOUNTS, UNCLOSED_RESULT),
        lambda at: _ratio(
            at(LIABILITIES) + at.tax_rate * at(UNTAXED_RESERVES), at.adjusted_equity()
        ),
    ),
    Definition(
        "return_on_assets",
        _("Return on total capital"),
        PERCENT,
        False,
        _(
            "Operating result plus financial income, as a share of total assets, for the "
            "period so far."
        ),
        (OPERATING_INCOME, OPERATING_EXPENSES, FINANCIAL_INCOME, TOTAL_ASSETS),
        lambda at: _ratio(
            at(OPERATING_INCOME) - at(OPERATING_EXPENSES) + at(FINANCIAL_INCOME),
            at(TOTAL_ASSETS),
        ),
    ),
    Definition(
        "return_on_equity",
        _("Return on equity"),
        PERCENT,
        False,
        _("Result after financial items as a share of adjusted equity, for the period so far."),
        (
            OPERATING_INCOME,
            OPERATING_EXPENSES,
            FINANCIAL_INCOME,
            FINANCIAL_EXPENSES,
            EQUITY_ACCOUNTS,
            UNCLOSED_RESULT,
            UNTAXED_RESERVES,
        ),
        lambda at: _ratio(
            at(OPERATING_INCOME)
            - at(OPERATING_EXPENSES)
            + at(FINANCIAL_INCOME)
            - at(FINANCIAL_EXPENSES),
            at.adjusted_equity(),
        ),
    ),
    Definition(
        "personnel_share",
        _("Personnel expenses per krona of sales"),
        PERCENT,
        False,
        _("Personnel expenses (accounts 7000-7699) as a share of net sales."),
        (PERSONNEL, REVENUE),
        lambda at: _ratio(at(PERSONNEL), at(REVENUE)),
    ),
)

BY_KEY = {definition.key: definition for definition in DEFINITIONS}
TILES = tuple(definition for definition in DEFINITIONS if definition.tile)


def needs_vat_credits(definitions: Iterable[Definition]) -> bool:
    """Whether these figures need the credits on the output VAT accounts (one more query)."""
    return any(part.credits for definition in definitions for part in definition.parts)


@dataclass(frozen=True)
class KeyFigure:
    definition: Definition
    value: Decimal | None
    previous: Decimal | None
    #: Per month of the year: the month's flow, or the value at the month's end.
    months: tuple[Decimal | None, ...]
    previous_months: tuple[Decimal | None, ...]

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def change(self) -> Decimal | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


def _series(
    definition: Definition, books: YearBooks, last: int | None = None
) -> tuple[Decimal | None, ...]:
    """Per month, its flow or the value at its end; None after month `last` (the months
    of a year in progress that have not come)."""
    count = len(books.months) if last is None else last + 1
    values = [definition.compute(_At(books, index)) for index in range(count)]
    if definition.flow:
        flows: list[Decimal | None] = []
        before = ZERO
        for value in values:
            current = value if value is not None else ZERO
            flows.append(current - before)
            before = current
        values = flows
    return (*values, *([None] * (len(books.months) - count)))


def last_month(books: YearBooks, months: int | None) -> int:
    """The index in `books.months` of the period's last month (`months` months, all when
    None)."""
    if months is None:
        return len(books.months) - 1
    return max(0, min(months, len(books.months)) - 1)


def _value(definition: Definition, books: YearBooks, last: int) -> Decimal | None:
    if not books.months:
        return None
    return definition.compute(_At(books, last))


def _periods(comparison: Comparison | None) -> tuple[int | None, int | None]:
    if comparison is None:
        return None, None
    previous = comparison.previous.months if comparison.previous is not None else None
    return comparison.this.months, previous


def key_figures(
    this: YearBooks,
    previous: YearBooks | None = None,
    *,
    tiles_only: bool = False,
    comparison: Comparison | None = None,
    definitions: Iterable[Definition] = DEFINITIONS,
) -> list[KeyFigure]:
    """The figures of `definitions` (the tiles only when `tiles_only`) for this year and
    last: over the whole years, or over the periods of `comparison` (a year in progress
    against the same months of last year). Last year's sparkline shows all of its months."""
    this_months, previous_months = _periods(comparison)
    this_last = last_month(this, this_months)
    previous_last = last_month(previous, previous_months) if previous is not None else 0
    result = []
    for definition in definitions:
        if tiles_only and not definition.tile:
            continue
        result.append(
            KeyFigure(
                definition=definition,
                value=_value(definition, this, this_last),
                previous=_value(definition, previous, previous_last)
                if previous is not None
                else None,
                months=_series(definition, this, this_last if this.months else None),
                previous_months=_series(definition, previous) if previous is not None else (),
            )
        )
    return result


@dataclass(frozen=True)
class PartAccounts:
    part: Part
    amount: Decimal
    previous: Decimal | None
    #: (account, name, amount this year, amount last year), sign-adjusted like the part.
    accounts: tuple[tuple[str, str, Decimal, Decimal | None], ...]


def _part_amounts(part: Part, books: YearBooks, last: int) -> dict[str, tuple[str, Decimal]]:
    amounts = {}
    for account in books.accounts_in(part.spans):
        amount = _account_amount(account, part, last)
        if amount:
            amounts[account.number] = (account.name, amount)
    return amounts


def _account_amount(account: AccountBooks, part: Part, last: int) -> Decimal:
    """The account's amount through month `last`: its movement (credits only for a
    credits part), from its opening balance for a balance."""
    movement = sum((account.credits if part.credits else account.months)[: last + 1], ZERO)
    if part.balance and account.is_balance_sheet:
        return part.sign * (account.opening + movement)
    return part.sign * movement


def figure_accounts(
    definition: Definition,
    this: YearBooks,
    previous: YearBooks | None = None,
    *,
    comparison: Comparison | None = None,
) -> list[PartAccounts]:
    """The accounts behind a figure, part by part: the drill-down, over the same periods
    as `key_figures`."""
    this_months, previous_months = _periods(comparison)
    this_last = last_month(this, this_months)
    previous_last = last_month(previous, previous_months) if previous is not None else 0
    result = []
    for part in definition.parts:
        current = _part_amounts(part, this, this_last)
        before = _part_amounts(part, previous, previous_last) if previous is not None else {}
        accounts = tuple(
            (
                number,
                (current.get(number) or before[number])[0],
                current.get(number, ("", ZERO))[1],
                before.get(number, ("", ZERO))[1] if previous is not None else None,
            )
            for number in sorted(set(current) | set(before))
        )
        result.append(
            PartAccounts(
                part=part,
                amount=sum((amount for _n, _name, amount, _p in accounts), ZERO),
                previous=sum((p or ZERO for _n, _name, _a, p in accounts), ZERO)
                if previous is not None
                else None,
                accounts=accounts,
            )
        )
    return result
