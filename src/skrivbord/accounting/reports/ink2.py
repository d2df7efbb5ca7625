"""The layout of the income statement and balance sheet of the tax return INK2 (INK2R), and
which BAS accounts go on each of its fields.

Written from the facts of Skatteverket's and BAS's mapping table (kopplingstabell BAS →
INK2): each field of the form has a code (7410 Nettoomsättning, ...), a row of the form
(3.1, ...) and the BAS account ranges summed on it. Some rows have two fields, one for a
positive and one for a negative net ("Om netto +" / "Om netto -"): the net of the row's
ranges decides which one. "Net" is the effect on the result or on equity, so credit (SIE's
negative) counts as positive there. tests/accounting/reports/test_ink2.py compares this
layout with a copy of the mapping table, account by account.

Labels are English msgids (translated where shown); `_` only marks them for makemessages,
which keeps this module free of Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache


def _(text: str) -> str:
    return text


Range = tuple[int, int]


def ranges(*spans: str) -> tuple[Range, ...]:
    """ranges("1000-1087", "1088") -> ((1000, 1087), (1088, 1088))."""
    result = []
    for span in spans:
        low, _sep, high = span.partition("-")
        result.append((int(low), int(high or low)))
    return tuple(result)


def in_ranges(number: int, spans: tuple[Range, ...]) -> bool:
    return any(low <= number <= high for low, high in spans)


@dataclass(frozen=True)
class Field:
    """One field of the form: its code and the accounts summed on it."""

    code: str
    accounts: tuple[Range, ...] = ()
    #: Accounts summed on this field or on the row's other field, by the sign of their net:
    #: "+" takes a positive net, "-" a negative one.
    signed: tuple[Range, ...] = ()
    sign: str = ""
    #: Accounts the mapping table lists on this field and on another one (40xx-47xx goods:
    #: raw materials or goods for resale); an account goes here only when its own SRU code
    #: names this field.
    by_sru: tuple[Range, ...] = ()


@dataclass(frozen=True)
class Row:
    """A row of the form, with one field (or two, for a net of either sign)."""

    number: str
    label: str
    fields: tuple[Field, ...]

    @property
    def key(self) -> str:
        return self.number


@dataclass(frozen=True)
class Group:
    """A heading of the statement and its rows, with a subtotal."""

    key: str
    label: str
    rows: tuple[Row, ...]
    subtotal_label: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    groups: tuple[Group, ...]
    total_label: str
    #: Class of the accounts left out of the mapping table that belong here (their first
    #: digit), shown on a row of their own so the totals still agree with the books.
    classes: tuple[str, ...] = field(default=())


def _row(number: str, label: str, code: str, *spans: str) -> Row:
    return Row(number, label, (Field(code, ranges(*spans)),))


def _signed_row(number: str, label: str, plus: str, minus: str, *spans: str) -> Row:
    signed = ranges(*spans)
    return Row(
        number,
        label,
        (Field(plus, signed=signed, sign="+"), Field(minus, signed=signed, sign="-")),
    )


BALANCE_SHEET: tuple[Section, ...] = (
    Section(
        "assets",
        _("Assets"),
        (
            Group(
                "intangible",
                _("Intangible fixed assets"),
                (
                    _row(
                        "2.1",
                        _(
                            "Concessions, patents, licences, trademarks, leaseholds, goodwill "
                            "and similar rights"
                        ),
                        "7201",
                        "1000-1087",
                        "1089-1099",
                    ),
                    _row("2.2", _("Advances for intangible fixed assets"), "7202", "1088"),
                ),
            ),
            Group(
                "tangible",
                _("Tangible fixed assets"),
                (
                    _row(
                        "2.3",
                        _("Buildings and land"),
                        "7214",
                        "1100-1119",
                        "1130-1179",
                        "1190-1199",
                    ),
                    _row(
                        "2.4",
                        _("Machinery, equipment and other tangible fixed assets"),
                        "7215",
                        "1200-1279",
                        "1290-1299",
                    ),
                    _row(
                        "2.5",
                        _("Improvement expenditure on another's property"),
                        "7216",
                        "1120-1129",
                    ),
                    _row(
                        "2.6",
                        _("Construction in progress and advances for tangible fixed assets"),
                        "7217",
                        "1180-1189",
                        "1280-1289",
                    ),
                ),
            ),
            Group(
                "financial_assets",
                _("Financial fixed assets"),
                (
                    _row("2.7", _("Shares in group companies"), "7230", "1310-1319"),
                    _row(
                        "2.8",
                        _("Shares in associated companies and jointly controlled companies"),
                        "7231",
                        "1330-1335",
                        "1338-1339",
                    ),
                    _row(
                        "2.9",
                        _("Ownership interests in other companies and other long-term securities"),
                        "7233",
                        "1350-1359",
                        "1336-1337",
                    ),
                    _row(
                        "2.10",
                        _("Receivables from group, associated and jointly controlled companies"),
                        "7232",
                        "1320-1329",
                        "1340-1345",
                        "1348-1349",
                    ),
                    _row("2.11", _("Loans to partners or related parties"), "7234", "1360-1369"),
                    _row(
                        "2.12",
                        _(
                            "Receivables from other companies in which there is an ownership "
                            "interest, and other long-term receivables"
                        ),
                        "7235",
                        "1370-1389",
                        "1346-1347",
                    ),
                ),
                _("Total fixed assets"),
            ),
            Group(
                "inventories",
                _("Inventories"),
                (
                    _row("2.13", _("Raw materials and consumables"), "7241", "1410-1429"),
                    _row("2.14", _("Work in progress"), "7242", "1440-1449"),
                    _row("2.15", _("Finished goods and goods for resale"), "7243", "1450-1469"),
                    _row("2.16", _("Other inventory assets"), "7244", "1490-1499"),
                    _row("2.17", _("Work in progress on behalf of others"), "7245", "1470-1479"),
                    _row("2.18", _("Advances to suppliers"), "7246", "1480-1489"),
                ),
            ),
            Group(
                "receivables",
                _("Current receivables"),
                (
                    _row("2.19", _("Trade receivables"), "7251", "1510-1559", "1580-1589"),
                    _row(
                        "2.20",
                        _("Receivables from group, associated and jointly controlled companies"),
                        "7252",
                        "1560-1572",
                        "1574-1579",
                        "1660-1669",
                        "1671-1672",
                        "1674-1679",
                    ),
                    _row(
                        "2.21",
                        _(
                            "Receivables from other companies in which there is an ownership "
                            "interest, and other receivables"
                        ),
                        "7261",
                        "1610-1619",
                        "1630-1659",
                        "1680-1699",
                        "1573",
                        "1673",
                    ),
                    _row("2.22", _("Accrued but not invoiced income"), "7262", "1620-1629"),
                    _row("2.23", _("Prepaid expenses and accrued income"), "7263", "1700-1799"),
                ),
            ),
            Group(
                "investments",
                _("Short-term investments"),
                (
                    _row("2.24", _("Shares in group companies"), "7270", "1860-1869"),
                    _row(
                        "2.25",
                        _("Other short-term investments"),
                        "7271",
                        "1800-1859",
                        "1870-1899",
                    ),
                ),
            ),
            Group(
                "cash",
                _("Cash and bank"),
                (_row("2.26", _("Cash, bank and client funds"), "7281", "1900-1999"),),
                _("Total current assets"),
            ),
        ),
        _("Total assets"),
        classes=("1",),
    ),
    Section(
        "equity_liabilities",
        _("Equity and liabilities"),
        (
            Group(
                "equity",
                _("Equity"),
                (
                    _row("2.27", _("Restricted equity"), "7301", "2080-2089"),
                    _row("2.28", _("Unrestricted equity"), "7302", "2090-2099"),
                ),
                _("Total equity"),
            ),
            Group(
                "untaxed_reserves",
                _("Untaxed reserves"),
                (
                    _row("2.29", _("Tax allocation reserves"), "7321", "2110-2139"),
                    _row("2.30", _("Accumulated excess depreciation"), "7322", "2150-2159"),
                    _row("2.31", _("Other untaxed reserves"), "7323", "2160-2199"),
                ),
                _("Total untaxed reserves"),
            ),
            Group(
                "provisions",
                _("Provisions"),
                (
                    _row(
                        "2.32",
                        _(
                            "Provisions for pensions and similar obligations under the Pension "
                            "Obligations Vesting Act (1967:531)"
                        ),
                        "7331",
                        "2210-2219",
                    ),
                    _row(
                        "2.33",
                        _("Other provisions for pensions and similar obligations"),
                        "7332",
                        "2230-2239",
                    ),
                    _row("2.34", _("Other provisions"), "7333", "2220-2229", "2240-2299"),
                ),
                _("Total provisions"),
            ),
            Group(
                "long_term",
                _("Long-term liabilities"),
                (
                    _row("2.35", _("Bond loans"), "7350", "2310-2329"),
                    _row("2.36", _("Overdraft facilities"), "7351", "2330-2339"),
                    _row(
                        "2.37", _("Other liabilities to credit institutions"), "7352", "2340-2359"
                    ),
                    _row(
                        "2.38",
                        _("Liabilities to group, associated and jointly controlled companies"),
                        "7353",
                        "2360-2372",
                        "2374-2379",
                    ),
                    _row(
                        "2.39",
                        _(
                            "Liabilities to other companies in which there is an ownership "
                            "interest, and other liabilities"
                        ),
                        "7354",
                        "2380-2399",
                        "2373",
                    ),
                ),
                _("Total long-term liabilities"),
            ),
            Group(
                "current",
                _("Current liabilities"),
                (
                    _row("2.40", _("Overdraft facilities"), "7360", "2480-2489"),
                    _row(
                        "2.41", _("Other liabilities to credit institutions"), "7361", "2410-2419"
                    ),
                    _row("2.42", _("Advances from customers"), "7362", "2420-2429"),
                    _row("2.43", _("Work in progress on behalf of others"), "7363", "2430-2439"),
                    _row("2.44", _("Invoiced but not earned income"), "7364", "2450-2459"),
                    _row("2.45", _("Trade payables"), "7365", "2440-2449"),
                    _row("2.46", _("Bills payable"), "7366", "2492"),
                    _row(
                        "2.47",
                        _("Liabilities to group, associated and jointly controlled companies"),
                        "7367",
                        "2460-2472",
                        "2474-2479",
                        "2874-2879",
                    ),
                    _row(
                        "2.48",
                        _(
                            "Liabilities to other companies in which there is an ownership "
                            "interest, and other liabilities"
                        ),
                        "7369",
                        "2490-2491",
                        "2493-2499",
                        "2600-2859",
                        "2880-2899",
                    ),
                    _row("2.49", _("Tax liabilities"), "7368", "2500-2599"),
                    _row("2.50", _("Accrued expenses and prepaid income"), "7370", "2900-2999"),
                ),
                _("Total current liabilities"),
            ),
        ),
        _("Total equity and liabilities"),
        classes=("2",),
    ),
)

_INVENTORY_CHANGE = ("4900-4909", "4930-4959", "4970-4979", "4990-4999")

INCOME_STATEMENT: tuple[Section, ...] = (
    Section(
        "operating",
        _("Operating income and expenses"),
        (
            Group(
                "operating_income",
                _("Operating income"),
                (
                    _row("3.1", _("Net sales"), "7410", "3000-3799"),
                    _signed_row(
                        "3.2",
                        _(
                            "Change in inventories of work in progress, finished goods and work "
                            "in progress on behalf of others"
                        ),
                        "7411",
                        "7510",
                        *_INVENTORY_CHANGE,
                    ),
                    _row("3.3", _("Capitalised own work"), "7412", "3800-3899"),
                    _row("3.4", _("Other operating income"), "7413", "3900-3999"),
                ),
                _("Total operating income"),
            ),
            Group(
                "operating_expenses",
                _("Operating expenses"),
                (
                    Row(
                        "3.5",
                        _("Raw materials and consumables"),
                        (Field("7511", ranges("4910-4920"), by_sru=ranges("4000-4799")),),
                    ),
                    _row(
                        "3.6", _("Goods for resale"), "7512", "4000-4799", "4960-4969", "4980-4989"
                    ),
                    _row("3.7", _("Other external expenses"), "7513", "5000-6999"),
                    _row("3.8", _("Personnel expenses"), "7514", "7000-7699"),
                    _row(
                        "3.9",
                        _(
                            "Depreciation, amortisation and write-downs of tangible and "
                            "intangible fixed assets"
                        ),
                        "7515",
                        "7700-7739",
                        "7750-7789",
                        "7800-7899",
                    ),
                    _row(
                        "3.10",
                        _("Write-downs of current assets beyond normal write-downs"),
                        "7516",
                        "7740-7749",
                        "7790-7799",
                    ),
                    _row("3.11", _("Other operating expenses"), "7517", "7900-7999"),
                ),
                _("Total operating expenses"),
            ),
        ),
        _("Operating result"),
        classes=("3", "4", "5", "6", "7"),
    ),
    Section(
        "financial",
        _("Financial items"),
        (
            Group(
                "financial_items",
                _("Financial items"),
                (
                    _signed_row(
                        "3.12",
                        _("Result from shares in group companies"),
                        "7414",
                        "7518",
                        "8000-8069",
                        "8090-8099",
                    ),
                    _signed_row(
                        "3.13",
                        _(
                            "Result from shares in associated companies and jointly controlled "
                            "companies"
                        ),
                        "7415",
                        "7519",
                        "8100-8112",
                        "8114-8117",
                        "8119-8122",
                        "8124-8132",
                        "8134-8169",
                        "8190-8199",
                    ),
                    _signed_row(
                        "3.14",
                        _("Result from other companies in which there is an ownership interest"),
                        "7423",
                        "7530",
                        "8113",
                        "8118",
                        "8123",
                        "8133",
                    ),
                    _signed_row(
                        "3.15",
                        _("Result from other financial fixed assets"),
                        "7416",
                        "7520",
                        "8200-8269",
                        "8290-8299",
                    ),
                    _row(
                        "3.16",
                        _("Other interest income and similar items"),
                        "7417",
                        "8300-8369",
                        "8390-8399",
                    ),
                    _row(
                        "3.17",
                        _("Write-downs of financial fixed assets and short-term investments"),
                        "7521",
                        "8070-8089",
                        "8170-8189",
                        "8270-8289",
                        "8370-8389",
                    ),
                    _row("3.18", _("Interest expenses and similar items"), "7522", "8400-8499"),
                ),
            ),
        ),
        _("Result after financial items"),
        classes=("8",),
    ),
    Section(
        "appropriations",
        _("Appropriations and tax"),
        (
            Group(
                "appropriations",
                _("Appropriations"),
                (
                    _row("3.19", _("Group contributions given"), "7524", "8830-8839"),
                    _row("3.20", _("Group contributions received"), "7419", "8820-8829"),
                    Row(
                        "3.21",
                        _("Reversal of tax allocation reserves"),
                        (Field("7420", ranges("8819"), ranges("8810"), "+"),),
                    ),
                    Row(
                        "3.22",
                        _("Provision to tax allocation reserves"),
                        (Field("7525", ranges("8811"), ranges("8810"), "-"),),
                    ),
                    _signed_row(
                        "3.23", _("Change in excess depreciation"), "7421", "7526", "8850-8859"
                    ),
                    Row(
                        "3.24",
                        _("Other appropriations"),
                        (
                            Field("7422", signed=ranges("8860-8899"), sign="+"),
                            Field("7527", ranges("8840-8849"), ranges("8860-8899"), "-"),
                        ),
                    ),
                ),
                _("Total appropriations"),
            ),
            Group(
                "tax",
                _("Tax"),
                (_row("3.25", _("Tax on the year's result"), "7528", "8900-8989"),),
            ),
        ),
        _("Result for the year"),
    ),
)

#: The closing accounts (8990-8999 "Årets resultat"): the closing entry moves the result to
#: equity through them, so the statement leaves them out (INK2 field 7450/7550 is the result).
CLOSING_ACCOUNTS = ranges("8990-8999")


def bas_number(account: str) -> int | None:
    """The four-digit BAS number of an account: its first four digits (8-digit accounts are
    BAS accounts with a sub-number), None for a non-numeric or shorter one."""
    if len(account) < 4 or not account[:4].isdigit():
        return None
    return int(account[:4])


@cache
def _all_rows() -> dict[str, Row]:
    return {
        row.number: row
        for section in (*BALANCE_SHEET, *INCOME_STATEMENT)
        for group in section.groups
        for row in group.rows
    }


def row_of(account: str, sru: str = "") -> Row | None:
    """The row of the form an account belongs to, or None when the mapping table has none
    for it (and for the closing accounts 8990-8999)."""
    number = bas_number(account)
    if number is None or in_ranges(number, CLOSING_ACCOUNTS):
        return None
    return _row_of_number(number, sru)


@cache
def _row_of_number(number: int, sru: str) -> Row | None:
    found = None
    for row in _all_rows().values():
        for fld in row.fields:
            if in_ranges(number, fld.by_sru) and sru == fld.code:
                return row
            if found is None and (in_ranges(number, fld.accounts) or in_ranges(number, fld.signed)):
                found = row
    return found


def field_of(row: Row, account: str, net: Decimal) -> str:
    """The field of `row` an account's amount goes on: for a signed range, the field of the
    row net's sign (net = effect on result or equity, credit positive)."""
    number = bas_number(account)
    assert number is not None
    for fld in row.fields:
        if in_ranges(number, fld.accounts) or in_ranges(number, fld.by_sru):
            return fld.code
    for fld in row.fields:
        if in_ranges(number, fld.signed) and (fld.sign == "+") == (net >= 0):
            return fld.code
    return row.fields[0].code


def field_accounts() -> dict[str, set[int]]:
    """Per field code, every four-digit account the layout may put on it (signed ranges on
    both of their fields, by-SRU accounts included): what the mapping table lists."""
    result: dict[str, set[int]] = {}
    for row in _all_rows().values():
        for fld in row.fields:
            accounts = result.setdefault(fld.code, set())
            for low, high in (*fld.accounts, *fld.signed, *fld.by_sru):
                accounts.update(range(low, high + 1))
    return result
