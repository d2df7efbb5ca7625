"""Excel workbooks of the reports (openpyxl, docs/decisions/0014-openpyxl.md).

Amounts are numbers, not text, so the sheet can sum them; their number formats show them
the Swedish way in a Swedish Excel (the format code is stored in Excel's neutral notation,
`#,##0.00`, and shown with the reader's separators: 1 234,50). Labels arrive translated.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from skrivbord.accounting.reports.figures import DAYS, MONEY, PERCENT, KeyFigure
from skrivbord.accounting.reports.ink2 import _
from skrivbord.accounting.reports.statements import Statement
from skrivbord.accounting.reports.trend import Trend

MONEY_FORMAT = "#,##0.00;-#,##0.00"
PERCENT_FORMAT = "0.0%"
TIMES_FORMAT = "0.00"
#: Whole days, with the word: '0 "days"' (the word translated).
DAYS_FORMAT = '0 "{days}"'
BOLD = Font(bold=True)

Translate = Callable[[str], str]


def _sheet(workbook: Workbook, title: str) -> Any:
    return workbook.create_sheet(title[:31])


def _widths(sheet: Any, widths: Sequence[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _row(sheet: Any, values: Iterable[Any], *, bold: bool = False, formats: dict[int, str]) -> None:
    sheet.append(list(values))
    row = sheet.max_row
    for column, number_format in formats.items():
        sheet.cell(row=row, column=column).number_format = number_format
    if bold:
        for cell in sheet[row]:
            cell.font = BOLD


def statement_sheet(
    workbook: Workbook,
    statement: Statement,
    *,
    title: str,
    heading: str,
    year_label: str,
    previous_label: str,
    translate: Translate,
) -> None:
    sheet = _sheet(workbook, title)
    sheet.append([heading])
    sheet["A1"].font = Font(bold=True, size=14)
    money = {4: MONEY_FORMAT, 5: MONEY_FORMAT}
    headers = [translate(_("Row")), translate(_("Field")), translate(_("Item")), year_label]
    if statement.has_previous:
        headers.append(previous_label)
    _row(sheet, headers, bold=True, formats={})
    for section in statement.sections:
        _row(sheet, ["", "", translate(section.label)], bold=True, formats={})
        for group in section.groups:
            _row(sheet, ["", "", translate(group.label)], bold=True, formats={})
            for line in group.rows:
                values: list[Any] = [line.number, line.field, translate(line.label), line.amount]
                if statement.has_previous:
                    values.append(line.previous)
                _row(sheet, values, formats=money)
                for account in line.accounts:
                    values = ["", "", f"    {account.number} {account.name}", account.amount]
                    if statement.has_previous:
                        values.append(account.previous)
                    _row(sheet, values, formats=money)
            if group.subtotal_label:
                values = ["", "", translate(group.subtotal_label), group.subtotal]
                if statement.has_previous:
                    values.append(group.previous_subtotal)
                _row(sheet, values, bold=True, formats=money)
        values = ["", "", translate(section.total_label), section.total]
        if statement.has_previous:
            values.append(section.previous_total)
        _row(sheet, values, bold=True, formats=money)
    _widths(sheet, (6, 7, 70, 18, 18))
    sheet.freeze_panes = "A3"


def trial_balance_sheet(
    workbook: Workbook, lines: Sequence[Any], *, title: str, translate: Translate
) -> None:
    sheet = _sheet(workbook, title)
    _row(
        sheet,
        [
            translate(_("Account")),
            translate(_("Name")),
            translate(_("Opening balance")),
            translate(_("Movement")),
            translate(_("Closing balance")),
        ],
        bold=True,
        formats={},
    )
    money = {3: MONEY_FORMAT, 4: MONEY_FORMAT, 5: MONEY_FORMAT}
    for line in lines:
        _row(
            sheet,
            [line.number, line.name, line.opening, line.movement, line.closing],
            formats=money,
        )
    _widths(sheet, (10, 50, 18, 18, 18))
    sheet.freeze_panes = "A2"


def trend_sheet(workbook: Workbook, trend: Trend, *, title: str, translate: Translate) -> None:
    sheet = _sheet(workbook, title)
    headers = [
        translate(_("Month")),
        translate(_("Income")),
        translate(_("Expenses")),
        translate(_("Result")),
    ]
    if trend.has_previous:
        headers += [
            translate(_("Income last year")),
            translate(_("Expenses last year")),
            translate(_("Result last year")),
        ]
    _row(sheet, headers, bold=True, formats={})
    money = dict.fromkeys(range(2, 8), MONEY_FORMAT)
    for month in trend.months:
        values: list[Any] = [month.label, month.income, month.expenses, month.result]
        if trend.has_previous:
            values += [month.previous_income, month.previous_expenses, month.previous_result]
        _row(sheet, values, formats=money)
    _widths(sheet, (10, 18, 18, 18, 18, 18, 18))
    sheet.freeze_panes = "A2"


def figures_sheet(
    workbook: Workbook,
    figures: Sequence[KeyFigure],
    *,
    title: str,
    year_label: str,
    previous_label: str,
    translate: Translate,
) -> None:
    sheet = _sheet(workbook, title)
    _row(
        sheet,
        [translate(_("Key figure")), year_label, previous_label, translate(_("Definition"))],
        bold=True,
        formats={},
    )
    for figure in figures:
        unit = figure.definition.unit
        number_format = {
            MONEY: MONEY_FORMAT,
            PERCENT: PERCENT_FORMAT,
            DAYS: DAYS_FORMAT.format(days=translate(_("days"))),
        }.get(unit, TIMES_FORMAT)
        _row(
            sheet,
            [
                translate(figure.definition.label),
                figure.value,
                figure.previous,
                translate(figure.definition.formula),
            ],
            formats={2: number_format, 3: number_format},
        )
    _widths(sheet, (36, 18, 18, 90))


def ledger_sheet(workbook: Workbook, ledger: Any, *, title: str, translate: Translate) -> None:
    sheet = _sheet(workbook, title)
    sheet.append([f"{ledger.account} {ledger.name}".strip()])
    sheet["A1"].font = Font(bold=True, size=14)
    _row(
        sheet,
        [
            translate(_("Date")),
            translate(_("Voucher")),
            translate(_("Text")),
            translate(_("Amount")),
            translate(_("Balance")),
        ],
        bold=True,
        formats={},
    )
    _row(
        sheet,
        ["", "", translate(_("Opening balance")), None, ledger.opening],
        formats={5: MONEY_FORMAT},
    )
    for row in ledger.rows:
        voucher = f"{row.series} {row.number if row.number is not None else ''}".strip()
        _row(
            sheet,
            [row.date, voucher, row.text, row.amount, row.balance],
            formats={1: "yyyy-mm-dd", 4: MONEY_FORMAT, 5: MONEY_FORMAT},
        )
    _widths(sheet, (12, 12, 50, 18, 18))
    sheet.freeze_panes = "A3"


def workbook_bytes(workbook: Workbook) -> bytes:
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def new_workbook() -> Workbook:
    """A workbook without the default empty sheet: each report adds its own."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook
