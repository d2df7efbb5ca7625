"""Our INK2 layout against the BAS -> INK2 mapping table (kopplingstabell), account by
account: every field puts the same four-digit accounts on it as the table does."""

from __future__ import annotations

import csv
import re

from skrivbord.accounting.reports import ink2
from tests.shared_data import shared_data_path

MAPPING = ("bas", "kjelloh__cratchit__INK2_P1_intervall-241119.csv")


def _expand(text: str) -> set[int]:
    """The table's notation ("30xx-37xx", "151x-155x" also with an en dash, "1000-1087,
    1089-1099", "8810 (Om netto +)") as a set of four-digit accounts."""
    accounts: set[int] = set()
    text = re.sub(r"\(Om netto [+-]\)", "", text).replace("\N{EN DASH}", "-").replace("+", "")
    for part in text.split(","):
        part = part.replace(" ", "").strip("-")
        if not part:
            continue
        low, _sep, high = part.partition("-")
        high = high or low
        first = int(low.replace("x", "0"))
        last = int(high.replace("x", "9"))
        accounts.update(range(first, last + 1))
    return accounts


def _table() -> dict[str, set[int]]:
    path = shared_data_path(*MAPPING)
    fields: dict[str, set[int]] = {}
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.reader(file, delimiter=";"):
            if len(row) > 3 and re.fullmatch(r"7\d\d\d", row[0].strip()):
                fields[row[0].strip()] = _expand(row[3])
    return fields


def test_it_puts_the_same_accounts_on_every_field_as_the_mapping_table() -> None:
    table = _table()
    ours = ink2.field_accounts()
    # 7450/7550 "Årets resultat" (profit/loss) is the result itself: our statements compute
    # it and leave the closing accounts 8990-8999 out.
    assert table.pop("7450") == table.pop("7550") == set(range(8990, 9000))
    assert ink2.row_of("8999") is None
    assert set(ours) == set(table)
    differences = {code: (ours[code] ^ table[code]) for code in table if ours[code] != table[code]}
    assert differences == {}


def test_it_puts_each_account_on_one_row() -> None:
    assert ink2.row_of("3001").number == "3.1"  # type: ignore[union-attr]
    assert ink2.row_of("1930").number == "2.26"  # type: ignore[union-attr]
    assert ink2.row_of("19300000").number == "2.26"  # type: ignore[union-attr]
    assert ink2.row_of("FEL") is None
    # Goods are listed on both 3.5 and 3.6: the account's own SRU code decides.
    assert ink2.row_of("4010").number == "3.6"  # type: ignore[union-attr]
    assert ink2.row_of("4010", "7511").number == "3.5"  # type: ignore[union-attr]


def test_it_chooses_the_field_of_a_signed_row_by_the_sign_of_its_net() -> None:
    row = ink2.row_of("4900")
    assert row is not None
    from decimal import Decimal

    assert ink2.field_of(row, "4900", Decimal("100")) == "7411"
    assert ink2.field_of(row, "4900", Decimal("-100")) == "7510"
