"""The reader on every real and test SIE file of ../shared/data/sie (see SOURCES.md).

Readable files must give exactly the counts, type, encoding, program, balances and
checksum that SOURCES.md states, and the reconciling ones must reconcile to the öre.
Broken files must be refused with their specific problem and line; quirky files must be
read with the warning that names the quirk. (The issue's "ACCOUNTING.md §1.9 quirks" list
is not in our copy of ACCOUNTING.md; SOURCES.md's notes column serves as that list.)
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal

import pytest

from skrivbord.accounting.sie.errors import SieError
from skrivbord.accounting.sie.model import BalanceKind, RowKind, SieFile
from skrivbord.accounting.sie.reader import SieReader, read

from .corpus import all_facts, corpus_names, not_sie_names, path_of, reconciliation

# file -> (code, line, words of the English message)
REFUSED = {
    "blinfo__Sie4j__BLBLOV_SIE1_erroneous_leap_year.SE": (
        "fiscal_year_reversed",
        10,
        "ends on 2020-02-28, before it starts on 2021-03-01",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_critical_voucher_date_error.SI": (
        "bad_date",
        8,
        "“rappakalja” is not a date",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_empty_voucher_date.SI": (
        "missing_date",
        8,
        "#VER has no date",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_erroneous_voucher_date.SI": (
        "bad_date",
        8,
        "“180501” is not a date (YYYYMMDD)",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_faulty_transaction.SI": (
        "missing_amount",
        10,
        "#TRANS has no amount",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_account_balance.SE": (
        "missing_amount",
        426,
        "#IB has no amount",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_account_numbers_in_transaction.SI": (
        "missing_account",
        10,
        "#TRANS has no account number",
    ),
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_voucher_date.SI": (
        "missing_date",
        8,
        "#VER has no date",
    ),
    # The first fatal problem of the many in this file (lines 1-5 are tolerated).
    "t4t5__sie-parser__broken.se": ("bad_amount", 6, "“not-a-number” is not an amount"),
    "wilhelmuggla__sie4sdk__Sie4E1ksumma.SI": (
        "checksum_mismatch",
        71,
        "#KSUMMA 123456789 does not match the contents",
    ),
}

# file -> warning codes it must carry (the quirk named by SOURCES.md or the file name)
WARNED = {
    "Alipsa__SIEParser__9_sie-gruppen-e-conomic.se": {"missing_open_brace"},
    "barsoom__sie__sie_file.se": {"unbalanced_voucher"},
    "barsoom__sie__sie_file_with_unknown_entries.se": {"unknown_label", "unbalanced_voucher"},
    "blinfo__Sie4j__Arousells_Visning_AB.SE": {"not_cp437", "damaged_characters"},
    "blinfo__Sie4j__BLBLOV_SIE1_file_is_read.SE": {"already_imported"},
    "blinfo__Sie4j__BLBLOV_SIE2_UTF_8_with_errors.SE": {"ignored_field", "non_numeric_account"},
    "blinfo__Sie4j__BLBLOV_SIE2_UTF_8_with_non_numeric_account_number.SE": {"non_numeric_account"},
    "blinfo__Sie4j__BLBLOV_SIE3_UTF_8_with_vouchers.SE": {"record_not_allowed"},
    "blinfo__Sie4j__BLBLOV_SIE4.SI": {"unquoted_text"},
    "blinfo__Sie4j__BLBLOV_SIE4_ISO_8859_15.SE": {"not_cp437", "swapped_period"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_IMBALANCED.SI": {"unbalanced_voucher", "already_imported"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_MISSING_ACCOUNTS.SE": {"undeclared_account"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_12_digit_cid.SI": {"org_number_form"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_8-4_digit_cid.SI": {"org_number_form"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_empty_voucher.SE": {"empty_voucher"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_errors.SE": {"ignored_field", "non_numeric_account"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_imbalanced_voucher.SE": {"unbalanced_voucher"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_iso_voucher_date.SI": {"iso_date"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_account_numbers.SE": {"account_without_number"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_company_name.SI": {"missing_name"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_sru_code.SE": {"ignored_field"},
    # `#VER  1 20170101 " " ...`: the series left out, not even as "": read one place left.
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_missing_voucher_series.SE": {"voucher_series_missing"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_non_numeric_account_number.SE": {"non_numeric_account"},
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_unparseable_taxar.SE": {"ignored_field"},
    "blinfo__Sie4j__SIE_with_missing_program_version.se": {"missing_program_version"},
    "forsslund__sie-parser__test_sie4.se": {"text_in_date_field"},
    "idstam__jsisie__BL0001_typ4I.SI": {"ignored_field"},
    "idstam__jsisie__SIE4_Exempelfil_med_underdim.SE": {"damaged_characters"},
    "idstam__jsisie__Sie4.se": {"unterminated_quote", "non_numeric_account"},
    "idstam__jsisie__Sie4.si": {"record_not_allowed"},
    "idstam__jsisie__XE_SIE_1_20151125094750.SE": {"stray_quote", "fiscal_year_long"},
    "idstam__jsisie__XE_SIE_2_20151125094903.SE": {"stray_quote", "fiscal_year_long"},
    "idstam__jsisie__XE_SIE_3_20151125094952.SE": {"stray_quote", "fiscal_year_long"},
    "idstam__jsisie__XE_SIE_4_20151125095119.SE": {"stray_quote", "unbalanced_voucher"},
    "idstam__jsisie__testWrite.se": {"unbalanced_voucher", "fiscal_year_long"},
    "idstam__jsisie__transaktioner_ovnbolag-bad-balance.se": {"unbalanced_voucher"},
    "idstam__jsisie__urval_ovnbolag.si": {"already_imported"},
}

READABLE = [name for name in corpus_names() if name not in REFUSED]
RECONCILING = [name for name in READABLE if all_facts()[name].reconciles]
# Codes that say nothing is wrong with the books themselves.
HARMLESS = {"not_cp437", "org_number_form", "missing_object_list", "more_warnings"}


@functools.cache
def _read(name: str) -> SieFile:
    return read(path_of(name))


@pytest.mark.parametrize("name", READABLE)
def test_it_reads_each_file_with_the_facts_sources_md_states(name: str) -> None:
    facts = all_facts()[name]
    sie = _read(name)
    rows = [row for voucher in sie.vouchers for row in voucher.rows]
    assert len(sie.vouchers) == facts.ver
    assert sum(row.kind is RowKind.TRANS for row in rows) == facts.trans
    assert sum(row.kind is not RowKind.TRANS for row in rows) == facts.rb
    assert sum(voucher.total != 0 for voucher in sie.vouchers) == facts.unbal
    assert str(sie.sie_type.value if sie.sie_type else None) == facts.sietype
    assert sie.encoding == {"latin-1": "iso-8859-15"}.get(facts.enc, facts.enc)
    assert sie.program is not None
    # SOURCES.md prints the whole #PROGRAM line; extra trailing fields are ignored (§7.3).
    assert facts.program.startswith(f"{sie.program.name} {sie.program.version}".strip())
    kinds = {b.kind for b in sie.balances if b.year == 0 and not b.objects}
    assert (BalanceKind.IB in kinds, BalanceKind.UB in kinds, BalanceKind.RES in kinds) == (
        facts.ib,
        facts.ub,
        facts.res,
    )
    if facts.recon != "-":
        assert reconciliation(sie) == facts.recon
    if facts.ksumma is None:
        assert sie.checksum is None
    else:
        assert sie.checksum is not None
        assert sie.checksum.stated == facts.ksumma[0]
        assert sie.checksum.ok


@pytest.mark.parametrize("name", RECONCILING)
def test_it_reconciles_opening_balance_plus_rows_to_closing_balance_to_the_ore(
    name: str,
) -> None:
    sie = _read(name)
    ib = sie.balances_of(BalanceKind.IB)
    ub = sie.balances_of(BalanceKind.UB)
    res = sie.balances_of(BalanceKind.RES)
    moved: dict[str, Decimal] = {}
    for voucher in sie.vouchers:
        for row in voucher.transactions:
            assert isinstance(row.amount, Decimal)
            moved[row.account] = moved.get(row.account, Decimal(0)) + row.amount
    zero = Decimal(0)
    for account in set(ib) | set(ub) | set(moved):
        if account.startswith(("1", "2")):
            assert ib.get(account, zero) + moved.get(account, zero) == ub.get(account, zero), (
                account
            )
    if res:
        for account in set(res) | {a for a in moved if not a.startswith(("1", "2"))}:
            assert moved.get(account, zero) == res.get(account, zero), account


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_it_refuses_a_broken_file_naming_the_line_and_the_problem(name: str) -> None:
    code, line, words = REFUSED[name]
    with pytest.raises(SieError) as refused:
        read(path_of(name))
    assert (refused.value.code, refused.value.line) == (code, line)
    assert str(refused.value).startswith(f"Line {line}: ")
    assert words in str(refused.value)


@pytest.mark.parametrize("name", not_sie_names())
def test_it_refuses_a_web_page_saved_as_sie_at_line_1(name: str) -> None:
    with pytest.raises(SieError) as refused:
        read(path_of(f"not_sie/{name}"))
    assert (refused.value.code, refused.value.line) == ("not_sie", 1)
    assert "this is not a SIE file" in str(refused.value)
    assert "<!DOCTYPE HTML" in str(refused.value)


@pytest.mark.parametrize("name", sorted(WARNED))
def test_it_reads_a_quirky_file_with_the_warning_that_names_the_quirk(name: str) -> None:
    codes = {warning.code for warning in _read(name).warnings}
    assert WARNED[name] <= codes, codes


@pytest.mark.parametrize("name", [n for n in READABLE if n not in WARNED])
def test_it_reads_the_other_files_without_a_warning_about_the_books(name: str) -> None:
    codes = {w.code for w in _read(name).warnings} - HARMLESS
    # Real exports omit names now and then, and type 1-3 files may lack #SIETYP or #RAR.
    assert codes <= {
        "missing_name",
        "undeclared_account",
        "missing_record",
        "record_not_allowed",
        "empty_voucher",
        "unquoted_text",
        "non_numeric_account",
        "ignored_field",
        "missing_sie_type",
    }, codes


def test_every_refused_and_warned_file_is_in_the_corpus() -> None:
    names = set(corpus_names())
    if not names:
        pytest.skip("the shared SIE files are absent")
    assert set(REFUSED) <= names
    assert set(WARNED) <= names
    assert len(not_sie_names()) == 9


@pytest.mark.parametrize("name", corpus_names() + [f"not_sie/{n}" for n in not_sie_names()])
def test_its_fast_paths_give_what_reading_line_by_line_gives(name: str) -> None:
    def run(fast: bool) -> object:
        reader = SieReader(path_of(name), fast=fast)
        try:
            records = list(reader)
        except SieError as error:
            return (error.code, error.line)
        return (
            [(r, r.line) for r in records],
            [(w.line, w.code, dict(w.params)) for w in reader.warnings],
            reader.checksum,
        )

    assert run(fast=True) == run(fast=False)


# --- what particular files say, field by field --------------------------------------------


def test_it_keeps_the_backslashes_of_a_windows_path_and_reads_an_empty_4i_voucher_number() -> None:
    sie = _read("idstam__jsisie__FAKT.SI")
    assert sie.company_id is not None
    assert sie.company_id.value.startswith("C:\\Documents and Settings\\All Users\\")
    assert sie.company_id.value.endswith("\\Företag\\Övningsbolaget")
    voucher = sie.vouchers[0]
    assert (voucher.series, voucher.number, voucher.date) == ("B", None, datetime.date(2011, 3, 4))
    # `#TRANS 1510 {} 8000.00 "" "Faktnr: ..."`: an empty date means the voucher's date.
    assert voucher.rows[0].date is None
    assert voucher.rows[0].text == "Faktnr: 891, Namn: Karl Svensson"


def test_it_reads_escaped_quotes_in_the_program_name() -> None:
    program = _read("blinfo__Sie4j__Quotes_test.si").program
    assert program is not None
    assert (program.name, program.version) == ("Kassasystem", '1.0 - "Oblique Ozelot" - alpha')
    norstedts = _read("idstam__jsisie__Norstedts_Revision_SIE_1.SE").program
    assert norstedts is not None
    assert norstedts.name == '"Norstedts Revision"'


def test_it_reads_column_aligned_softone_fields_and_trims_padded_names() -> None:
    sie = _read("idstam__jsisie__Sie4.se")
    assert sie.company_name is not None
    assert sie.company_name.value == "Demoföretaget AB"
    names = {a.number: a.name for a in sie.accounts}
    assert names["1019"] == "Ack avskr på balans utg"
    assert sie.address is not None
    assert (sie.address.contact, sie.address.street) == ("", "Postgatan 77")
    # The non-numeric account "FEL" is kept (with a warning), its rows too.
    assert any(r.account == "FEL" for v in sie.vouchers for r in v.rows)


def test_it_reads_empty_and_multi_digit_series_and_long_numbers() -> None:
    economic = _read("Alipsa__SIEParser__9_sie-gruppen-e-conomic.se")
    assert {v.series for v in economic.vouchers} == {""}
    assert max(v.number or 0 for v in economic.vouchers) == 600009
    long_series = _read("blinfo__Sie4j__SIE_with_long_voucher_series_number.SE")
    assert {"11", "12", "21"} <= {v.series for v in long_series.vouchers}


def test_it_reads_a_4i_file_with_balances_as_4i_with_a_warning() -> None:
    sie = _read("idstam__jsisie__Sie4.si")
    assert sie.kind == "4I"
    assert {b.kind for b in sie.balances} == {BalanceKind.IB, BalanceKind.UB}
    labels = {w.params["label"] for w in sie.warnings if w.code == "record_not_allowed"}
    assert {"IB", "UB"} <= labels


def test_it_accepts_an_iso_date_with_a_warning() -> None:
    sie = _read("blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_iso_voucher_date.SI")
    assert sie.vouchers[0].date == datetime.date(2018, 5, 1)
    warning = next(w for w in sie.warnings if w.code == "iso_date")
    assert warning.line == 8
    assert str(warning) == (
        "Line 8: the date 2018-05-01 is written YYYY-MM-DD; SIE writes YYYYMMDD. Read as 20180501."
    )


def test_it_keeps_organisation_numbers_as_written() -> None:
    twelve = _read("blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_12_digit_cid.SI").org_number
    dashed = _read("blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_8-4_digit_cid.SI").org_number
    empty = _read("idstam__jsisie__SIE_exempelfil.se").org_number
    assert twelve is not None
    assert dashed is not None
    assert empty is not None
    assert (twelve.number, dashed.number, empty.number) == (
        "165502261513",
        "16550226-1513",
        "",
    )


def test_it_reads_eight_digit_accounts() -> None:
    sie = _read("blinfo__Sie4j__BLBLOV_SIE4_UTF_8_with_8_digit_account_number.SE")
    assert "11100111" in {a.number for a in sie.accounts}


def test_it_reads_the_damaged_visma_sample_with_its_replacement_characters() -> None:
    sie = _read("idstam__jsisie__SIE4_Exempelfil_med_underdim.SE")
    assert sie.encoding == "utf-8"
    damaged = next(w for w in sie.warnings if w.code == "damaged_characters")
    assert damaged.params["count"] == 702  # on 430 lines
    assert any("\ufffd" in a.name for a in sie.accounts)
    assert any(d.parent is not None for d in sie.dimensions)  # its #UNDERDIM


def test_it_computes_ksumma_on_codepage_437_bytes_even_for_a_utf8_file() -> None:
    sie = _read("wilhelmuggla__sie4sdk__Sie4I1ksumma.SI")
    assert sie.encoding == "utf-8"
    assert sie.checksum is not None
    assert (sie.checksum.stated, sie.checksum.ok) == (2089216536, True)


def test_it_reads_iso_8859_15_despite_format_pc8() -> None:
    latin = _read("blinfo__Sie4j__BLBLOV_SIE4_ISO_8859_15.SE")
    utf8 = _read("blinfo__Sie4j__BLBLOV_SIE4_UTF_8_1.SE")
    assert latin.encoding == "iso-8859-15"
    assert latin.company_name == utf8.company_name
    assert latin.vouchers == utf8.vouchers
