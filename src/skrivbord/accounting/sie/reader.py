"""Reading SIE files (types 1-4, .SE and .SI), streamed.

`SieReader(source)` is an iterable of records: header records, accounts, balances, and one
`Voucher` (with its rows) at a time, so a file with a million transactions is read in flat
memory. `read(source)` collects everything into a `SieFile`.

What the reader tolerates and what it refuses is listed in docs/accounting.md; in short it
follows the specification (4B/4C §5, §7, §10, §11) and accepts the quirks of real files
(column-aligned fields, tabs, unquoted names with spaces, ISO dates, 8-digit and
non-numeric account numbers, empty series, 4I files with balances, other encodings than
codepage 437), each with a warning. A refusal is a `SieError` that names the line and the
problem. A streaming consumer must treat the import as failed whenever iteration raises,
even after the last voucher: a wrong checksum or a cut-short file is only known at the end.
"""

from __future__ import annotations

import datetime
import io
import os
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from . import encoding as enc
from ._fast import builder
from .checksum import Crc, record_bytes, record_text
from .errors import SieError
from .model import (
    Account,
    AccountType,
    Address,
    Balance,
    ChartType,
    Checksum,
    CompanyId,
    CompanyName,
    CompanyType,
    Currency,
    Dimension,
    Extent,
    FiscalYear,
    Flag,
    Format,
    Generated,
    IndustryCode,
    Object,
    ObjectList,
    OrgNumber,
    PeriodBalance,
    Program,
    Prosa,
    Record,
    RowKind,
    SieFile,
    SieType,
    SieWarning,
    SruCode,
    TaxYear,
    TransactionRow,
    Unit,
    Voucher,
)
from .patterns import (
    BALANCE_OR_PERIOD_KINDS,
    BLOCK,
    LABEL_AT,
    ROW,
    ROW_KINDS,
    ROW_LINES,
    RUN_LABELS,
    RUN_OF,
    RUNS,
    VER,
    VOUCHERS_AT_ONCE,
    YEARS,
    checksum_span,
)
from .records import (
    INT,
    MAX_AMOUNT_DIGITS,
    MAX_QUANTITY_DECIMALS,
    MAX_QUANTITY_DIGITS,
    MAX_WARNINGS_PER_CODE,
    WARNING_SEVERITY,
    RecordReading,
    field,
    is_period,
)
from .tokenizer import MAX_FIELDS, Fields, split_fields

__all__ = [
    "CHUNK_SIZE",
    "MAX_AMOUNT_DIGITS",
    "MAX_FIELDS",
    "MAX_LINE_LENGTH",
    "MAX_QUANTITY_DECIMALS",
    "MAX_QUANTITY_DIGITS",
    "MAX_WARNINGS_PER_CODE",
    "WARNING_SEVERITY",
    "SieReader",
    "Source",
    "read",
    "split_fields",
]

MAX_LINE_LENGTH = 10_000  # characters; real records are under 300 (§7.5-7.6: our limit)
CHUNK_SIZE = 1 << 20

_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ROW_LABELS = {"#TRANS": RowKind.TRANS, "#RTRANS": RowKind.RTRANS, "#BTRANS": RowKind.BTRANS}

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]

_ZERO = Decimal(0)  # immutable: a voucher's total starts from it
_build_row = builder(TransactionRow)
_build_voucher = builder(Voucher)
_build_balance = builder(Balance)
_build_period_balance = builder(PeriodBalance)
_build_account = builder(Account)
_build_account_type = builder(AccountType)
_build_sru = builder(SruCode)
_build_unit = builder(Unit)
# The #KTYP values whose upper case is T, S, K or I (the careful path's test): these eight
# letters and the dotless i and long s (no other character of Unicode, all checked).
_ACCOUNT_TYPES = {c: c.upper() for c in map(chr, range(0x180)) if c.upper() in ("T", "S", "K", "I")}


class _VoucherHead:
    """A #VER line read, waiting for its rows."""

    __slots__ = ("date", "line", "number", "registered", "series", "sign", "text")

    def __init__(
        self,
        series: str,
        number: int | None,
        date: datetime.date,
        text: str,
        registered: datetime.date | None,
        sign: str,
        line: int,
    ) -> None:
        self.series = series
        self.number = number
        self.date = date
        self.text = text
        self.registered = registered
        self.sign = sign
        self.line = line

    @property
    def name(self) -> str:
        number = "" if self.number is None else str(self.number)
        return f"{self.series} {number}".strip() or f"#{self.line}"


# --- the reader -----------------------------------------------------------------------------


def _is_sie_date(text: str) -> bool:
    """Eight digits that make a date (yyyymmdd)."""
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return False
    try:
        datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True


class SieReader(RecordReading):
    """Iterate over the records of a SIE file.

    `source` is the file's bytes, a path, or a binary file object (read twice, so it must
    be seekable; a non-seekable stream is read into memory). `filename` (taken from a path
    when not given) tells .SI import files from .SE exports. After iteration: `warnings`,
    `encoding`, `checksum` and `kind` ("1", "2", "3", "4E" or "4I").
    """

    def __init__(self, source: Source, *, filename: str | None = None, fast: bool = True) -> None:
        self._source = source
        self.fast = fast  # False: every line through the tokenizer (for tests)
        if filename is None and isinstance(source, str | os.PathLike):
            filename = os.fspath(source)
        self.filename = filename
        self.warnings: list[SieWarning] = []
        self._warning_counts: dict[str, int] = {}
        self.checksum: Checksum | None = None
        self.kind = ""
        self.sie_type: int | None = None
        self._detector = self._detect()
        self.encoding = self._detector.encoding

    # -- input -----------------------------------------------------------------------------

    def _open(self) -> IO[bytes]:
        src = self._source
        if isinstance(src, bytes | bytearray | memoryview):
            return io.BytesIO(src)
        if isinstance(src, str | os.PathLike):
            return Path(src).open("rb")
        if not src.seekable():
            self._source = src.read()
            return io.BytesIO(self._source)
        src.seek(0)
        return src

    def _close(self, f: IO[bytes]) -> None:
        if isinstance(self._source, str | os.PathLike):
            f.close()

    def _detect(self) -> enc.Detector:
        detector = enc.Detector()
        f = self._open()
        try:
            while chunk := f.read(CHUNK_SIZE):
                detector.feed(chunk)
        finally:
            self._close(f)
        detector.close()
        return detector

    def _chunks(self) -> Iterator[tuple[str, bytes | None, int, int]]:
        """(decoded text of whole lines, each ending with "\\n"; the same as codepage 437
        bytes when the file is in it, else None; the first line's number; the number of
        lines), read a megabyte at a time. A chunk is cut after its last LF, which never
        splits a character in any of the encodings we read."""
        codec = enc.CP437 if self.encoding == enc.ASCII else self.encoding
        f = self._open()
        try:
            rest = b""
            first = True
            line = 1
            while True:
                chunk = f.read(CHUNK_SIZE)
                if first:
                    first = False
                    if chunk.startswith(enc.BOM):
                        chunk = chunk[len(enc.BOM) :]
                if not chunk:
                    if not rest:
                        return
                    chunk = b"\n"  # the last line, without its line end
                data = rest + chunk if rest else chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    rest = data
                    if len(rest) > MAX_LINE_LENGTH * 4:
                        raise SieError("line_too_long", line, limit=MAX_LINE_LENGTH)
                    continue
                rest = data[cut + 1 :]
                raw = data[: cut + 1]
                text = raw.decode(codec, "replace")
                lines = text.count("\n")
                yield text, (raw if codec == enc.CP437 else None), line, lines
                line += lines
        finally:
            self._close(f)

    def _lines(self) -> Iterator[str]:
        for text, _, _, _ in self._chunks():
            yield from text[:-1].split("\n")

    # -- the main loop ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        if self._detector.size == 0:
            raise SieError("empty_file", 1)
        self._dates: dict[str, datetime.date] = {}
        self._object_lists: dict[str, tuple[ObjectList, str]] = {"": ((), "")}
        self._object_refs: dict[str, ObjectList] = {"": ()}  # the same, without the checksum text
        self._periods: dict[str, datetime.date] = {}
        self._amounts: dict[str, Decimal] = {}  # of balances (Decimal is immutable)
        self._accounts_seen: set[str] = set()  # numbers checked for being numeric
        self._accounts_used: set[str] = set()  # used in balances or rows, and checked
        self._accounts_declared: set[str] = set()
        self._labels: dict[str, int] = {}  # label -> first line
        self._handler_map = self._handlers()
        self._crc: Crc | None = None
        self._crc_line = 0
        self._head: _VoucherHead | None = None  # a #VER waiting for its { or inside it
        self._rows: list[TransactionRow] | None = None  # its rows so far, inside the braces
        self._total = Decimal(0)
        self._implicit_block = False  # rows of a voucher that came without their {
        self._skipping = 0  # line of an unknown record whose { ... } block is skipped
        self._awaiting_block = False  # an unknown record just read: its { may follow
        self._seen_record = False
        last = 0
        # The records of each chunk: runs of lines in their usual shape through the fast
        # paths, every other line through `_line` (one generator: each record handed on
        # through a second one would cost more than building some of them).
        fast = self.fast and not self._detector.has_control_bytes
        label_at = LABEL_AT
        run_of = RUN_OF
        careful = self._line
        for text, raw, line, lines in self._chunks():
            last = line + lines - 1
            pos = 0
            size = len(text)
            while pos < size:
                if fast and self._head is None and not self._skipping:
                    m = label_at(text, pos)
                    kind = run_of.get(m[1]) if m is not None else None
                    if kind is not None:
                        records, pos2, line2 = (
                            self._vouchers_at(text, pos, line)
                            if kind == "voucher"
                            else self._run_at(kind, text, pos, line)
                        )
                        if pos2 != pos:
                            self._seen_record = True
                            self._awaiting_block = False
                            if self._crc is not None:
                                self._crc.add(checksum_span(text, raw, pos, pos2))
                            yield from records
                            pos = pos2
                            line = line2
                            continue
                end = text.index("\n", pos)
                if end - pos > MAX_LINE_LENGTH:
                    raise SieError("line_too_long", line, limit=MAX_LINE_LENGTH)
                s = text[pos:end].strip(" \t\r")
                if s:
                    done = careful(s, line)
                    if done:
                        yield from done
                pos = end + 1
                line += 1
        yield from self._end(last)

    def _end(self, last_line: int) -> Iterator[Record]:
        if not self._seen_record:
            raise SieError("empty_file", 1)
        head = self._head
        if head is not None:
            if self._rows is None:
                raise SieError("voucher_without_rows", head.line)
            if not self._implicit_block:
                raise SieError("unclosed_voucher", head.line)
            yield self._voucher(head, self._rows, self._total)
        if self._skipping:
            raise SieError("stray_open_brace", self._skipping)
        if self._crc is not None:
            raise SieError("checksum_missing_end", self._crc_line)
        self._finish(last_line)

    # -- the fast paths --------------------------------------------------------------------

    def _vouchers_at(self, text: str, pos: int, line: int) -> tuple[list[Voucher], int, int]:
        """Consecutive vouchers in their usual shape from `pos` on: (vouchers, the position
        and line after them). Stops, to let `_line` take over, at the first that is not."""
        out: list[Voucher] = []
        block = BLOCK
        find_rows = ROW_LINES
        count = text.count
        row_kinds = ROW_KINDS
        object_refs = self._object_refs
        accounts_used = self._accounts_used
        dates = self._dates
        decimal = Decimal
        build_row = _build_row
        build_voucher = _build_voucher
        trans = RowKind.TRANS
        zero = _ZERO
        for _ in range(VOUCHERS_AT_ONCE):
            m = block(text, pos)
            if m is None:
                break
            start, end = m.span(9)
            found = find_rows(text, start, end)
            if len(found) != count("\n", start, end):
                break
            qseries, series, qnumber, number, day, vtext, reg, vsign, _ = m.groups()
            series = series if series is not None else qseries.strip()
            number = number or qnumber
            voucher_date = dates.get(day) or self._date(day, line)
            registered = (dates.get(reg) or self._date(reg, line)) if reg else None
            row_line = line + 2
            rows: list[TransactionRow] = []
            append = rows.append
            total = zero
            for label, account, raw_objects, amount, date, rtext, quantity, sign in found:
                # Objects before the account: the order of the careful path's warnings.
                objects = object_refs.get(raw_objects)
                if objects is None:
                    objects = object_refs[raw_objects] = self._objects_raw(raw_objects, row_line)[0]
                if account not in accounts_used:
                    account = self._account(account, row_line, label)
                value = decimal(amount)
                kind = row_kinds[label]
                if kind is trans:
                    total += value
                append(build_row(
                    kind, account, value, objects,
                    (dates.get(date) or self._date(date, row_line)) if date else None,
                    rtext.strip() if rtext else rtext,
                    self._quantity(quantity, row_line) if quantity else None,
                    sign.strip() if sign else sign,
                    row_line,
                ))  # fmt: skip
                row_line += 1
            vtext = vtext.strip() if vtext else ""
            vsign = vsign.strip() if vsign else ""
            if not rows or total:
                name = f"{series} {number or ''}".strip() or f"#{line}"
                if not rows:
                    self._warn("empty_voucher", line, voucher=name)
                else:
                    self._warn("unbalanced_voucher", line, voucher=name, total=str(total))
            out.append(
                build_voucher(
                    series,
                    int(number) if number else None,
                    voucher_date,
                    vtext,
                    registered,
                    vsign,
                    tuple(rows),
                    line,
                )
            )
            line = row_line + 1
            pos = m.end()
        if out and "VER" not in self._labels:
            self._labels["VER"] = out[0].line
        return out, pos, line

    def _head_from(self, m: re.Match[str], line: int) -> _VoucherHead:
        qseries, series, qnumber, number, date, text, reg, sign = m.groups()
        if self._crc is not None:
            self._crc.add_text("".join(("#VER", *(x for x in m.groups() if x))))
        self._labels.setdefault("VER", line)
        return self._make_head(
            (series if series is not None else qseries).strip(),
            number if number is not None else qnumber,
            date,
            text or "",
            reg or "",
            sign or "",
            line,
        )

    def _run_at(self, kind: str, text: str, pos: int, line: int) -> tuple[list[Any], int, int]:
        """A run of consecutive #KONTO-like or balance lines in their usual shape from `pos`
        on: (records, the position and line after them)."""
        labelled, strict, find = RUNS[kind]
        m = labelled(text, pos)
        if m is None:
            return [], pos, line
        end = m.end()
        found = find(text, pos, end)
        if len(found) != text.count("\n", pos, end):
            # Some line of the run is unusual: take the usual ones before it.
            m = strict(text, pos)
            if m is None:
                return [], pos, line
            end = m.end()
            found = find(text, pos, end)
        if kind == "account":
            out = self._accounts(found, line)
        else:
            out = self._balances(found, line)
            if len(out) < len(found):
                # A line without the parts its label needs: the careful path takes it.
                found = found[: len(out)]
                end = pos
                for _ in found:
                    end = text.index("\n", end) + 1
        if not found:
            return [], pos, line
        labels = self._labels
        for name in RUN_LABELS[kind]:
            # The first line of each label, found without a loop over every line: the text
            # says whether it may be there at all ("#UB" also in "#OUB": then look).
            if name not in labels and "#" + name in text[pos:end]:
                for k, fields in enumerate(found):
                    if fields[0] == name:
                        labels[name] = line + k
                        break
        return out, end, line + len(found)

    def _accounts(self, found: list[tuple[str, ...]], line: int) -> list[Any]:
        out: list[Any] = []
        append = out.append
        declared = self._accounts_declared
        seen = self._accounts_seen
        build_account = _build_account
        account_types = _ACCOUNT_TYPES
        for label, qnumber, number, qvalue, value in found:
            if not number:
                number = qnumber.strip()
                if not number:
                    self._warn("account_without_number", line, label=label)
                    line += 1
                    continue
            if number not in seen:
                seen.add(number)
                if not (number.isascii() and number.isdigit()):
                    self._warn("non_numeric_account", line, account=number)
            # findall gives "" for the unused alternative; a bare field has no blanks
            if not value:
                value = qvalue.strip()
            if label == "KONTO":
                declared.add(number)
                if not value:
                    self._warn("missing_name", line, label="KONTO")
                append(build_account(number, value, line))
            elif not value:
                self._warn("ignored_field", line, label=label, value=value)
            elif label == "KTYP":
                type_ = account_types.get(value)
                if type_ is not None:
                    append(_build_account_type(number, type_, line))
                else:
                    self._warn("ignored_field", line, label="KTYP", value=value.upper()[:40])
            elif label == "SRU":
                append(_build_sru(number, value, line))
            else:
                append(_build_unit(number, value, line))
            line += 1
        return out

    def _balances(self, found: list[tuple[str, ...]], line: int) -> list[Any]:
        """Balance records from `_BALANCE_LINE` matches; stops before the first line that
        lacks a part its label needs (or has one it must not have)."""
        out: list[Any] = []
        append = out.append
        seen = self._accounts_used
        object_refs = self._object_refs
        periods = self._periods
        amounts = self._amounts
        kinds = BALANCE_OR_PERIOD_KINDS
        years = YEARS
        decimal = Decimal
        build_balance = _build_balance
        build_period_balance = _build_period_balance
        for label, year, period, qaccount, account, braced, amount, qquantity, quantity in found:
            kind, needs_objects, needs_period = kinds[label]
            # (`not x is flag` rather than `bool(x) is not flag`: no calls in the hot loop)
            if (not braced) is needs_objects or (not period) is needs_period:
                break
            # In the careful path's order (period, account, objects), so a line with more than
            # one fault is refused for the same one.
            if period:
                month = periods.get(period)
                if month is None:
                    if not is_period(period):
                        break  # bad, or swapped with the account: the careful path decides
                    month = periods[period] = self._period(period, line, label)
            if not account:
                account = qaccount
            if account not in seen:
                account = self._account(account, line, label)
            if braced:
                raw = braced[1:-1]
                objects = object_refs.get(raw)
                if objects is None:
                    objects = object_refs[raw] = self._objects_raw(raw, line)[0]
            else:
                objects = ()
            value = amounts.get(amount)
            if value is None:
                value = decimal(amount)
                if len(amounts) < 10_000:  # balances repeat amounts (budgets); rows do not
                    amounts[amount] = value
            year_nr = years.get(year)
            if year_nr is None:
                year_nr = int(year)
            quantity = quantity or qquantity
            q = self._quantity(quantity, line) if quantity else None
            if period:
                append(build_period_balance(kind, year_nr, month, account, value, objects, q, line))
            else:
                append(build_balance(kind, year_nr, account, value, objects, q, line))
            line += 1
        return out

    # -- one line at a time ----------------------------------------------------------------

    def _line(self, s: str, lineno: int) -> list[Record] | None:
        """One non-blank line (without surrounding blanks) the fast paths did not take: the
        definition of what the reader accepts, tolerates and refuses."""
        if self._detector.has_control_bytes and self._control_line(s, lineno):
            return None
        rows = self._rows
        out: list[Record] | None = None
        if rows is not None:
            m = ROW(s)
            if m is not None:
                row = self._row_from(m, lineno)
                if row.kind is RowKind.TRANS:
                    self._total += row.amount
                rows.append(row)
                return None
            if s == "}":
                return self._close_voucher()
        first = s[0]
        if first != "#":
            if first == "{" and len(s) == 1:
                if self._head is not None and rows is None:
                    self._rows = []
                    self._total = Decimal(0)
                    return None
                if self._awaiting_block:
                    self._skipping = lineno
                    self._awaiting_block = False
                    return None
                raise SieError("stray_open_brace", lineno)
            if first == "}" and len(s) == 1:
                if self._skipping:
                    self._skipping = 0
                    return None
                raise SieError("stray_close_brace", lineno)
            if self._skipping:
                return None
            if not self._seen_record:
                raise SieError("not_sie", lineno, text=s[:60])
            raise SieError("no_label", lineno, text=s[:60])
        self._seen_record = True
        self._awaiting_block = False
        if self._skipping:
            return None
        warn = self._warn
        if self._head is not None:
            # Inside (or right after) a voucher, in anything but the usual shape.
            label = s.split(None, 1)[0]
            if rows is None:
                if label not in _ROW_LABELS:
                    raise SieError("voucher_without_rows", self._head.line)
                # e-conomic leaves out the { now and then (but writes the }).
                warn("missing_open_brace", lineno)
                rows = self._rows = []
                self._total = Decimal(0)
                self._implicit_block = True
            row_kind = _ROW_LABELS.get(label)
            if row_kind is not None:
                row = self._row(row_kind, s, lineno)
                if row_kind is RowKind.TRANS:
                    self._total += row.amount
                rows.append(row)
                return None
            if label[1:] not in self._handler_map and label not in ("#KSUMMA", "#VER"):
                if self._crc is not None:
                    self._crc.add_text(record_text(split_fields(s, lineno)))
                warn("unknown_label", lineno, label=label[1:60])
                return None
            if not self._implicit_block:
                raise SieError("record_inside_voucher", lineno, label=label[1:])
            out = self._close_voucher()
        if s.startswith("#VER"):
            m = VER(s)
            if m is not None:
                self._head = self._head_from(m, lineno)
                return out
        fields = split_fields(s, lineno, warn)
        label = fields[0]
        if not isinstance(label, str) or label == "#":
            raise SieError("no_label", lineno, text=s[:60])
        name = label[1:]
        if name == "KSUMMA":
            self._ksumma(fields, lineno)
            return out
        if self._crc is not None:
            self._crc.add_text(record_text(fields))
        self._labels.setdefault(name, lineno)
        if name == "VER":
            self._head = self._voucher_head(fields, lineno)
            return out
        if label in _ROW_LABELS:
            raise SieError("row_outside_voucher", lineno, label=name)
        handler = self._handler_map.get(name)
        if handler is None:
            warn("unknown_label", lineno, label=name[:60])
            self._awaiting_block = True
            return out
        record = handler(fields, lineno)
        if record is not None:
            if out is None:
                return [record]
            out.append(record)
        return out

    def _close_voucher(self) -> list[Record]:
        assert self._head is not None
        assert self._rows is not None
        voucher = self._voucher(self._head, self._rows, self._total)
        self._head = None
        self._rows = None
        self._implicit_block = False
        return [voucher]

    def _ksumma(self, fields: Fields, line: int) -> None:
        if len(fields) == 1:
            if self._crc is None and self.checksum is None:
                self._crc = Crc()
                self._crc_line = line
            return
        stated = field(fields, 1, line, "KSUMMA")
        if INT(stated) is None or int(stated) > 0xFFFFFFFF:
            raise SieError("bad_checksum", line, value=stated[:40])
        if self._crc is None:
            self._warn("ignored_field", line, label="KSUMMA", value=stated)
            return
        self.checksum = self._verify_checksum(int(stated), self._crc, self._crc_line, line)
        self._crc = None

    def _row_from(self, m: re.Match[str], line: int) -> TransactionRow:
        """A row line in the usual shape (one line; `_vouchers_at` does many at once)."""
        label, account, raw_objects, amount, date, text, quantity, sign = m.groups()
        objects = self._object_lists.get(raw_objects) or self._objects_raw(raw_objects, line)
        if self._crc is not None:
            self._crc.add_text(
                "".join(("#", label, account, objects[1], amount, date or "", text or "",
                         quantity or "", sign or ""))
            )  # fmt: skip
        return _build_row(
            ROW_KINDS[label],
            self._account(account, line, label),
            Decimal(amount),
            objects[0],
            self._date(date, line) if date else None,
            text.strip() if text else "",
            self._quantity(quantity, line) if quantity else None,
            sign.strip() if sign else "",
            line,
        )

    def _control_line(self, s: str, line: int) -> bool:
        """Refuse control characters (True: skip the line, a DOS end-of-file mark)."""
        m = _CONTROL_CHAR.search(s)
        if m is None:
            return False
        if s == "\x1a":
            return True
        if not self._seen_record:
            raise SieError("binary_data", line, byte=f"0x{ord(m[0]):02X}")
        raise SieError("control_character", line, char=f"0x{ord(m[0]):02X}")

    def _verify_checksum(self, stated: int, crc: Crc, opened: int, line: int) -> Checksum:
        result = Checksum(stated=stated, computed=crc.value, line=line)
        if result.ok:
            return result
        if self.encoding in (enc.UTF8, enc.LATIN):
            # Some writers sum their own bytes rather than codepage 437 ones: accept that too.
            alt = self._checksum_in_file_encoding(opened, line)
            if alt == stated:
                self._warn("checksum_file_encoding", line, encoding=self.encoding)
                return Checksum(stated=stated, computed=alt, line=line)
        raise SieError("checksum_mismatch", line, stated=stated, computed=crc.value)

    def _checksum_in_file_encoding(self, opened: int, closing: int) -> int:
        crc = Crc()
        for n, raw in enumerate(self._lines(), 1):
            if n <= opened:
                continue
            if n >= closing:
                break
            s = raw.strip(" \t\r")
            if not s or s in ("{", "}"):
                continue
            crc.add(record_bytes(split_fields(s, n), self.encoding))
        return crc.value

    # -- rows and vouchers -----------------------------------------------------------------

    def _row(self, kind: RowKind, s: str, line: int) -> TransactionRow:
        """A #TRANS/#RTRANS/#BTRANS line the fast path did not take: tolerated quirks and
        precise refusals."""
        label = kind.value
        f = split_fields(s, line, self._warn)
        if self._crc is not None:
            self._crc.add_text(record_text(f))
        account = field(f, 1, line, label)
        if len(f) > 2 and isinstance(f[2], list):
            objects = self._objects(f[2], line)
            rest = f[3:]
        else:
            if len(f) > 2:
                self._warn("missing_object_list", line, label=label)
            objects = ()
            rest = f[2:]
        for x in rest:
            if isinstance(x, list):
                raise SieError("misplaced_object_list", line, label=label)
        account = self._account(account, line, label)
        n = len(rest)
        if not n:
            raise SieError("missing_amount", line, label=label)
        amount = self._amount(rest[0], line, label)
        date = None
        text = rest[2].strip() if n > 2 else ""
        if n > 1 and rest[1]:
            v = rest[1]
            if n == 2 and not v[0].isdigit():
                # The date left out and the text written in its place (seen in the wild).
                self._warn("text_in_date_field", line, text=v[:60])
                text = v.strip()
            else:
                date = self._date(v, line)
        quantity = self._quantity(rest[3], line) if n > 3 else None
        sign = rest[4].strip() if n > 4 else ""
        return TransactionRow(kind, account, amount, objects, date, text, quantity, sign, line)

    def _voucher_head(self, f: Fields, line: int) -> _VoucherHead:
        return self._make_head(
            field(f, 1, line, "VER").strip(),
            field(f, 2, line, "VER").strip(),
            field(f, 3, line, "VER").strip(),
            field(f, 4, line, "VER"),
            field(f, 5, line, "VER").strip(),
            field(f, 6, line, "VER"),
            line,
        )

    def _make_head(
        self,
        series: str,
        number_text: str,
        date_text: str,
        text: str,
        registered: str,
        sign: str,
        line: int,
    ) -> _VoucherHead:
        if not date_text and series.isdigit() and _is_sie_date(number_text):
            # The series left out altogether, not even as "" (BL Administration): the fields
            # sit one place to the left. Read them so, as a voucher without a series.
            self._warn("voucher_series_missing", line, number=series)
            return self._make_head("", series, number_text, date_text, text, registered, line)
        if number_text:
            if INT(number_text) is None:
                raise SieError("bad_voucher_number", line, value=number_text[:40])
            number: int | None = int(number_text)
        else:
            number = None
        if not date_text:
            raise SieError("missing_date", line, label="VER")
        date = self._date(date_text, line)
        return _VoucherHead(
            series,
            number,
            date,
            text.strip(),
            self._optional_date(registered, line),
            sign.strip(),
            line,
        )

    def _voucher(self, head: _VoucherHead, rows: list[TransactionRow], total: Decimal) -> Voucher:
        if not rows:
            self._warn("empty_voucher", head.line, voucher=head.name)
        elif total:
            self._warn("unbalanced_voucher", head.line, voucher=head.name, total=str(total))
        return _build_voucher(
            head.series,
            head.number,
            head.date,
            head.text,
            head.registered,
            head.sign,
            tuple(rows),
            head.line,
        )

    # -- after the last line ---------------------------------------------------------------

    def _finish(self, last_line: int) -> None:
        labels = self._labels
        if self.encoding not in (enc.CP437, enc.ASCII):
            self._warn("not_cp437", 1, encoding=self.encoding)
        if self.encoding == enc.UTF8:
            damaged = self._count_replacement_characters()
            if damaged:
                self._warn("damaged_characters", 1, count=damaged)
        if self.sie_type is None:
            self._warn("missing_sie_type", 1)
            sie_type = 1
        else:
            sie_type = self.sie_type
        if sie_type == 4:
            suffix = os.path.splitext(self.filename or "")[1].lower()
            balances = any(k in labels for k in ("IB", "UB", "RES"))
            self.kind = "4I" if suffix == ".si" or (suffix != ".se" and not balances) else "4E"
            if suffix == ".se" and not balances and "RAR" not in labels:
                self.kind = "4I"
        else:
            self.kind = str(sie_type)
        for name in _MANDATORY[self.kind]:
            if name not in labels:
                self._warn("missing_record", 1, label=name, type=self.kind)
        for name in _FORBIDDEN[self.kind]:
            if name in labels:
                self._warn("record_not_allowed", labels[name], label=name, type=self.kind)
        self._finish_warnings()

    def _count_replacement_characters(self) -> int:
        f = self._open()
        try:
            n = 0
            while chunk := f.read(CHUNK_SIZE):
                n += chunk.count("\ufffd".encode())
            return n
        finally:
            self._close(f)


# Mandatory and forbidden records per type (4B/4C §6; balances are only mandatory "if there
# are values", so only the identification records and the chart are required here).
_IDENT = ("FLAGGA", "PROGRAM", "FORMAT", "GEN", "FNAMN")
_MANDATORY: dict[str, tuple[str, ...]] = {
    "1": (*_IDENT, "RAR", "KONTO"),
    "2": (*_IDENT, "SIETYP", "RAR", "KONTO"),
    "3": (*_IDENT, "SIETYP", "RAR", "KONTO"),
    "4E": (*_IDENT, "SIETYP", "RAR", "KONTO"),
    "4I": (*_IDENT, "SIETYP"),
}
_VOUCHERS = ("VER",)
_FORBIDDEN: dict[str, tuple[str, ...]] = {
    "1": ("OMFATTN", "DIM", "UNDERDIM", "OBJEKT", "OIB", "OUB", "PSALDO", "PBUDGET", *_VOUCHERS),
    "2": ("DIM", "UNDERDIM", "OBJEKT", "OIB", "OUB", *_VOUCHERS),
    "3": _VOUCHERS,
    "4E": (),
    "4I": ("BKOD", "OMFATTN", "IB", "UB", "RES", "OIB", "OUB", "PSALDO", "PBUDGET"),
}


def read(source: Source, *, filename: str | None = None) -> SieFile:
    """Read a whole SIE file into a `SieFile` (raises `SieError` on a refusal)."""
    reader = SieReader(source, filename=filename)
    parts: dict[str, list[Any]] = {
        "fiscal_years": [],
        "accounts": [],
        "account_types": [],
        "units": [],
        "sru_codes": [],
        "dimensions": [],
        "objects": [],
        "balances": [],
        "period_balances": [],
        "vouchers": [],
    }
    single: dict[str, Any] = {}
    for record in reader:
        slot = _SLOTS[type(record)]
        if slot in parts:
            parts[slot].append(record)
        else:
            single[slot] = record
    fields: dict[str, Any] = {k: tuple(v) for k, v in parts.items()}
    fields.update(single)
    return SieFile(
        **fields,
        checksum=reader.checksum,
        encoding=reader.encoding,
        kind=reader.kind,
        warnings=tuple(reader.warnings),
    )


_SLOTS: dict[type, str] = {
    Flag: "flag",
    Program: "program",
    Format: "format",
    Generated: "generated",
    SieType: "sie_type",
    Prosa: "prosa",
    CompanyType: "company_type",
    CompanyId: "company_id",
    OrgNumber: "org_number",
    IndustryCode: "industry_code",
    Address: "address",
    CompanyName: "company_name",
    FiscalYear: "fiscal_years",
    TaxYear: "tax_year",
    Extent: "extent",
    ChartType: "chart_type",
    Currency: "currency",
    Account: "accounts",
    AccountType: "account_types",
    Unit: "units",
    SruCode: "sru_codes",
    Dimension: "dimensions",
    Object: "objects",
    Balance: "balances",
    PeriodBalance: "period_balances",
    Voucher: "vouchers",
}
