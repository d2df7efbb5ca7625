"""The income statement and the balance sheet, in the layout of INK2 (see `ink2`), for a
year with the previous year alongside. Pure Python.

Amounts are shown as a reader expects them: on the income statement as their effect on
the result (income positive, expenses negative), on the balance sheet assets positive and
equity and liabilities positive. Every BAS account of classes 1-8 is on exactly one row, so
the totals agree with the trial balance: accounts the mapping table leaves out get a row of
their own, and the balance sheet shows the year's result as long as no closing entry has
moved it to equity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from skrivbord.accounting.reports import ink2
from skrivbord.accounting.reports.books import ZERO, AccountBooks, YearBooks
from skrivbord.accounting.reports.ink2 import _

OTHER_ACCOUNTS = _("Other accounts (outside the INK2 mapping)")
UNCLOSED_RESULT = _("Result for the year (not yet closed to equity)")
RESULT_ACCOUNTS = ink2.ranges("3000-8999")


@dataclass(frozen=True)
class AccountLine:
    number: str
    name: str
    amount: Decimal
    previous: Decimal | None


@dataclass(frozen=True)
class StatementRow:
    key: str
    #: The row of the form ("3.1"), "" for our own rows.
    number: str
    label: str
    #: The form's field the amount goes on this year ("7410"), "" for our own rows.
    field: str
    amount: Decimal
    previous: Decimal | None
    accounts: tuple[AccountLine, ...]


@dataclass(frozen=True)
class StatementGroup:
    key: str
    label: str
    rows: tuple[StatementRow, ...]
    subtotal_label: str
    subtotal: Decimal
    previous_subtotal: Decimal | None


@dataclass(frozen=True)
class StatementSection:
    key: str
    label: str
    groups: tuple[StatementGroup, ...]
    total_label: str
    total: Decimal
    previous_total: Decimal | None


@dataclass(frozen=True)
class Statement:
    sections: tuple[StatementSection, ...]
    has_previous: bool

    def rows(self) -> Iterable[StatementRow]:
        for section in self.sections:
            for group in section.groups:
                yield from group.rows

    @property
    def total(self) -> Decimal:
        return self.sections[-1].total

    @property
    def previous_total(self) -> Decimal | None:
        return self.sections[-1].previous_total


def _build(
    layout: tuple[ink2.Section, ...],
    this: YearBooks,
    previous: YearBooks | None,
    *,
    running: bool,
    balance_sheet: bool,
) -> Statement:
    signs: dict[str, int] = {}
    for section in layout:
        sign = 1 if section.key == "assets" else -1
        signs[section.key] = sign
        for group in section.groups:
            for row in group.rows:
                signs[row.number] = sign
    current = _place(this, signs)
    before = _place(previous, signs) if previous is not None else None
    sections = []
    running_total = ZERO
    running_previous: Decimal | None = ZERO if before is not None else None
    for section in layout:
        groups = []
        section_total = ZERO
        section_previous: Decimal | None = ZERO if before is not None else None
        pending = ZERO
        pending_previous: Decimal | None = ZERO if before is not None else None
        layout_groups: list[tuple[str, str, list[StatementRow], str]] = []
        for group in section.groups:
            rows = [_row(row, current, before) for row in group.rows]
            if balance_sheet and group.key == "equity":
                unclosed = _unclosed_row(current, before)
                if unclosed is not None:
                    rows.append(unclosed)
            layout_groups.append((group.key, group.label, rows, group.subtotal_label))
        other = _other_row(section.key, current, before)
        if other is not None:
            layout_groups.append(("other", OTHER_ACCOUNTS, [other], ""))
        for key, label, rows, subtotal_label in layout_groups:
            group_total = sum((row.amount for row in rows), ZERO)
            group_previous = _sum_previous(rows)
            pending += group_total
            section_total += group_total
            if pending_previous is not None and group_previous is not None:
                pending_previous += group_previous
            if section_previous is not None and group_previous is not None:
                section_previous += group_previous
            groups.append(
                StatementGroup(
                    key=key,
                    label=label,
                    rows=tuple(rows),
                    subtotal_label=subtotal_label,
                    subtotal=pending,
                    previous_subtotal=pending_previous,
                )
            )
            if subtotal_label:
                pending = ZERO
                pending_previous = ZERO if before is not None else None
        running_total += section_total
        if running_previous is not None and section_previous is not None:
            running_previous += section_previous
        sections.append(
            StatementSection(
                key=section.key,
                label=section.label,
                groups=tuple(groups),
                total_label=section.total_label,
                total=running_total if running else section_total,
                previous_total=running_previous if running else section_previous,
            )
        )
    return Statement(sections=tuple(sections), has_previous=previous is not None)


def _sum_previous(rows: list[StatementRow]) -> Decimal | None:
    total = ZERO
    for row in rows:
        if row.previous is None:
            return None
        total += row.previous
    return total


class _Year:
    def __init__(self) -> None:
        self.by_row: dict[str, list[tuple[AccountBooks, Decimal]]] = {}
        self.other: dict[str, list[tuple[AccountBooks, Decimal]]] = {}
        self.unclosed = ZERO

    def total(self, placed: list[tuple[AccountBooks, Decimal]]) -> Decimal:
        return sum((amount for _account, amount in placed), ZERO)


def _place(books: YearBooks, signs: dict[str, int]) -> _Year:
    year = _Year()
    for account in books.accounts.values():
        number = ink2.bas_number(account.number)
        if number is None or not 1000 <= number <= 8999:
            continue
        if number >= 3000:
            # Income and expenses not yet closed to equity (the closing entry through
            # 8999 brings this to zero).
            year.unclosed -= account.closing
        row = ink2.row_of(account.number, account.sru)
        if row is None:
            if ink2.in_ranges(number, ink2.CLOSING_ACCOUNTS):
                continue
            section = _section_of_class(account.number[0])
            if section is None or section not in signs:
                continue
            year.other.setdefault(section, []).append((account, account.closing * signs[section]))
            continue
        if row.number not in signs:
            continue
        year.by_row.setdefault(row.number, []).append(
            (account, account.closing * signs[row.number])
        )
    return year


def _section_of_class(first_digit: str) -> str | None:
    for section in (*ink2.BALANCE_SHEET, *ink2.INCOME_STATEMENT):
        if first_digit in section.classes:
            return section.key
    return None


def _account_lines(
    current: list[tuple[AccountBooks, Decimal]], before: list[tuple[AccountBooks, Decimal]] | None
) -> tuple[AccountLine, ...]:
    previous = {account.number: amount for account, amount in before or []}
    names = {account.number: account.name for account, _amount in [*current, *(before or [])]}
    amounts = {account.number: amount for account, amount in current}
    return tuple(
        AccountLine(
            number=number,
            name=names[number],
            amount=amounts.get(number, ZERO),
            previous=previous.get(number, ZERO) if before is not None else None,
        )
        for number in sorted(set(amounts) | set(previous))
    )


def _row(row: ink2.Row, current: _Year, before: _Year | None) -> StatementRow:
    placed = current.by_row.get(row.number, [])
    amount = current.total(placed)
    field = ""
    if placed:
        field = ink2.field_of(row, placed[0][0].number, amount)
    elif len(row.fields) == 1:
        field = row.fields[0].code
    previous_placed = before.by_row.get(row.number, []) if before is not None else None
    return StatementRow(
        key=row.number,
        number=row.number,
        label=row.label,
        field=field,
        amount=amount,
        previous=before.total(previous_placed or []) if before is not None else None,
        accounts=_account_lines(placed, previous_placed),
    )


def _other_row(section: str, current: _Year, before: _Year | None) -> StatementRow | None:
    placed = current.other.get(section, [])
    previous_placed = before.other.get(section, []) if before is not None else None
    if not placed and not previous_placed:
        return None
    return StatementRow(
        key=f"other-{section}",
        number="",
        label=OTHER_ACCOUNTS,
        field="",
        amount=current.total(placed),
        previous=before.total(previous_placed or []) if before is not None else None,
        accounts=_account_lines(placed, previous_placed),
    )


def _unclosed_row(current: _Year, before: _Year | None) -> StatementRow | None:
    if not current.unclosed and (before is None or not before.unclosed):
        return None
    return StatementRow(
        key="unclosed-result",
        number="",
        label=UNCLOSED_RESULT,
        field="",
        amount=current.unclosed,
        previous=before.unclosed if before is not None else None,
        accounts=(),
    )


def income_statement(this: YearBooks, previous: YearBooks | None = None) -> Statement:
    """Resultaträkning: rows 3.1-3.25 of INK2R, with the operating result, the result after
    financial items and the result for the year (-Σ accounts 3000-8989)."""
    return _build(ink2.INCOME_STATEMENT, this, previous, running=True, balance_sheet=False)


def balance_sheet(this: YearBooks, previous: YearBooks | None = None) -> Statement:
    """Balansräkning at the end of the year: rows 2.1-2.50 of INK2R."""
    return _build(ink2.BALANCE_SHEET, this, previous, running=False, balance_sheet=True)
