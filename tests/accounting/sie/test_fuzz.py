"""Fuzzing the SIE reader and writer with Hypothesis.

Two properties: books written by the writer read back as the same books (and write again
byte for byte), and the reader, given anything at all — real files with flipped bytes, cut
short, with quotes, braces, control characters or huge numbers thrown in, or plain noise —
never fails with anything but SieError.

CI runs 200 examples per test; `HYPOTHESIS_PROFILE=long` runs 5,000 (a few minutes):
    HYPOTHESIS_PROFILE=long uv run pytest tests/accounting/sie/test_fuzz.py
"""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from skrivbord.accounting.sie import model as m
from skrivbord.accounting.sie import patterns
from skrivbord.accounting.sie.errors import SieError
from skrivbord.accounting.sie.reader import SieReader, read
from skrivbord.accounting.sie.writer import dumps

from .corpus import path_of

EXAMPLES = 5000 if os.environ.get("HYPOTHESIS_PROFILE") == "long" else 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text the writer keeps as it is: codepage 437 letters, blanks inside, quotes, backslashes
# and braces (which the writer must quote and escape), no blanks at the ends.
TEXT = st.text(
    alphabet="abcxyzÅÄÖåäöéü 0189-.,:/&%\"'\\{}#",
    max_size=20,
).map(str.strip)
CODE = st.text(alphabet="ABCabc0123456789-", min_size=1, max_size=6)
ACCOUNT = st.integers(1000, 99999999).map(str)
AMOUNT = st.decimals(
    min_value=Decimal("-999999999999.99"),
    max_value=Decimal("999999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)
DAY = st.dates(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))
OBJECTS = st.lists(st.builds(m.ObjectRef, st.integers(1, 30), CODE), max_size=3).map(tuple)
QUANTITY = st.none() | st.decimals(
    min_value=Decimal(-1000), max_value=Decimal(1000), places=3, allow_nan=False
)


@st.composite
def rows(draw: st.DrawFn) -> m.TransactionRow:
    return m.TransactionRow(
        draw(st.sampled_from(list(m.RowKind))),
        draw(ACCOUNT),
        draw(AMOUNT),
        draw(OBJECTS),
        draw(st.none() | DAY),
        draw(TEXT),
        draw(QUANTITY),
        draw(st.sampled_from(["", "AN", "Eva Ek"])),
    )


@st.composite
def books(draw: st.DrawFn) -> m.SieFile:
    start = draw(DAY)
    vouchers = tuple(
        m.Voucher(
            draw(st.sampled_from(["A", "B", "", "LEV1", "11"])),
            draw(st.none() | st.integers(1, 10**9)),
            draw(DAY),
            draw(TEXT),
            draw(st.none() | DAY),
            draw(st.sampled_from(["", "AN"])),
            tuple(draw(st.lists(rows(), max_size=5))),
        )
        for _ in range(draw(st.integers(0, 4)))
    )
    balances = tuple(
        m.Balance(kind, draw(st.integers(-3, 0)), draw(ACCOUNT), draw(AMOUNT),
                  draw(OBJECTS) if kind in (m.BalanceKind.OIB, m.BalanceKind.OUB) else (),
                  draw(QUANTITY))
        for kind in draw(st.lists(st.sampled_from(list(m.BalanceKind)), max_size=6))
    )  # fmt: skip
    periods = tuple(
        m.PeriodBalance(kind, 0, draw(DAY).replace(day=1), draw(ACCOUNT), draw(AMOUNT),
                        draw(OBJECTS))
        for kind in draw(st.lists(st.sampled_from(list(m.PeriodKind)), max_size=3))
    )  # fmt: skip
    accounts = tuple(
        m.Account(number, draw(TEXT)) for number in draw(st.lists(ACCOUNT, max_size=5))
    )
    return m.SieFile(
        program=m.Program(draw(TEXT), draw(TEXT)),
        generated=m.Generated(draw(DAY), draw(TEXT)),
        sie_type=m.SieType(4),
        company_name=m.CompanyName(draw(TEXT)),
        org_number=m.OrgNumber(draw(st.sampled_from(["556677-8899", "165566778899", ""]))),
        address=draw(st.none() | st.builds(m.Address, TEXT, TEXT, TEXT, TEXT)),
        fiscal_years=(m.FiscalYear(0, start, start + datetime.timedelta(days=364)),),
        accounts=accounts,
        dimensions=(m.Dimension(1, "Kostnadsställe"), m.Dimension(21, "Under", parent=1)),
        objects=(m.Object(1, "P1", draw(TEXT)),),
        balances=balances,
        period_balances=periods,
        vouchers=vouchers,
    )


RECORD_TYPES = tuple(m.Record.__args__)  # type: ignore[attr-defined]
BOOK_PARTS = ("accounts", "balances", "period_balances", "vouchers", "company_name",
              "address", "program", "generated", "org_number", "objects")  # fmt: skip


@FUZZ
@given(books())
def test_books_written_read_back_the_same_and_write_again_identically(book: m.SieFile) -> None:
    written = dumps(book, kind=None)
    again = read(written)
    for part in BOOK_PARTS:
        assert getattr(again, part) == getattr(book, part), part
    assert again.checksum is not None
    assert again.checksum.ok
    assert dumps(again, kind=None) == written


SEEDS = (
    "idstam__jsisie__SIE_exempelfil.se",  # cp437, vouchers with objects
    "blinfo__Sie4j__BLBLOV_SIE4_UTF_8_1.SE",  # UTF-8
    "idstam__jsisie__Norstedts_Bokslut_SIE_4I.si",  # with #KSUMMA
    "wilhelmuggla__sie4sdk__Sie4E1.SI",  # #UNDERDIM, quantities, spec examples
    "idstam__jsisie__Sie4.se",  # SoftOne's column-aligned quirks
)
INSERTS = st.sampled_from(
    [b'"', b"{", b"}", b"\\", b'\\"', b"\x00", b"\t", b"\x1a", b"\r", b"\n", b"\n{\n",
     b"\n}\n", b" 99999999999999999999999999.999 ", b" -0.001 ", b" 1e400 ", b" NaN ",
     b"#VER", b"#TRANS", b"#KSUMMA", b"#KSUMMA 1", b" 20250230 ", b" 999912 ", b"\xff\xfe",
     b"\xc3", b"\x86", "å".encode(), b"#" * 50, b"{" * 100, b'"' * 7]
)  # fmt: skip


@pytest.fixture(scope="module")
def seeds() -> list[bytes]:
    return [path_of(name).read_bytes() for name in SEEDS]


def _outcome(data: bytes, fast: bool) -> object:
    """What reading gives: the records and warnings, or the refusal (code and line)."""
    reader = SieReader(data, fast=fast)
    try:
        records = list(reader)
    except SieError as error:
        return (error.code, error.line, str(error))
    for record in records:
        assert isinstance(record, RECORD_TYPES)
    return (records, [str(warning) for warning in reader.warnings])  # every message formats


def _read_or_refuse(data: bytes) -> None:
    outcome = _outcome(data, fast=True)
    if isinstance(outcome[0], str):
        _code, line, message = outcome  # type: ignore[misc]
        assert line >= 1
        assert message.startswith(f"Line {line}: ")
    # The fast paths and line-by-line reading agree on anything, not just on real files.
    assert _outcome(data, fast=False) == outcome


@FUZZ
@given(st.data())
def test_it_only_ever_refuses_mutated_real_files_with_sie_error(
    seeds: list[bytes], data: st.DataObject
) -> None:
    content = bytearray(data.draw(st.sampled_from(seeds), label="seed"))
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        where = data.draw(st.integers(0, len(content)), label="at")
        action = data.draw(st.sampled_from(["flip", "insert", "cut", "delete"]), label="do")
        if action == "flip" and where < len(content):
            content[where] ^= data.draw(st.integers(1, 255), label="bits")
        elif action == "insert":
            content[where:where] = data.draw(INSERTS, label="text")
        elif action == "cut":
            del content[where:]
        else:
            del content[where : where + data.draw(st.integers(1, 40), label="length")]
    _read_or_refuse(bytes(content))


@FUZZ
@given(st.binary(max_size=400) | st.text(alphabet='#KONTRASVE{} "\n\t0123-.\\', max_size=300)
       .map(str.encode))  # fmt: skip
def test_it_only_ever_refuses_noise_with_sie_error(noise: bytes) -> None:
    _read_or_refuse(noise)


# --- the fast paths against the careful path, line by line -----------------------------
# Lines of the records the fast paths take (chart, balances, vouchers), built from fields
# in usual and unusual shapes: quoted or bare, empty, with escapes, stray quotes, tabs and
# runs of blanks between them, object lists empty or not, quantities, fields missing or
# too many. Whatever the lines, reading with the fast paths must give exactly what reading
# every line through the tokenizer gives: the same records, warnings and refusals.
# (U+017F long s and U+0131 dotless i: their upper case is S and I.)
_SEP = st.sampled_from([" ", "  ", "\t", " \t"])
_WORD = st.sampled_from(
    ["1930", "3001", "X1", "ab", "\u017f", "\u0131", "t", "K", "7201", "0", "å"]
)
_QUOTED = st.sampled_from(
    ['""', '"1930"', '"Kassa och bank"', '"a\\"b"', '"{x}"', '" x "', '"t"', '"a"b"', '"\\"']
)
# Mostly usual values: a refused line ends the file, and the lines after it go untested.
_AMOUNT_FIELD = st.sampled_from(
    ["100", "-0.50", "0", "-0", "7.5", "100", "-0.50", "999999999999999.99", '"5.00"',
     "12.345", "1e3", "+1", "", "-0.5", "1.", ".5", "-.5", "1..5", "9999999999999999", "\u0661"]
)  # fmt: skip
_OBJECTS = st.sampled_from(
    ["{}", "{1 100}", '{1 "100" 6 "P1"}', '{1 "a b"}', "{1}", "{ }", '{"1" "x"}', "{1 {2}}"]
)
_YEAR_FIELD = st.sampled_from(["0", "-1", "0", "-1", "1", "-10", "x", "12345"])
_PERIOD_FIELD = st.sampled_from(["202501", "202512", "202501", "202513", "20250", "1930"])
_DATE_FIELD = st.sampled_from(['""', "20250131", '""', "20250131", "2025-01-31", "20250230"])
_KTYP_VALUE = st.sampled_from(["T", "s", "\u017f", "\u0131", "x", '""', '"K"', '" i "', "TT"])
_ANY_FIELD = st.one_of(_WORD, _QUOTED, _AMOUNT_FIELD, _OBJECTS, _DATE_FIELD)


@st.composite
def _fast_path_line(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["account", "balance", "object_balance", "period", "other"]))
    if shape == "account":
        label = draw(st.sampled_from(["#KONTO", "#KTYP", "#SRU", "#ENHET"]))
        value = _KTYP_VALUE if label == "#KTYP" else st.one_of(_WORD, _QUOTED)
        fields = [label, draw(st.one_of(_WORD, _QUOTED)), draw(value)]
    elif shape == "balance":
        label = draw(st.sampled_from(["#IB", "#UB", "#RES"]))
        fields = [label, draw(_YEAR_FIELD), draw(st.one_of(_WORD, _QUOTED)), draw(_AMOUNT_FIELD)]
    elif shape == "object_balance":
        label = draw(st.sampled_from(["#OIB", "#OUB"]))
        fields = [label, draw(_YEAR_FIELD), draw(_WORD), draw(_OBJECTS), draw(_AMOUNT_FIELD)]
    elif shape == "period":
        label = draw(st.sampled_from(["#PSALDO", "#PBUDGET"]))
        fields = [label, draw(_YEAR_FIELD), draw(_PERIOD_FIELD), draw(_WORD), draw(_OBJECTS),
                  draw(_AMOUNT_FIELD)]  # fmt: skip
    else:
        fields = [draw(st.sampled_from(["#VER", "#TRANS", "#KONTO", "#PSALDO"]))]
    if len(fields) > 1 and draw(st.booleans()):  # fields left out, or more after the last
        at = draw(st.integers(1, len(fields) - 1))
        del fields[at : at + 1 if draw(st.booleans()) else len(fields)]
    fields += draw(st.lists(_ANY_FIELD, max_size=3))
    line = draw(st.sampled_from(["", " ", "\t"])) + "".join(f + draw(_SEP) for f in fields)
    return line if draw(st.booleans()) else line.rstrip()


@st.composite
def _fast_path_voucher(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(
        ['#VER A 1 20250105 "Kaffe"', "#VER A 1 20250105", '#VER "" "" 20250105 "x" "" "LS"',
         '#VER A 1 20250230 "x"', '#VER A x 20250105', '#VER\tB 2 20250105 "t" 20250106 "S"']
    ))  # fmt: skip
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        label = draw(st.sampled_from(["#TRANS", "#TRANS", "#RTRANS", "#BTRANS"]))
        fields = [label, draw(st.one_of(_WORD, _QUOTED)), draw(_OBJECTS), draw(_AMOUNT_FIELD),
                  draw(_DATE_FIELD), draw(_QUOTED), draw(st.sampled_from(['""', "2", "1.5", "x"])),
                  draw(_QUOTED)]  # fmt: skip
        del fields[draw(st.integers(2, len(fields))) :]
        sep = draw(_SEP)
        rows.append(draw(st.sampled_from(["", "\t"])) + sep.join(fields))
    close = draw(st.sampled_from(["}", "}", " } ", ""]))
    return "\n".join([head, draw(st.sampled_from(["{", "{", ""])), *rows, close])


@FUZZ
@given(
    st.lists(_fast_path_line() | _fast_path_voucher(), min_size=1, max_size=6),
    st.booleans(),
)
@example(["#KTYP 1930 \u017f", "#KTYP 3001 \u0131", "#KTYP 1930 x", '#KTYP 1930 ""'], False)
@example(["#PSALDO 0 1930 {} 100", "#IB 0 1930 {} 100", "#OIB 0 1930 100"], False)
@example(["#PSALDO 0 202513 1930 {1} 100"], False)  # two faults: the same one named
@example(["#PSALDO 0 193000 202501 {} 5", "#PBUDGET 0 193000 202501 {} 5"], False)  # swapped
@example(['#IB 0 "1930" 100 2', '#UB\t-1\t1930\t-0.50 "1.5"', "#RES 0 3001 7.5 x"], True)
@example(['#PBUDGET 0 202501 3001 {1 "a b"} 100', "#PSALDO 0 1930 202501 {} 5"], True)
@example(['#VER A 1 20250105 "x"\n{\n\t#TRANS 1930 {} 100 "" "" 2\n#TRANS 3001 {} -100\n}'],
         True)  # fmt: skip
# Lines that made Python 3.11's regular expression engine raise SystemError when a run's
# pattern repeated a capturing group possessively (CPython gh-101955): never again.
@example(['#RES  -1  193000  { }  100  ""', '#OUB\t0\t"1930"\t1.5\t', '#IB 0 1930 "1\\""'], False)
def test_its_fast_paths_read_tricky_lines_as_the_careful_path_does(
    lines: list[str], checksum: bool
) -> None:
    body = "\n".join(["#KONTO 1930 Kassa", "#KONTO 3001 Intäkter", *lines]) + "\n"
    if checksum:
        body = "#KSUMMA\n" + body + "#KSUMMA 0\n"
    text = "#FLAGGA 0\n#SIETYP 4\n#RAR 0 20250101 20251231\n" + body
    try:
        data = text.encode("cp437")
    except UnicodeEncodeError:  # the long s and dotless i: a UTF-8 file
        data = text.encode()
    assert _outcome(data, fast=True) == _outcome(data, fast=False)


# --- the fast paths' patterns against their plain forms ----------------------------------
# The patterns are written for speed: possessive quantifiers (`*+`, `{1,15}+`, `?+`) where
# giving back could never help. Taking the `+` away gives the plain greedy pattern; on any
# text both must find the same (positions and groups), or the speed-up changed what the
# reader accepts.


def _plain(find: Callable[..., Any]) -> Callable[..., Any]:
    compiled: re.Pattern[str] = find.__self__  # type: ignore[attr-defined]
    source = re.sub(r"(?<=[*+?}])\+", "", compiled.pattern)
    return getattr(re.compile(source, compiled.flags), find.__name__)  # type: ignore[no-any-return]


_PATTERNS = {
    "row": patterns.ROW,
    "ver": patterns.VER,
    "rows": patterns.ROW_LINES,
    "voucher": patterns.BLOCK,
    "label": patterns.LABEL_AT,
    **{f"{kind} {k}": find for kind, run in patterns.RUNS.items() for k, find in enumerate(run)},
}


_NOISE_LINE = st.text('#TRANSVERIBU {}"\\\t\r\n0.-', max_size=40)


def _found(find: Callable[..., Any], text: str, pos: int) -> object:
    whole = find.__name__ == "fullmatch"  # ROW and VER take one line without its blanks
    result = find(text.strip(" \t\r\n")) if whole else find(text, pos)
    if isinstance(result, re.Match):
        return result.span(), result.groups()
    return result


@FUZZ
@given(
    st.lists(_fast_path_line() | _fast_path_voucher() | _NOISE_LINE, min_size=1, max_size=6),
    st.integers(0, 3),
)
@example(['#RES  -1  193000  { }  100  ""', '#OUB\t0\t"1930"\t1.5\t', '#IB 0 1930 "1\\""'], 0)
@example(["#IB 0 193000 100", "#PSALDO 0 202501 193000 {} 1.5 2"], 0)
def test_its_fast_patterns_find_what_their_plain_greedy_forms_find(
    lines: list[str], pos: int
) -> None:
    text = "\n".join(lines) + "\n"
    assert "++" not in _plain(patterns.ROW).__self__.pattern  # type: ignore[attr-defined]
    for name, find in _PATTERNS.items():
        assert _found(find, text, pos) == _found(_plain(find), text, pos), name
