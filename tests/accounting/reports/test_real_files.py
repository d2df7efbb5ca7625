"""The statements of real books agree with their trial balance, account by account: every
file SOURCES.md marks as reconciling to the öre."""

from __future__ import annotations

from decimal import Decimal

import pytest

from skrivbord.accounting import selectors as books_selectors
from skrivbord.accounting.importer import sie_import
from skrivbord.accounting.reports import figures, ink2, selectors, statements
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, User
from tests.accounting.corpus import reconciling_files, sie_file

ZERO = Decimal("0.00")
RECONCILING = reconciling_files()


@pytest.mark.parametrize("name", RECONCILING)
def test_the_statements_of_a_reconciling_file_agree_with_its_trial_balance(
    name: str, office: None, company: Company, alice: User
) -> None:
    sie_import(company=company, source=sie_file(name), force=True)
    access = company_access(alice, company.id)
    years = selectors.report_years(access=access)
    this, previous = selectors.year_books(access=access, years=years)
    trial = books_selectors.trial_balance(access=access, fiscal_year=years.year)
    assert trial.reconciles

    # Per account, what the trial balance says, signed as the statements show it.
    expected: dict[str, Decimal] = {}
    for line in trial.lines:
        number = ink2.bas_number(line.number)
        if number is None or not 1000 <= number <= 8999:
            continue
        if number < 3000:
            expected[line.number] = (line.opening + line.movement) * (1 if number < 2000 else -1)
        elif not ink2.in_ranges(number, ink2.CLOSING_ACCOUNTS):
            expected[line.number] = -line.movement
    income = statements.income_statement(this, previous)
    balance = statements.balance_sheet(this, previous)
    shown: dict[str, Decimal] = {}
    for row in [*income.rows(), *balance.rows()]:
        for account in row.accounts:
            assert account.number not in shown, f"{account.number} is on two rows"
            shown[account.number] = account.amount
        assert row.amount == sum((a.amount for a in row.accounts), ZERO) or not row.accounts
    assert {k: v for k, v in shown.items() if v} == {k: v for k, v in expected.items() if v}

    result = sum((-line.movement for line in trial.lines if _in(line.number, 3000, 8989)), ZERO)
    assert income.total == result
    assets = sum(
        (line.opening + line.movement for line in trial.lines if _in(line.number, 1000, 1999)),
        ZERO,
    )
    assert balance.sections[0].total == assets
    books_balance = sum(
        (line.opening + line.movement for line in trial.lines if _in(line.number, 1000, 2999)),
        ZERO,
    ) + sum((line.movement for line in trial.lines if _in(line.number, 3000, 8999)), ZERO)
    if books_balance == 0:
        assert balance.sections[1].total == assets
    values = {f.key: f.value for f in figures.key_figures(this, previous)}
    assert values["result"] == result
    assert values["total_assets"] == assets


def _in(account: str, low: int, high: int) -> bool:
    number = ink2.bas_number(account)
    return number is not None and low <= number <= high
