"""The SIE reader on small hand-written files: the lexical rules (4B/4C §5, §7), the quirks it
tolerates, the limits it enforces and the refusals it gives, each with its line."""

from __future__ import annotations

import dataclasses
import datetime
import io
import pickle
import tracemalloc
from decimal import Decimal
from pathlib import Path

import pytest

from bench.sie_generate import generate
from skrivbord.accounting.sie import _fast, model, reader
from skrivbord.accounting.sie.errors import SieError
from skrivbord.accounting.sie.model import BalanceKind, ObjectRef, RowKind, Severity
from skrivbord.accounting.sie.reader import (
    MAX_LINE_LENGTH,
    SieReader,
    read,
    split_fields,
)

HEAD = """#FLAGGA 0
#PROGRAM "Test" 1.0
#FORMAT PC8
#GEN 20250102
#SIETYP 4
#FNAMN "Test AB"
#RAR 0 20250101 20251231
#KONTO 1930 "Bank"
#KONTO 3001 "Försäljning"
#KONTO 2611 "Utgående moms"
"""  # 10 lines


def sie(body: str, head: str = HEAD, encoding: str = "cp437") -> bytes:
    return (head + body).encode(encoding)


def refusal(data: bytes) -> SieError:
    with pytest.raises(SieError) as refused:
        read(data)
    return refused.value


def codes(data: bytes) -> set[str]:
    return {w.code for w in read(data).warnings}


VOUCHER = """#VER A 1 20250105 "Försäljning kontant" 20250106 "AN"
{
#TRANS 1930 {} 1250.00
#TRANS 3001 {1 "10" 6 "P1"} -1000 20250105 "Kund AB" 2 "AN"
#TRANS 2611 {} -250
}
"""


# --- tokenizer ----------------------------------------------------------------------------


def test_it_splits_on_runs_of_blanks_and_tabs_and_unquotes() -> None:
    assert split_fields('#KONTO \t 1510   "Kund fordringar"', 1) == [
        "#KONTO",
        "1510",
        "Kund fordringar",
    ]


def test_it_reads_an_escaped_quote_and_keeps_other_backslashes() -> None:
    fields = split_fields(r'#FNR "C:\dir\fil \"x\" y"', 1)
    assert fields == ["#FNR", 'C:\\dir\\fil "x" y']


def test_it_reads_object_lists_with_quoted_or_bare_pairs() -> None:
    assert split_fields('#TRANS 7010 {"1" "456" 7 47} 56700.00', 1) == [
        "#TRANS",
        "7010",
        ["1", "456", "7", "47"],
        "56700.00",
    ]
    assert split_fields("#TRANS 7010 {} 1", 1)[2] == []
    assert split_fields("#TRANS 7010 { } 1", 1)[2] == []


def test_it_keeps_braces_and_quotes_inside_a_quoted_text() -> None:
    assert split_fields('#VER A 1 20250101 "Text {med} klammer"', 1)[-1] == "Text {med} klammer"


def test_it_refuses_nested_unclosed_and_stray_braces() -> None:
    for text, code in (
        ("#TRANS 1 {1 {2 3}} 5", "nested_object_list"),
        ("#TRANS 1 {1 2 5", "unclosed_object_list"),
        ("#TRANS 1 1 2} 5", "stray_brace_in_record"),
    ):
        with pytest.raises(SieError) as refused:
            split_fields(text, 7)
        assert (refused.value.code, refused.value.line) == (code, 7)


def test_it_refuses_a_tab_inside_a_quoted_text() -> None:
    error = refusal(sie('#PROSA "tab\there"\n'))
    assert (error.code, error.line) == ("control_character", 11)


# --- records ------------------------------------------------------------------------------


def test_it_reads_a_voucher_with_its_rows_objects_dates_texts_quantities_and_signs() -> None:
    book = read(sie(VOUCHER))
    (voucher,) = book.vouchers
    assert (voucher.series, voucher.number, voucher.date, voucher.text, voucher.line) == (
        "A",
        1,
        datetime.date(2025, 1, 5),
        "Försäljning kontant",
        11,
    )
    assert (voucher.registered, voucher.sign) == (datetime.date(2025, 1, 6), "AN")
    first, second, third = voucher.rows
    assert (first.account, first.amount, first.objects, first.date, first.line) == (
        "1930",
        Decimal("1250.00"),
        (),
        None,
        13,
    )
    assert second.objects == (ObjectRef(1, "10"), ObjectRef(6, "P1"))
    assert (second.date, second.text, second.quantity, second.sign) == (
        datetime.date(2025, 1, 5),
        "Kund AB",
        Decimal(2),
        "AN",
    )
    assert third.amount == Decimal(-250)
    assert voucher.total == 0
    assert book.warnings == ()


def test_it_keeps_money_as_exact_decimals() -> None:
    book = read(sie("#IB 0 1930 0.10\n#IB 0 2611 0.20\n#UB 0 1930 0.30\n"))
    amounts = [b.amount for b in book.balances]
    assert all(type(a) is Decimal for a in amounts)
    assert amounts[0] + amounts[1] == amounts[2]


def test_it_reads_rtrans_and_btrans_but_sums_only_trans() -> None:
    (voucher,) = read(
        sie(
            '#VER "" "" 20250101 "Porto"\n{\n#TRANS 1930 {} -1000.00\n#TRANS 2611 {} 200.00\n'
            "#BTRANS 3001 {} 800.00\n#RTRANS 3001 {} 800.00\n#TRANS 3001 {} 800.00\n}\n"
        )
    ).vouchers
    assert [r.kind for r in voucher.rows] == [
        RowKind.TRANS,
        RowKind.TRANS,
        RowKind.BTRANS,
        RowKind.RTRANS,
        RowKind.TRANS,
    ]
    assert (voucher.series, voucher.number, voucher.total) == ("", None, Decimal(0))


def test_it_reads_every_identification_record() -> None:
    book = read(
        sie(
            '#PROSA "En fil"\n#FTYP AB\n#FNR "K1"\n#ORGNR 556334-3689 1 2\n#BKOD 82300\n'
            '#ADRESS "Sven" "Box 21" "211 20 MALMÖ" "040-123 45"\n#TAXAR 2026\n'
            "#OMFATTN 20250630\n#KPTYP BAS2025\n#VALUTA SEK\n#KTYP 1930 T\n#ENHET 3001 st\n"
            '#SRU 1930 7281\n#DIM 1 "Avdelning"\n#UNDERDIM 21 "Underavdelning" 1\n'
            '#OBJEKT 1 "0123" "Service"\n#RAR -1 20240101 20241231\n'
            "#OIB 0 1930 {1 0123} 5\n#OUB 0 1930 {1 0123} 7 1\n"
            "#PSALDO 0 202501 3001 {} -1000\n#PBUDGET 0 202501 3001 {1 0123} -900\n"
            "#RES 0 3001 -1000\n"
        )
    )
    assert book.org_number == model.OrgNumber("556334-3689", "1", "2")
    assert book.address == model.Address("Sven", "Box 21", "211 20 MALMÖ", "040-123 45")
    assert (book.tax_year, book.extent) == (
        model.TaxYear(2026),
        model.Extent(datetime.date(2025, 6, 30)),
    )
    assert book.fiscal_year(-1) == model.FiscalYear(
        -1, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    )
    assert book.dimensions == (
        model.Dimension(1, "Avdelning"),
        model.Dimension(21, "Underavdelning", parent=1),
    )
    assert book.units == (model.Unit("3001", "st"),)
    oub = next(b for b in book.balances if b.kind is BalanceKind.OUB)
    assert (oub.objects, oub.amount, oub.quantity) == ((ObjectRef(1, "0123"),), 7, 1)
    budget = book.period_balances[1]
    assert (budget.kind, budget.period, budget.objects) == (
        model.PeriodKind.PBUDGET,
        datetime.date(2025, 1, 1),
        (ObjectRef(1, "0123"),),
    )
    assert book.kind == "4E"


def test_it_ignores_unknown_labels_and_their_blocks_and_unknown_trailing_fields() -> None:
    book = read(sie('#MOMSKOD 25 "Moms"\n#FRAMTID\n{\n#X 1\n}\n#IB 0 1930 5 1 extra "f"\n'))
    assert [b.amount for b in book.balances] == [5]
    unknown = [w for w in book.warnings if w.code == "unknown_label"]
    assert [(w.line, w.severity) for w in unknown] == [(11, Severity.INFO), (12, Severity.INFO)]


def test_it_allows_crlf_blank_lines_and_a_missing_last_line_end() -> None:
    data = sie(VOUCHER).replace(b"\n", b"\r\n\r\n").rstrip(b"\r\n")
    assert read(data).vouchers == read(sie(VOUCHER)).vouchers


def test_it_keeps_the_line_of_every_record_without_comparing_it() -> None:
    a = read(sie("#IB 0 1930 5\n"))
    b = read(sie("\n\n#IB 0 1930 5\n"))
    assert (a.balances[0].line, b.balances[0].line) == (11, 13)
    assert a.balances == b.balances


# --- tolerated quirks ---------------------------------------------------------------------


def test_it_reads_iso_dates_with_a_warning() -> None:
    book = read(sie("#VER A 1 2025-01-05\n{\n#TRANS 1930 {} 1\n#TRANS 3001 {} -1\n}\n"))
    assert book.vouchers[0].date == datetime.date(2025, 1, 5)
    assert [(w.code, w.line, w.severity) for w in book.warnings] == [
        ("iso_date", 11, Severity.WARNING)
    ]


def test_it_joins_an_unquoted_name_with_spaces() -> None:
    book = read(sie("", head=HEAD.replace('#FNAMN "Test AB"', "#FNAMN Test och Son AB")))
    assert book.company_name == model.CompanyName("Test och Son AB")
    assert "unquoted_text" in {w.code for w in book.warnings}


def test_it_reads_a_stray_quote_as_text_and_an_unclosed_quote_to_the_end_of_the_line() -> None:
    book = read(sie('#KONTO 1684 "Fordringar hos leverant"r"\n#KONTO 1685 "Halv\n'))
    names = {a.number: a.name for a in book.accounts}
    assert (names["1684"], names["1685"]) == ('Fordringar hos leverant"r', "Halv")
    assert [(w.code, w.line) for w in book.warnings] == [
        ("stray_quote", 11),
        ("unterminated_quote", 12),
    ]


def test_it_reads_rows_without_their_opening_brace_with_a_warning() -> None:
    book = read(sie("#VER A 1 20250105\n\n#TRANS 1930 {} 1\n#TRANS 3001 {} -1\n}\n"))
    assert len(book.vouchers[0].rows) == 2
    assert ("missing_open_brace", 13) in {(w.code, w.line) for w in book.warnings}


def test_it_warns_about_an_unbalanced_or_empty_voucher() -> None:
    book = read(sie("#VER A 1 20250105\n{\n#TRANS 1930 {} 1\n}\n#VER A 2 20250105\n{\n}\n"))
    assert [(w.code, w.line, str(w)) for w in book.warnings] == [
        (
            "unbalanced_voucher",
            11,
            "Line 11: voucher A 1 does not balance: its rows sum to 1.",
        ),
        ("empty_voucher", 15, "Line 15: voucher A 2 has no rows."),
    ]
    assert book.warnings[0].severity is Severity.CRITICAL


def test_it_warns_once_about_an_undeclared_or_non_numeric_account() -> None:
    book = read(sie("#IB 0 1510 5\n#UB 0 1510 6\n#IB 0 FEL 1\n"))
    assert [(w.code, w.line, w.params["account"]) for w in book.warnings] == [
        ("undeclared_account", 11, "1510"),
        ("non_numeric_account", 13, "FEL"),
        ("undeclared_account", 13, "FEL"),
    ]


def test_it_caps_the_warnings_of_one_kind_and_counts_the_rest() -> None:
    book = read(sie("".join(f"#IB 0 {4000 + n} 1\n" for n in range(25))))
    undeclared = [w for w in book.warnings if w.code == "undeclared_account"]
    assert len(undeclared) == 20
    more = book.warnings[-1]
    assert (more.code, more.params) == ("more_warnings", {"count": 5, "code": "undeclared_account"})


def test_it_warns_about_missing_and_forbidden_records_for_the_type() -> None:
    book = read(sie("#PSALDO 0 202501 3001 {} 5\n", head="#FLAGGA 0\n#SIETYP 1\n"))
    found = {(w.code, w.params.get("label")) for w in book.warnings}
    assert {("missing_record", "PROGRAM"), ("missing_record", "RAR")} <= found
    assert ("record_not_allowed", "PSALDO") in found


def test_it_tells_4i_from_4e_by_extension_and_content() -> None:
    data = sie(VOUCHER)
    assert read(data).kind == "4I"  # no balances at all
    assert read(data, filename="FAKT.SI").kind == "4I"
    assert read(sie("#UB 0 1930 1\n")).kind == "4E"


# --- encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected"),
    [("cp437", "cp437"), ("utf-8", "utf-8"), ("iso-8859-15", "iso-8859-15")],
)
def test_it_detects_the_encoding_and_reads_the_letters(encoding: str, detected: str) -> None:
    book = read(sie("", encoding=encoding))
    assert book.encoding == detected
    assert book.accounts[1].name == "Försäljning"


def test_it_reads_a_byte_order_mark_as_utf8() -> None:
    book = read(b"\xef\xbb\xbf" + sie("", encoding="utf-8"))
    assert (book.encoding, book.flag) == ("utf-8", model.Flag(0))


def test_it_reads_pure_ascii_as_ascii() -> None:
    assert (
        read(sie("", head=HEAD.replace("ö", "o").replace("å", "a").replace("ä", "a"))).encoding
        == "ascii"
    )


# --- KSUMMA -------------------------------------------------------------------------------

# The specification's own example (§10.15) within a file; its sum computed by zlib.crc32
# over "#KONTO1915Kassa \"special\"" minus the quotes and blanks the spec excludes.
KSUMMA_BODY = '#KSUMMA\n#KONTO 1915 "Kassa \\"special\\""\n#KSUMMA {crc}\n'


def test_it_verifies_ksumma_over_labels_and_field_contents() -> None:
    import zlib

    crc = zlib.crc32('#KONTO1915Kassa "special"'.encode("cp437"))
    book = read(sie(KSUMMA_BODY.format(crc=crc), head="#FLAGGA 0\n"))
    assert book.checksum == model.Checksum(crc, crc)


def test_it_refuses_a_wrong_ksumma_and_a_missing_closing_one() -> None:
    wrong = refusal(sie(KSUMMA_BODY.format(crc=1), head="#FLAGGA 0\n"))
    assert (wrong.code, wrong.line) == ("checksum_mismatch", 4)
    cut = refusal(sie("#KSUMMA\n#KONTO 1915 Kassa\n", head="#FLAGGA 0\n"))
    assert (cut.code, cut.line) == ("checksum_missing_end", 2)
    assert "cut short" in str(cut)


# --- refusals and limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        (b"", "empty_file", 1),
        (b"\n\n  \n", "empty_file", 1),
        (b"<html><body>404</body></html>\n", "not_sie", 1),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not_sie", 1),
        (b"\x00\x00\x01\x00\x01\x00 \x20", "binary_data", 1),
        (b"PK\x03\x04\x14\x00\x00\x00", "binary_data", 1),
        (b"#FLAGGA 0\n\x00\x01\x02\n", "control_character", 2),
        (b"#FLAGGA 0\nhej\n", "no_label", 2),
    ],
)
def test_it_refuses_what_is_not_sie_at_its_line(data: bytes, code: str, line: int) -> None:
    error = refusal(data)
    assert (error.code, error.line) == (code, line)


@pytest.mark.parametrize(
    ("body", "code", "message"),
    [
        ("#IB 0 1930 +5\n", "amount_plus_sign", "Line 11: the amount +5 has a plus sign"),
        ("#IB 0 1930 5.125\n", "amount_decimals", "the amount 5.125 has more than two"),
        ("#IB 0 1930 12,50\n", "bad_amount", "“12,50” is not an amount"),
        ("#IB 0 1930 1e5\n", "bad_amount", "“1e5” is not an amount"),
        ("#IB 0 1930 NaN\n", "bad_amount", "“NaN” is not an amount"),
        ("#IB 0 1930 1234567890123456\n", "amount_too_large", "up to 999999999999999"),
        ("#IB 0 1930 \n", "missing_amount", "#IB has no amount"),
        ("#IB x 1930 5\n", "bad_year", "“x” is not a year number"),
        ("#PSALDO 0 202513 1930 {} 5\n", "bad_period", "“202513” is not a period"),
        ("#RAR 1 20250229 20251231\n", "no_such_date", "the date 20250229 does not exist"),
        ("#RAR 1 20251231 20250101\n", "fiscal_year_reversed", "ends on 2025-01-01"),
        ("#SIETYP 5\n", "bad_sie_type", "#SIETYP 5 is not a SIE file type"),
        ("#TRANS 1930 {} 5\n", "row_outside_voucher", "#TRANS outside a voucher"),
        ("#VER A 1 20250101\n#IB 0 1930 5\n", "voucher_without_rows", "not followed by"),
        ("#VER A x 20250101\n{\n}\n", "bad_voucher_number", "“x” is not a voucher number"),
        ("#VER A 1 20250101\n{\n#IB 0 1930 5\n}\n", "record_inside_voucher", "#IB inside"),
        ("#VER A 1 20250101\n{\n#TRANS 1930 {} 1\n", "unclosed_voucher", "not closed"),
        ("{\n", "stray_open_brace", "a { that does not follow a #VER"),
        ("}\n", "stray_close_brace", "a } without a matching {"),
        ("#OBJEKT 1 \n", "missing_object", "#OBJEKT has no object number"),
        ("#TRANS2\n#OIB 0 1930 {1} 5\n", "bad_object_list", "must hold pairs"),
        ("#OIB 0 1930 {x 1} 5\n", "bad_dimension", "“x” is not a dimension number"),
        ("#IB 0 1930 5 1.1234567\n", "bad_quantity", "“1.1234567” is not a quantity"),
        ("#KSUMMA abc\n", "bad_checksum", "“abc” is not a checksum"),
    ],
)
def test_it_refuses_bad_values_with_their_own_message(body: str, code: str, message: str) -> None:
    error = refusal(sie(body))
    assert error.code == code
    assert message in str(error)
    assert error.params["line"] == error.line >= 11


def test_it_refuses_a_line_that_is_too_long_or_has_too_many_fields() -> None:
    long = refusal(sie(f'#PROSA "{"x" * MAX_LINE_LENGTH}"\n'))
    assert (long.code, long.line) == ("line_too_long", 11)
    many = refusal(sie("#PROSA " + " x" * 300 + "\n"))
    assert (many.code, many.params["count"]) == ("too_many_fields", 301)
    endless = refusal(b"#PROSA " + b"x" * (5 * MAX_LINE_LENGTH))
    assert (endless.code, endless.line) == ("line_too_long", 1)


def test_its_error_keeps_template_and_params_apart_and_pickles() -> None:
    error = refusal(sie("#IB 0 1930 5.125\n"))
    assert error.template == "Line %(line)s: the amount %(value)s has more than two decimals."
    assert error.params == {"line": 11, "value": "5.125"}
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes)
    assert (copy.code, copy.line, str(copy)) == (error.code, error.line, str(error))


# --- sources and streaming ----------------------------------------------------------------


def test_it_reads_bytes_paths_and_binary_streams_alike(tmp_path: Path) -> None:
    data = sie(VOUCHER)
    path = tmp_path / "fil.se"
    path.write_bytes(data)
    as_bytes = read(data, filename="fil.se")
    assert as_bytes == read(path) == read(str(path)) == read(io.BytesIO(data), filename="fil.se")
    assert as_bytes.kind == "4E"


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like a socket or a pipe."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._data.read(min(len(buffer), 7))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_it_reads_a_stream_that_cannot_seek() -> None:
    data = sie(VOUCHER)
    assert not _Pipe(data).seekable()
    assert read(_Pipe(data)).vouchers == read(data).vouchers


def _peak_memory_reading(path: Path) -> int:
    tracemalloc.start()
    try:
        rows = 0
        for record in SieReader(path):
            if isinstance(record, model.Voucher):
                rows += len(record.rows)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_streams_a_large_file_in_flat_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chunks of 64 kB instead of 1 MB, so that small files show it (tracemalloc is slow).
    monkeypatch.setattr(reader, "CHUNK_SIZE", 1 << 16)
    small, large = tmp_path / "liten.se", tmp_path / "stor.se"
    generate(small, transactions=5_000, seed=3)
    generate(large, transactions=30_000, seed=3)
    assert large.stat().st_size > 1_800_000
    small_peak, large_peak = _peak_memory_reading(small), _peak_memory_reading(large)
    # Six times the rows, the same memory: a chunk of text and its vouchers at a time.
    assert large_peak < small_peak * 1.2, (small_peak, large_peak)
    assert large_peak < 1_500_000, large_peak


def test_its_fast_builders_make_ordinary_frozen_records() -> None:
    for cls in (
        model.TransactionRow,
        model.Voucher,
        model.Balance,
        model.PeriodBalance,
        model.Account,
        model.AccountType,
        model.SruCode,
        model.Unit,
    ):
        values = [f"v{n}" for n, _ in enumerate(dataclasses.fields(cls))]
        built = _fast.builder(cls)(*values)
        assert type(built) is cls
        assert built == cls(*values)
        assert hash(built) == hash(cls(*values))
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.line = 5  # type: ignore[misc]
