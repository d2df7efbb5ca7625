"""Writing SIE files: types 1, 2, 3, 4E and 4I, codepage 437, with #KSUMMA.

`SieWriter(stream)` writes records to a binary stream as they come (a million vouchers in
flat memory); `write(sie, stream, kind=...)` and `dumps(sie, kind=...)` write a whole
`SieFile` in the order of the specification (§5.12), keeping only the records its type
allows (§6).

Output rules (docs/accounting.md has the reasons):
- codepage 437, LF line ends, `#FLAGGA 0` first and `#KSUMMA` right after it, the
  closing `#KSUMMA <crc>` last;
- free text (names, texts, signatures, object numbers) is always quoted, codes and numbers
  only when they must be (blank, quote, brace or empty); a quote inside is written `\\"`;
  leading and trailing blanks are dropped, control characters become blanks;
- characters outside codepage 437 are replaced predictably (`cp437_text`): a few by
  look-alikes (€ -> EUR, typographic quotes and dashes -> ASCII, ø -> ö), letters with
  accents codepage 437 lacks by their base letter (NFKD), anything else by "?";
- amounts with a point and at most two decimals, without trailing zeros (100, 12.5,
  -0.75), no plus sign; dates YYYYMMDD; empty fields in the middle written "", empty
  trailing fields left out.
"""

from __future__ import annotations

import datetime
import io
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO

from . import model as m
from .checksum import Crc, record_text
from .errors import SieError
from .model import (
    Balance,
    BalanceKind,
    Dimension,
    Format,
    Object,
    ObjectList,
    PeriodBalance,
    PeriodKind,
    Record,
    RowKind,
    SieFile,
    SieType,
    TransactionRow,
    Voucher,
)
from .tokenizer import split_fields  # the reader's tokenizer defines what #KSUMMA covers

KINDS = ("1", "2", "3", "4E", "4I")

_LOOKALIKES = {
    "\u20ac": "EUR",  # euro sign
    "\u2018": "'",  # typographic single quotes
    "\u2019": "'",
    "\u201a": "'",
    "\u201c": '"',  # typographic double quotes
    "\u201d": '"',
    "\u201e": '"',
    "\u2013": "-",  # en and em dash
    "\u2014": "-",
    "\u2026": "...",  # ellipsis
    "\u00f8": "\u00f6",  # ø -> ö, Ø -> Ö (codepage 437 has no ø)
    "\u00d8": "\u00d6",
    "\u2009": " ",  # thin spaces
    "\u202f": " ",
    "\ufffd": "?",  # the replacement character of an earlier bad conversion
}
_MAX_AMOUNT = Decimal("1e15")


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp437")
    except UnicodeEncodeError:
        return False
    return True


def _cp437_char(ch: str) -> str:
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    if _encodable(ch):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(_encodable(c) for c in base):
        return base
    return "?"


_text_cache: dict[str, str] = {}


def cp437_text(text: str) -> str:
    """`text` as it will read back from a file we write: blanks at the ends dropped, control
    characters as blanks, characters outside codepage 437 replaced (see module doc)."""
    if text.isascii() and text.isprintable():
        return text.strip(" ")
    cached = _text_cache.get(text)
    if cached is not None:
        return cached
    out = []
    for ch in text:
        if ch < " " or ch == "\x7f":
            out.append(" ")
        elif ch.isascii():
            out.append(ch)
        else:
            out.append(_cp437_char(ch))
    result = "".join(out).strip(" ")
    if len(_text_cache) < 50_000:
        _text_cache[text] = result
    return result


def _quote(text: str) -> str:
    """A free-text field: always quoted."""
    text = cp437_text(text)
    if '"' in text:
        text = text.replace('"', '\\"')
    if text.endswith("\\"):
        # SIE cannot escape a backslash: one before the closing quote would escape it.
        text += " "
    return f'"{text}"'


def _code(text: str) -> str:
    """A code or number field: bare unless it must be quoted."""
    text = cp437_text(text)
    if not text or " " in text or '"' in text or "{" in text or "}" in text or "\t" in text:
        return _quote(text)
    return text


_date_cache: dict[datetime.date, str] = {}


def _date(d: datetime.date) -> str:
    s = _date_cache.get(d)
    if s is None:
        s = f"{d.year:04d}{d.month:02d}{d.day:02d}"
        if len(_date_cache) < 20_000:
            _date_cache[d] = s
    return s


def format_amount(amount: Decimal, line: int = 0) -> str:
    """`amount` as SIE writes it: 100, 12.5, -0.75 (§5.9)."""
    if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
        raise SieError("write_bad_amount", line, value=str(amount))
    s = f"{amount:f}"
    dot = s.find(".")
    if dot >= 0:
        s = s.rstrip("0").rstrip(".")
        if len(s) - dot > 3:
            raise SieError("write_bad_amount", line, value=str(amount))
    return "0" if s == "-0" else s


def format_quantity(quantity: Decimal, line: int = 0) -> str:
    if not quantity.is_finite() or abs(quantity) >= _MAX_AMOUNT:
        raise SieError("write_bad_quantity", line, value=str(quantity))
    s = f"{quantity:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _objects(objects: ObjectList) -> str:
    if not objects:
        return "{}"
    return "{" + " ".join(f"{o.dimension} {_quote(o.code)}" for o in objects) + "}"


def _line(fields: list[str]) -> str:
    """Join fields, leaving out empty ("") fields at the end."""
    end = len(fields)
    while end > 1 and fields[end - 1] == '""':
        end -= 1
    return " ".join(fields[:end])


class SieWriter:
    """Write records to a binary stream, codepage 437, with #KSUMMA.

    The writer starts the file with `#FLAGGA 0` and the opening `#KSUMMA` itself (a file is
    written unread, so its flag is 0); `close()` writes the closing `#KSUMMA`. Records are
    written in the order given: use `ordered_records()` for a `SieFile`."""

    def __init__(self, stream: IO[bytes], *, checksum: bool = True) -> None:
        self._stream = stream
        self._crc = Crc() if checksum else None
        self._buffer: list[str] = []
        self._size = 0
        self.line = 0
        self._closed = False
        self._emit("#FLAGGA 0", crc=False)
        if self._crc is not None:
            self._emit("#KSUMMA", crc=False)

    def __enter__(self) -> SieWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()

    def _emit(self, text: str, *, crc: bool = True) -> None:
        self.line += 1
        self._buffer.append(text)
        self._size += len(text)
        if crc and self._crc is not None:
            self._crc.add_text(_checksum_text(text))
        if self._size > 1 << 16:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._buffer.append("")
            self._stream.write("\n".join(self._buffer).encode("cp437"))
            self._buffer = []
            self._size = 0

    def close(self) -> None:
        """Write the closing checksum and flush (the stream itself stays open)."""
        if self._closed:
            return
        if self._crc is not None:
            self._emit(f"#KSUMMA {self._crc.value}", crc=False)
        self.flush()
        self._closed = True

    def write_all(self, records: Iterable[Record]) -> None:
        for record in records:
            self.write(record)

    def write(self, record: Record) -> None:
        t = type(record)
        if t is Voucher:
            self._voucher(record)  # type: ignore[arg-type]
        elif t is Balance:
            self._balance(record)  # type: ignore[arg-type]
        elif t is PeriodBalance:
            self._period_balance(record)  # type: ignore[arg-type]
        else:
            fields = _simple_fields(record, self.line + 1)
            if fields is not None:
                self._emit(_line(fields))

    def _balance(self, b: Balance) -> None:
        fields = [f"#{b.kind.value}", str(b.year), _account(b.account, b.kind.value, self.line)]
        if b.kind in (BalanceKind.OIB, BalanceKind.OUB):
            fields.append(_objects(b.objects))
        fields.append(format_amount(b.amount, self.line + 1))
        if b.quantity is not None:
            fields.append(format_quantity(b.quantity, self.line + 1))
        self._emit(" ".join(fields))

    def _period_balance(self, p: PeriodBalance) -> None:
        fields = [
            f"#{p.kind.value}",
            str(p.year),
            f"{p.period.year:04d}{p.period.month:02d}",
            _account(p.account, p.kind.value, self.line),
            _objects(p.objects),
            format_amount(p.amount, self.line + 1),
        ]
        if p.quantity is not None:
            fields.append(format_quantity(p.quantity, self.line + 1))
        self._emit(" ".join(fields))

    def _voucher(self, v: Voucher) -> None:
        line = self.line + 1
        fields = [
            "#VER",
            _code(v.series),
            "" if v.number is None else str(v.number),
            _date(v.date),
            _quote(v.text),
            "" if v.registered is None else _date(v.registered),
            _quote(v.sign),
        ]
        if not fields[2]:
            fields[2] = '""'
        if not fields[5]:
            fields[5] = '""'
        self._emit(_line(fields))
        self._emit("{", crc=False)
        for r in v.rows:
            self._row(r, line)
        self._emit("}", crc=False)

    def _row(self, r: TransactionRow, voucher_line: int) -> None:
        fields = [
            _ROW_LABEL[r.kind],
            _account(r.account, r.kind.value, self.line),
            _objects(r.objects),
            format_amount(r.amount, self.line + 1),
            '""' if r.date is None else _date(r.date),
            _quote(r.text),
            '""' if r.quantity is None else format_quantity(r.quantity, self.line + 1),
            _quote(r.sign),
        ]
        self._emit(_line(fields))


_ROW_LABEL = {RowKind.TRANS: "#TRANS", RowKind.RTRANS: "#RTRANS", RowKind.BTRANS: "#BTRANS"}


def _account(number: str, label: str, line: int) -> str:
    if not number:
        raise SieError("write_missing_field", line + 1, label=label, field="kontonr")
    return _code(number)


def _checksum_text(line: str) -> str:
    """What a written line adds to #KSUMMA: its fields' contents, as the reader's tokenizer
    gives them. Outside quotes our lines hold only fields, blanks and braces."""
    if '\\"' in line:
        return record_text(split_fields(line, 0))
    parts = line.split('"')
    parts[::2] = [p.replace(" ", "").replace("{", "").replace("}", "") for p in parts[::2]]
    return "".join(parts)


def _simple_fields(record: Record, line: int) -> list[str] | None:
    """The fields of the one-line records other than balances and vouchers (None for
    #FLAGGA, which the writer writes itself)."""
    r = record
    if isinstance(r, m.Flag):
        return None
    if isinstance(r, m.Program):
        return ["#PROGRAM", _quote(r.name), _quote(r.version)]
    if isinstance(r, m.Format):
        return ["#FORMAT", "PC8"]
    if isinstance(r, m.Generated):
        return ["#GEN", _date(r.date), _quote(r.sign)]
    if isinstance(r, m.SieType):
        return ["#SIETYP", str(r.value)]
    if isinstance(r, m.Prosa):
        return ["#PROSA", _quote(r.text)]
    if isinstance(r, m.CompanyType):
        return ["#FTYP", _code(r.value)]
    if isinstance(r, m.CompanyId):
        return ["#FNR", _quote(r.value)]
    if isinstance(r, m.OrgNumber):
        return ["#ORGNR", _code(r.number), _code(r.acquisition_number), _code(r.operation_number)]
    if isinstance(r, m.IndustryCode):
        return ["#BKOD", _code(r.value)]
    if isinstance(r, m.Address):
        return ["#ADRESS", _quote(r.contact), _quote(r.street), _quote(r.postal), _quote(r.phone)]
    if isinstance(r, m.CompanyName):
        return ["#FNAMN", _quote(r.value)]
    if isinstance(r, m.FiscalYear):
        return ["#RAR", str(r.index), _date(r.start), _date(r.end)]
    if isinstance(r, m.TaxYear):
        return ["#TAXAR", str(r.year)]
    if isinstance(r, m.Extent):
        return ["#OMFATTN", _date(r.date)]
    if isinstance(r, m.ChartType):
        return ["#KPTYP", _code(r.value)]
    if isinstance(r, m.Currency):
        return ["#VALUTA", _code(r.code)]
    if isinstance(r, m.Account):
        return ["#KONTO", _account(r.number, "KONTO", line - 1), _quote(r.name)]
    if isinstance(r, m.AccountType):
        return ["#KTYP", _account(r.account, "KTYP", line - 1), _code(r.type)]
    if isinstance(r, m.Unit):
        return ["#ENHET", _account(r.account, "ENHET", line - 1), _quote(r.unit)]
    if isinstance(r, m.SruCode):
        return ["#SRU", _account(r.account, "SRU", line - 1), _code(r.code)]
    if isinstance(r, Dimension):
        if r.parent is None:
            return ["#DIM", str(r.number), _quote(r.name)]
        return ["#UNDERDIM", str(r.number), _quote(r.name), str(r.parent)]
    if isinstance(r, Object):
        return ["#OBJEKT", str(r.dimension), _quote(r.code), _quote(r.name)]
    raise TypeError(f"not a SIE record: {r!r}")


# What each type may contain, in the order of §5.12 (identification, chart, balances,
# vouchers). 4I leaves out #BKOD, #OMFATTN and all balances; 1 and 2 leave out objects.
def ordered_records(sie: SieFile, kind: str | None = None) -> Iterator[Record]:
    """The records of `sie` in file order, filtered to what type `kind` allows. With kind
    None everything is kept and #SIETYP stays as read (for round trips)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown SIE type {kind!r}; one of {', '.join(KINDS)}")
    k = kind or ""
    objects_allowed = kind is None or k in ("3", "4E", "4I")
    balances_allowed = kind is None or k != "4I"
    if sie.program is not None:
        yield sie.program
    yield Format("PC8")
    if sie.generated is not None:
        yield sie.generated
    if kind is not None:
        yield SieType(int(k[0]))
    elif sie.sie_type is not None:
        yield sie.sie_type
    singles = (sie.prosa, sie.company_type, sie.company_id, sie.org_number)
    yield from (r for r in singles if r is not None)
    if sie.industry_code is not None and k != "4I":
        yield sie.industry_code
    if sie.address is not None:
        yield sie.address
    if sie.company_name is not None:
        yield sie.company_name
    yield from sie.fiscal_years
    if sie.tax_year is not None:
        yield sie.tax_year
    if sie.extent is not None and (kind is None or k in ("2", "3", "4E")):
        yield sie.extent
    if sie.chart_type is not None:
        yield sie.chart_type
    if sie.currency is not None:
        yield sie.currency
    yield from sie.accounts
    yield from sie.account_types
    yield from sie.units
    yield from sie.sru_codes
    if objects_allowed:
        yield from sie.dimensions
        yield from sie.objects
    if balances_allowed:
        for b in sie.balances:
            if b.kind in (BalanceKind.OIB, BalanceKind.OUB) and not objects_allowed:
                continue
            yield b
        if kind is None or k != "1":
            for p in sie.period_balances:
                if p.objects and not objects_allowed:
                    continue  # type 2 carries account totals only (§11 #PSALDO)
                if p.kind is PeriodKind.PBUDGET or p.kind is PeriodKind.PSALDO:
                    yield p
    if kind is None or k in ("4E", "4I"):
        yield from sie.vouchers


def write(sie: SieFile, stream: IO[bytes], *, kind: str | None = "4E") -> None:
    """Write a whole `SieFile` as type `kind` ("1", "2", "3", "4E", "4I"; None keeps every
    record and the file's own #SIETYP)."""
    writer = SieWriter(stream)
    writer.write_all(ordered_records(sie, kind))
    writer.close()


def dumps(sie: SieFile, *, kind: str | None = "4E") -> bytes:
    buffer = io.BytesIO()
    write(sie, buffer, kind=kind)
    return buffer.getvalue()
