"""The SIE writer: output per the specification, types 1-4, codepage 437, #KSUMMA, and round
trips over every readable file of the shared corpus."""

from __future__ import annotations

import dataclasses
import datetime
import io
import zlib
from decimal import Decimal
from typing import Any

import pytest

from skrivbord.accounting.sie import model as m
from skrivbord.accounting.sie.errors import SieError
from skrivbord.accounting.sie.reader import read
from skrivbord.accounting.sie.writer import (
    SieWriter,
    cp437_text,
    dumps,
    format_amount,
    ordered_records,
)

from .corpus import all_facts, corpus_names, path_of
from .test_corpus import REFUSED

D = datetime.date


def book() -> m.SieFile:
    return m.SieFile(
        program=m.Program("skrivbord", "1.0"),
        generated=m.Generated(D(2026, 1, 15), "Anna"),
        sie_type=m.SieType(4),
        company_name=m.CompanyName('Bröderna "Bygg" AB'),
        org_number=m.OrgNumber("556677-8899"),
        fiscal_years=(m.FiscalYear(0, D(2025, 1, 1), D(2025, 12, 31)),),
        extent=m.Extent(D(2025, 12, 31)),
        accounts=(
            m.Account("1930", "Företagskonto"),
            m.Account("3001", "Försäljning 25 %"),
            m.Account("2611", "Utgående moms 25 %"),
        ),
        dimensions=(m.Dimension(1, "Kostnadsställe"),),
        objects=(m.Object(1, "10", "Väst"),),
        balances=(
            m.Balance(m.BalanceKind.IB, 0, "1930", Decimal("100.00")),
            m.Balance(m.BalanceKind.UB, 0, "1930", Decimal("1350.50")),
            m.Balance(m.BalanceKind.RES, 0, "3001", Decimal("-1000.40")),
            m.Balance(m.BalanceKind.OUB, 0, "1930", Decimal(5), (m.ObjectRef(1, "10"),)),
        ),
        period_balances=(
            m.PeriodBalance(m.PeriodKind.PSALDO, 0, D(2025, 3, 1), "3001", Decimal("-1000.40")),
            m.PeriodBalance(
                m.PeriodKind.PSALDO, 0, D(2025, 3, 1), "3001", Decimal(-1),
                (m.ObjectRef(1, "10"),),
            ),
        ),
        vouchers=(
            m.Voucher(
                "A", 1, D(2025, 3, 4), "Faktura 1", D(2025, 3, 5), "", (
                    m.TransactionRow(m.RowKind.TRANS, "1930", Decimal("1250.50")),
                    m.TransactionRow(
                        m.RowKind.TRANS, "3001", Decimal("-1000.40"), (m.ObjectRef(1, "10"),),
                        text="Kund",
                    ),
                    m.TransactionRow(m.RowKind.TRANS, "2611", Decimal("-250.10")),
                ),
            ),
        ),
    )  # fmt: skip


def lines(data: bytes) -> list[str]:
    return data.decode("cp437").split("\n")


def test_it_writes_a_4e_file_in_the_order_and_form_of_the_specification() -> None:
    text = lines(dumps(book()))
    assert text[:3] == ["#FLAGGA 0", "#KSUMMA", '#PROGRAM "skrivbord" "1.0"']
    assert "#FORMAT PC8" in text
    assert "#SIETYP 4" in text
    assert '#FNAMN "Bröderna \\"Bygg\\" AB"' in text
    assert "#RAR 0 20250101 20251231" in text
    assert '#KONTO 3001 "Försäljning 25 %"' in text
    assert "#UB 0 1930 1350.5" in text
    assert '#OUB 0 1930 {1 "10"} 5' in text
    assert "#PSALDO 0 202503 3001 {} -1000.4" in text
    assert text[-8:-2] == [
        '#VER A 1 20250304 "Faktura 1" 20250305',
        "{",
        "#TRANS 1930 {} 1250.5",
        '#TRANS 3001 {1 "10"} -1000.4 "" "Kund"',
        "#TRANS 2611 {} -250.1",
        "}",
    ]
    assert text[-2].startswith("#KSUMMA ")
    assert text[-1] == ""  # every record ends with a line feed


def test_its_ksumma_is_the_crc32_the_specification_describes() -> None:
    data = dumps(book())
    stated = int(lines(data)[-2].split()[1])
    assert read(data).checksum == m.Checksum(stated, stated)
    # By hand, for one record: §10.14 counts labels and field contents, nothing else.
    one = io.BytesIO()
    with SieWriter(one) as writer:
        writer.write(m.Account("1915", 'Kassa "special"'))
    assert lines(one.getvalue())[2] == '#KONTO 1915 "Kassa \\"special\\""'
    crc = zlib.crc32(b'#KONTO1915Kassa "special"')
    assert lines(one.getvalue())[3] == f"#KSUMMA {crc}"


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("100.00", "100"),
        ("12.50", "12.5"),
        ("-0.75", "-0.75"),
        ("-0.00", "0"),
        ("1E+3", "1000"),
        ("999999999999999.99", "999999999999999.99"),
    ],
)
def test_it_writes_amounts_without_trailing_zeros(amount: str, written: str) -> None:
    assert format_amount(Decimal(amount)) == written


@pytest.mark.parametrize("amount", ["1.234", "NaN", "Infinity", "1E+15"])
def test_it_refuses_an_amount_sie_cannot_carry(amount: str) -> None:
    with pytest.raises(SieError) as refused:
        format_amount(Decimal(amount), 7)
    assert (refused.value.code, refused.value.line) == ("write_bad_amount", 7)


def test_it_replaces_characters_outside_codepage_437_predictably() -> None:
    assert cp437_text("Åsa Ängström") == "Åsa Ängström"
    typographic = "\u00d8rsted \u2013 5 \u20ac \u201cnetto\u201d\u2026"
    assert cp437_text(typographic) == 'Örsted - 5 EUR "netto"...'
    assert cp437_text("Čapek Łódź") == "Capek ?ódz"  # ó is in codepage 437
    assert cp437_text("tab\there\x7f ") == "tab here"
    assert cp437_text("Hyresr\ufffdtt") == "Hyresr?tt"
    written = dumps(m.SieFile(accounts=(m.Account("1", "Ørsted “AB”"),)), kind=None)
    assert '#KONTO 1 "Örsted \\"AB\\""' in lines(written)


def test_it_keeps_a_trailing_backslash_from_escaping_the_closing_quote() -> None:
    written = dumps(m.SieFile(company_id=m.CompanyId("C:\\SIE\\")), kind=None)
    assert read(written).company_id == m.CompanyId("C:\\SIE\\")


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        ("1", {"#IB", "#UB", "#RES"}, {"#PSALDO", "#DIM", "#OBJEKT", "#OUB", "#VER", "#OMFATTN"}),
        ("2", {"#IB", "#PSALDO", "#OMFATTN"}, {"#DIM", "#OBJEKT", "#OUB", "#VER"}),
        ("3", {"#IB", "#PSALDO", "#DIM", "#OBJEKT", "#OUB"}, {"#VER"}),
        ("4E", {"#IB", "#PSALDO", "#DIM", "#OUB", "#VER"}, set()),
        ("4I", {"#DIM", "#OBJEKT", "#VER", "#KONTO"}, {"#IB", "#UB", "#RES", "#PSALDO"}),
    ],
)
def test_it_writes_each_type_with_the_records_it_allows(
    kind: str, present: set[str], absent: set[str]
) -> None:
    written = dumps(book(), kind=kind)
    labels = {line.split(" ")[0] for line in lines(written) if line}
    assert present <= labels
    assert not (absent & labels)
    assert f"#SIETYP {kind[0]}" in lines(written)
    again = read(written, filename=f"x.{'si' if kind == '4I' else 'se'}")
    assert again.kind == kind
    assert not {w.code for w in again.warnings} & {"record_not_allowed", "missing_record"}


def test_type_2_carries_period_balances_of_accounts_only() -> None:
    psaldo = [line for line in lines(dumps(book(), kind="2")) if line.startswith("#PSALDO")]
    assert psaldo == ["#PSALDO 0 202503 3001 {} -1000.4"]


def test_it_streams_records_to_a_binary_stream() -> None:
    stream = io.BytesIO()
    writer = SieWriter(stream)
    writer.write_all(ordered_records(book()))
    writer.close()
    assert stream.getvalue().startswith(b"#FLAGGA 0\n#KSUMMA\n")
    assert read(stream.getvalue()).vouchers == book().vouchers


def test_it_refuses_a_record_without_its_account() -> None:
    with pytest.raises(SieError) as refused:
        dumps(m.SieFile(balances=(m.Balance(m.BalanceKind.IB, 0, "", Decimal(1)),)), kind=None)
    assert refused.value.code == "write_missing_field"
    assert refused.value.params["field"] == "kontonr"


# --- round trips over the corpus ----------------------------------------------------------

BOOKS = (
    "fiscal_years", "accounts", "account_types", "units", "sru_codes", "dimensions",
    "objects", "balances", "period_balances", "vouchers", "company_name", "org_number",
    "address", "program", "generated", "company_id", "prosa", "tax_year", "extent",
)  # fmt: skip


def _as_written(value: Any) -> Any:
    """`value` with every text as a written file carries it (codepage 437, trimmed)."""
    if isinstance(value, str):
        return cp437_text(value)
    if isinstance(value, tuple):
        return tuple(_as_written(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value,
            **{f.name: _as_written(getattr(value, f.name)) for f in dataclasses.fields(value)},
        )
    return value


READABLE = [name for name in corpus_names() if name not in REFUSED]


@pytest.mark.parametrize("name", READABLE)
def test_read_write_read_gives_the_same_books_and_write_again_the_same_bytes(name: str) -> None:
    original = read(path_of(name))
    written = dumps(original, kind=None)
    again = read(written, filename=name)
    for part in BOOKS:
        assert _as_written(getattr(again, part)) == _as_written(getattr(original, part)), part
    assert again.checksum is not None
    assert again.checksum.ok
    assert dumps(again, kind=None) == written


@pytest.mark.parametrize("name", [n for n in READABLE if all_facts()[n].enc in ("cp437", "ascii")])
def test_a_codepage_437_file_round_trips_its_texts_exactly(name: str) -> None:
    original = read(path_of(name))
    again = read(dumps(original, kind=None))
    assert again.accounts == original.accounts
    assert again.vouchers == original.vouchers
