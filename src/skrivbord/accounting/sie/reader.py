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
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from . import encoding as enc
from .checksum import Crc, record_bytes
from .errors import SieError
from .messages import MESSAGES
from .model import (
    Account,
    AccountType,
    Address,
    Balance,
    BalanceKind,
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
    ObjectRef,
    OrgNumber,
    PeriodBalance,
    PeriodKind,
    Program,
    Prosa,
    Record,
    RowKind,
    Severity,
    SieFile,
    SieType,
    SieWarning,
    SruCode,
    TaxYear,
    TransactionRow,
    Unit,
    Voucher,
)

# Limits of what we accept (§7.5-7.6 asks the importer to set its own).
MAX_LINE_LENGTH = 10_000  # characters; real records are under 300
MAX_FIELDS = 200  # fields in one record, object list items included
MAX_AMOUNT_DIGITS = 15  # digits before the decimal point: up to 999 999 999 999 999.99
MAX_QUANTITY_DIGITS = 15
MAX_QUANTITY_DECIMALS = 6
MAX_WARNINGS_PER_CODE = 20  # more of the same kind are counted, not listed

CHUNK_SIZE = 1 << 20

WARNING_SEVERITY: dict[str, Severity] = {
    "unknown_label": Severity.INFO,
    "missing_object_list": Severity.INFO,
    "unterminated_quote": Severity.WARNING,
    "stray_quote": Severity.WARNING,
    "missing_open_brace": Severity.WARNING,
    "text_in_date_field": Severity.WARNING,
    "swapped_period": Severity.WARNING,
    "iso_date": Severity.WARNING,
    "non_numeric_account": Severity.WARNING,
    "undeclared_account": Severity.WARNING,
    "account_without_number": Severity.WARNING,
    "missing_name": Severity.WARNING,
    "missing_program_version": Severity.INFO,
    "already_imported": Severity.INFO,
    "unbalanced_voucher": Severity.CRITICAL,
    "empty_voucher": Severity.WARNING,
    "record_not_allowed": Severity.WARNING,
    "missing_record": Severity.WARNING,
    "missing_sie_type": Severity.INFO,
    "ignored_field": Severity.WARNING,
    "fiscal_year_long": Severity.WARNING,
    "org_number_form": Severity.INFO,
    "unquoted_text": Severity.INFO,
    "not_cp437": Severity.INFO,
    "damaged_characters": Severity.WARNING,
    "checksum_file_encoding": Severity.INFO,
    "more_warnings": Severity.INFO,
}

Fields = list[Any]  # str fields, with an object list as a nested list[str]
Warn = Callable[..., None]  # warn(code, line, **params)

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?|-?\.[0-9]+").fullmatch
_QUANTITY = _AMOUNT
_YEAR = re.compile(r"[-+]?[0-9]{1,4}").fullmatch
_INT = re.compile(r"[0-9]{1,18}").fullmatch
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})").fullmatch
_ORGNR_STANDARD = re.compile(r"[0-9]{6}-[0-9]{4}").fullmatch
_CONTROL_CHAR = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ROW_LABELS = {"#TRANS": RowKind.TRANS, "#RTRANS": RowKind.RTRANS, "#BTRANS": RowKind.BTRANS}

Source = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]


# --- tokenizer ------------------------------------------------------------------------------


def _split_ws(part: str) -> list[str]:
    """Split on blanks and tabs only (str.split() would also split on no-break spaces)."""
    if part.isascii():
        return part.split()
    return [t for t in part.replace("\t", " ").split(" ") if t]


def _quotes_are_clean(parts: list[str]) -> bool:
    """Whether s.split('"') gave the true fields: every opening quote starts a field and
    every closing quote ends one (no escapes, no stray quotes)."""
    if not len(parts) & 1:
        return False
    for k in range(1, len(parts), 2):
        before = parts[k - 1]
        after = parts[k + 1]
        if not before or before[-1] not in " \t{" or (after and after[0] not in " \t{}"):
            return False
    return True


def _scan_quotes(s: str, line: int, warn: Warn | None) -> list[str]:
    """Like s.split('"') (alternating unquoted and quoted parts) for lines that need care:
    `\\"` is a quote inside a field; a quote opens a field only at its start and closes it
    only at its end (anything else is a stray quote, kept as text, as in a real SoftOne XE
    export); an unclosed quote runs to the end of the line. Other backslashes stay."""
    parts: list[str] = []
    buf: list[str] = []
    quoted = False
    i = 0
    n = len(s)
    while True:
        j = s.find('"', i)
        if j < 0:
            break
        if not quoted:
            if j == 0 or s[j - 1] in " \t{}":
                buf.append(s[i:j])
                parts.append("".join(buf))
                buf = []
                quoted = True
            else:
                buf.append(s[i : j + 1])
        elif j > i and s[j - 1] == "\\":
            buf.append(s[i : j - 1])
            buf.append('"')
        elif j + 1 == n or s[j + 1] in " \t{}":
            buf.append(s[i:j])
            parts.append("".join(buf))
            buf = []
            quoted = False
        else:
            if warn is not None:
                warn("stray_quote", line)
            buf.append(s[i : j + 1])
        i = j + 1
    buf.append(s[i:])
    if quoted:
        if warn is not None:
            warn("unterminated_quote", line)
        parts.append("".join(buf).rstrip(" \t"))
        parts.append("")
    else:
        parts.append("".join(buf))
    return parts


def split_fields(s: str, line: int, warn: Warn | None = None) -> Fields:
    """The fields of one record (s: the line without surrounding blanks). Quoted fields lose
    their quotes (`\\"` is a quote, other backslashes stay), an object list `{...}` becomes a
    nested list of its items. `warn(code, line)` hears about tolerated defects."""
    if '"' not in s:
        if "{" not in s and "}" not in s:
            fields: Fields = _split_ws(s)
            if len(fields) > MAX_FIELDS:
                raise SieError("too_many_fields", line, count=len(fields), limit=MAX_FIELDS)
            return fields
        parts = [s]
    else:
        parts = s.split('"')
        if '\\"' in s or not _quotes_are_clean(parts):
            parts = _scan_quotes(s, line, warn)
    out: Fields = []
    cur: Fields = out
    count = 0
    for k, part in enumerate(parts):
        if k & 1:
            if "\t" in part:
                raise SieError("control_character", line, char="TAB")
            cur.append(part)
            count += 1
        elif part:
            if "{" in part or "}" in part:
                for tok in _split_ws(part.replace("{", " { ").replace("}", " } ")):
                    if tok == "{":
                        if cur is not out:
                            raise SieError("nested_object_list", line)
                        cur = []
                        out.append(cur)
                    elif tok == "}":
                        if cur is out:
                            raise SieError("stray_brace_in_record", line)
                        cur = out
                    else:
                        cur.append(tok)
                        count += 1
            else:
                toks = _split_ws(part)
                cur.extend(toks)
                count += len(toks)
    if cur is not out:
        raise SieError("unclosed_object_list", line)
    if count > MAX_FIELDS:
        raise SieError("too_many_fields", line, count=count, limit=MAX_FIELDS)
    return out


# --- the reader -----------------------------------------------------------------------------


class SieReader:
    """Iterate over the records of a SIE file.

    `source` is the file's bytes, a path, or a binary file object (read twice, so it must
    be seekable; a non-seekable stream is read into memory). `filename` (taken from a path
    when not given) tells .SI import files from .SE exports. After iteration: `warnings`,
    `encoding`, `checksum` and `kind` ("1", "2", "3", "4E" or "4I").
    """

    def __init__(self, source: Source, *, filename: str | None = None) -> None:
        self._source = source
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

    def _lines(self) -> Iterator[str]:
        """The decoded lines (without line ends), read in chunks. A chunk is cut after its
        last LF, which never splits a character in any of the encodings we read."""
        codec = enc.CP437 if self.encoding == enc.ASCII else self.encoding
        f = self._open()
        try:
            rest = b""
            first = True
            lines_before = 0
            while chunk := f.read(CHUNK_SIZE):
                if first:
                    first = False
                    if chunk.startswith(enc.BOM):
                        chunk = chunk[len(enc.BOM) :]
                data = rest + chunk if rest else chunk
                cut = data.rfind(b"\n")
                if cut < 0:
                    rest = data
                    if len(rest) > MAX_LINE_LENGTH * 4:
                        raise SieError("line_too_long", lines_before + 1, limit=MAX_LINE_LENGTH)
                    continue
                rest = data[cut + 1 :]
                lines = data[:cut].decode(codec, "replace").split("\n")
                lines_before += len(lines)
                yield from lines
            if rest:
                yield rest.decode(codec, "replace")
        finally:
            self._close(f)

    # -- warnings --------------------------------------------------------------------------

    def _warn(self, code: str, line: int, **params: object) -> None:
        n = self._warning_counts.get(code, 0) + 1
        self._warning_counts[code] = n
        if n <= MAX_WARNINGS_PER_CODE:
            self.warnings.append(
                SieWarning(
                    line, code, MESSAGES[code], {"line": line, **params}, WARNING_SEVERITY[code]
                )
            )

    def _finish_warnings(self) -> None:
        for code, n in self._warning_counts.items():
            if n > MAX_WARNINGS_PER_CODE:
                self.warnings.append(
                    SieWarning(
                        0,
                        "more_warnings",
                        MESSAGES["more_warnings"],
                        {"count": n - MAX_WARNINGS_PER_CODE, "code": code},
                        Severity.INFO,
                    )
                )

    # -- values ----------------------------------------------------------------------------

    def _amount(self, v: str, line: int, label: str) -> Decimal:
        if _AMOUNT(v) is None:
            if not v:
                raise SieError("missing_amount", line, label=label)
            if v[0] == "+" and _AMOUNT(v[1:]) is not None:
                raise SieError("amount_plus_sign", line, value=v)
            raise SieError("bad_amount", line, value=v[:40])
        dot = v.find(".")
        if dot >= 0:
            if len(v) - dot > 3:
                raise SieError("amount_decimals", line, value=v[:40])
            digits = dot - (v[0] == "-")
        else:
            digits = len(v) - (v[0] == "-")
        if digits > MAX_AMOUNT_DIGITS:
            raise SieError("amount_too_large", line, value=v[:40], limit="9" * MAX_AMOUNT_DIGITS)
        return Decimal(v)

    def _quantity(self, v: str, line: int) -> Decimal | None:
        if not v:
            return None
        if _QUANTITY(v) is None:
            raise SieError("bad_quantity", line, value=v[:40])
        dot = v.find(".")
        whole = (dot if dot >= 0 else len(v)) - (v[0] == "-")
        if whole > MAX_QUANTITY_DIGITS or (dot >= 0 and len(v) - dot - 1 > MAX_QUANTITY_DECIMALS):
            raise SieError("bad_quantity", line, value=v[:40])
        return Decimal(v)

    def _date(self, v: str, line: int) -> datetime.date:
        d = self._dates.get(v)
        if d is not None:
            return d
        if len(v) == 8 and v.isascii() and v.isdigit():
            try:
                d = datetime.date(int(v[:4]), int(v[4:6]), int(v[6:]))
            except ValueError:
                raise SieError("no_such_date", line, value=v) from None
            if len(self._dates) < 100_000:
                self._dates[v] = d
            return d
        m = _ISO_DATE(v)
        if m:
            try:
                d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise SieError("no_such_date", line, value=v) from None
            self._warn("iso_date", line, value=v, date=d.strftime("%Y%m%d"))
            return d
        raise SieError("bad_date", line, value=v[:40])

    def _optional_date(self, v: str, line: int) -> datetime.date | None:
        return self._date(v, line) if v else None

    def _required_date(self, f: Fields, i: int, line: int, label: str) -> datetime.date:
        v = _str(f, i, line, label)
        if not v:
            raise SieError("missing_date", line, label=label)
        return self._date(v, line)

    def _period(self, v: str, line: int, label: str) -> datetime.date:
        if not v:
            raise SieError("missing_period", line, label=label)
        if _is_period(v):
            return datetime.date(int(v[:4]), int(v[4:]), 1)
        raise SieError("bad_period", line, value=v[:40])

    def _year(self, f: Fields, i: int, line: int, label: str) -> int:
        v = _str(f, i, line, label)
        if not v:
            raise SieError("missing_year", line, label=label)
        if _YEAR(v) is None:
            raise SieError("bad_year", line, value=v[:40])
        return int(v)

    def _dimension(self, v: str, line: int, label: str) -> int:
        if not v:
            raise SieError("missing_dimension", line, label=label)
        if _INT(v) is None:
            raise SieError("bad_dimension", line, value=v[:40])
        return int(v)

    def _account(self, v: str, line: int, label: str) -> str:
        """An account used in a balance or a row: must be there; warn when odd."""
        if v in self._accounts_seen:
            return v
        if not v:
            raise SieError("missing_account", line, label=label)
        self._accounts_seen.add(v)
        if not (v.isascii() and v.isdigit()):
            self._warn("non_numeric_account", line, account=v)
        if v not in self._accounts_declared:
            self._warn("undeclared_account", line, account=v)
        return v

    def _objects(self, items: list[str], line: int) -> ObjectList:
        if len(items) & 1:
            raise SieError("bad_object_list", line, text=" ".join(items)[:80])
        refs = []
        for k in range(0, len(items), 2):
            dim = self._dimension(items[k], line, "OBJEKT")
            refs.append(ObjectRef(dim, items[k + 1]))
        return tuple(refs)

    def _objects_raw(self, raw: str, line: int) -> ObjectList:
        """An object list from the text between its braces, cached: real files repeat the
        same few lists on most rows."""
        refs = self._object_lists.get(raw)
        if refs is None:
            fields = split_fields(raw, line, self._warn)
            if any(isinstance(x, list) for x in fields):
                raise SieError("nested_object_list", line)
            refs = self._objects(fields, line)
            if len(self._object_lists) < 100_000:
                self._object_lists[raw] = refs
        return refs

    # -- the main loop ---------------------------------------------------------------------

    def __iter__(self) -> Iterator[Record]:
        self._dates: dict[str, datetime.date] = {}
        self._object_lists: dict[str, ObjectList] = {"": ()}
        self._accounts_seen: set[str] = set()
        self._accounts_declared: set[str] = set()
        self._labels: dict[str, int] = {}  # label -> first line
        self._has_balances = False
        crc: Crc | None = None
        crc_line = 0
        check_controls = self._detector.has_control_bytes
        handlers = self._handlers()
        split = split_fields
        warn = self._warn
        row_labels = _ROW_LABELS
        row = self._row

        voucher_head: tuple[Fields, int] | None = None  # a #VER waiting for its "{"
        rows: list[TransactionRow] | None = None  # inside a voucher's braces
        skipping = 0  # line of an unknown record whose { ... } block we skip
        awaiting_block_of_unknown = False
        implicit_block = False  # rows of a voucher that came without their {
        seen_record = False
        lineno = 0
        total = Decimal(0)
        if self._detector.size == 0:
            raise SieError("empty_file", 1)

        for lineno, raw in enumerate(self._lines(), 1):
            if len(raw) > MAX_LINE_LENGTH:
                raise SieError("line_too_long", lineno, limit=MAX_LINE_LENGTH)
            s = raw.strip(" \t\r")
            if not s:
                continue
            if check_controls:
                m = _CONTROL_CHAR.search(s)
                if m:
                    if not seen_record:
                        raise SieError("binary_data", lineno, byte=f"0x{ord(m[0]):02X}")
                    if s == "\x1a":  # a DOS end-of-file mark
                        continue
                    raise SieError("control_character", lineno, char=f"0x{ord(m[0]):02X}")
            first = s[0]
            if first != "#":
                if first == "{" and len(s) == 1:
                    if voucher_head is not None and rows is None:
                        rows = []
                        total = Decimal(0)
                        continue
                    if awaiting_block_of_unknown:
                        skipping = lineno
                        awaiting_block_of_unknown = False
                        continue
                    raise SieError("stray_open_brace", lineno)
                if first == "}" and len(s) == 1:
                    if skipping:
                        skipping = 0
                        continue
                    if rows is None or voucher_head is None:
                        raise SieError("stray_close_brace", lineno)
                    yield self._voucher(voucher_head, rows, total)
                    voucher_head = None
                    rows = None
                    implicit_block = False
                    continue
                if skipping:
                    continue
                if not seen_record:
                    raise SieError("not_sie", lineno, text=s[:60])
                raise SieError("no_label", lineno, text=s[:60])
            seen_record = True
            awaiting_block_of_unknown = False
            if skipping:
                continue
            if crc is not None and not s.startswith("#KSUMMA"):
                fields = split(s, lineno)
                crc.add(record_bytes(fields[0], fields[1:]))
            if voucher_head is not None:
                label = s.split(None, 1)[0]
                if rows is None:
                    if label not in row_labels:
                        raise SieError("voucher_without_rows", voucher_head[1])
                    # e-conomic leaves out the { now and then (but writes the }).
                    self._warn("missing_open_brace", lineno)
                    rows = []
                    total = Decimal(0)
                    implicit_block = True
                kind = row_labels.get(label)
                if kind is not None:
                    r = row(kind, s, lineno)
                    if kind is RowKind.TRANS:
                        total += r.amount
                    rows.append(r)
                    continue
                if label[1:] not in handlers and label not in ("#KSUMMA", "#VER"):
                    self._warn("unknown_label", lineno, label=label[1:60])
                    continue
                if not implicit_block:
                    raise SieError("record_inside_voucher", lineno, label=label[1:])
                yield self._voucher(voucher_head, rows, total)
                voucher_head = None
                rows = None
                implicit_block = False
            fields = split(s, lineno, warn)
            label = fields[0]
            if not isinstance(label, str) or label == "#":
                raise SieError("no_label", lineno, text=s[:60])
            name = label[1:]
            self._labels.setdefault(name, lineno)
            if name == "VER":
                voucher_head = (fields, lineno)
                continue
            if name == "KSUMMA":
                if len(fields) == 1:
                    if crc is None and self.checksum is None:
                        crc = Crc()
                        crc_line = lineno
                    continue
                stated = _str(fields, 1, lineno, name)
                if _INT(stated) is None or int(stated) > 0xFFFFFFFF:
                    raise SieError("bad_checksum", lineno, value=stated[:40])
                if crc is None:
                    self._warn("ignored_field", lineno, label=name, value=stated)
                    continue
                self.checksum = self._verify_checksum(int(stated), crc, crc_line, lineno)
                crc = None
                continue
            if label in row_labels:
                raise SieError("row_outside_voucher", lineno, label=name)
            handler = handlers.get(name)
            if handler is None:
                self._warn("unknown_label", lineno, label=name[:60])
                awaiting_block_of_unknown = True
                continue
            record = handler(fields, lineno)
            if record is not None:
                yield record

        if not seen_record:
            raise SieError("empty_file", 1)
        if voucher_head is not None:
            if rows is None:
                raise SieError("voucher_without_rows", voucher_head[1])
            if not implicit_block:
                raise SieError("unclosed_voucher", voucher_head[1])
            yield self._voucher(voucher_head, rows, total)
        if skipping:
            raise SieError("stray_open_brace", skipping)
        if crc is not None:
            raise SieError("checksum_missing_end", crc_line)
        self._finish(lineno)

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
            fields = split_fields(s, n)
            crc.add("".join(_flat(fields)).encode(self.encoding, "replace"))
        return crc.value

    # -- rows and vouchers -----------------------------------------------------------------

    def _row(self, kind: RowKind, s: str, line: int) -> TransactionRow:
        """One #TRANS/#RTRANS/#BTRANS line. The common shapes take a fast path that slices
        the line; anything unusual goes through the general tokenizer."""
        label = kind.value
        fast = _fast_row_fields(s)
        if fast is not None:
            account, raw_objects, rest = fast
            objects = self._objects_raw(raw_objects, line)
        else:
            f = split_fields(s, line, self._warn)
            account = _str(f, 1, line, label)
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

    def _voucher(
        self, head: tuple[Fields, int], rows: list[TransactionRow], total: Decimal
    ) -> Voucher:
        f, line = head
        series = _str(f, 1, line, "VER").strip()
        number_text = _str(f, 2, line, "VER").strip()
        if number_text:
            if _INT(number_text) is None:
                raise SieError("bad_voucher_number", line, value=number_text[:40])
            number: int | None = int(number_text)
        else:
            number = None
        date = self._required_date(f, 3, line, "VER")
        text = _str(f, 4, line, "VER").strip()
        registered = self._optional_date(_str(f, 5, line, "VER"), line)
        sign = _str(f, 6, line, "VER").strip()
        name = f"{series} {number_text}".strip() or str(line)
        if not rows:
            self._warn("empty_voucher", line, voucher=name)
        elif total:
            self._warn("unbalanced_voucher", line, voucher=name, total=str(total))
        return Voucher(series, number, date, text, registered, sign, tuple(rows), line)

    # -- the other records -----------------------------------------------------------------

    def _handlers(self) -> dict[str, Any]:
        return {
            "FLAGGA": self._flagga,
            "PROGRAM": self._program,
            "FORMAT": lambda f, n: Format(_str(f, 1, n, "FORMAT").strip(), n),
            "GEN": self._gen,
            "SIETYP": self._sietyp,
            "PROSA": lambda f, n: Prosa(self._rest_text(f, 1, n, "PROSA"), n),
            "FTYP": lambda f, n: CompanyType(_str(f, 1, n, "FTYP").strip(), n),
            "FNR": lambda f, n: CompanyId(self._rest_text(f, 1, n, "FNR"), n),
            "ORGNR": self._orgnr,
            "BKOD": lambda f, n: IndustryCode(_str(f, 1, n, "BKOD").strip(), n),
            "ADRESS": self._adress,
            "FNAMN": self._fnamn,
            "RAR": self._rar,
            "TAXAR": self._taxar,
            "OMFATTN": lambda f, n: Extent(self._required_date(f, 1, n, "OMFATTN"), n),
            "KPTYP": lambda f, n: ChartType(_str(f, 1, n, "KPTYP").strip(), n),
            "VALUTA": lambda f, n: Currency(_str(f, 1, n, "VALUTA").strip(), n),
            "KONTO": self._konto,
            "KTYP": self._ktyp,
            "ENHET": self._enhet,
            "SRU": self._sru,
            "DIM": self._dim,
            "UNDERDIM": self._dim,
            "OBJEKT": self._objekt,
            "IB": self._balance,
            "UB": self._balance,
            "RES": self._balance,
            "OIB": self._object_balance,
            "OUB": self._object_balance,
            "PSALDO": self._period_balance,
            "PBUDGET": self._period_balance,
        }

    def _rest_text(self, f: Fields, i: int, line: int, label: str) -> str:
        """A record's last text field; unquoted words after it are joined to it (real files
        write `#FNAMN Övningsbolaget AB`)."""
        text = _str(f, i, line, label)
        if len(f) > i + 1 and all(isinstance(x, str) for x in f[i + 1 :]):
            text = " ".join([text, *f[i + 1 :]])
            self._warn("unquoted_text", line, text=text[:80])
        return text.strip()

    def _flagga(self, f: Fields, line: int) -> Flag | None:
        v = _str(f, 1, line, "FLAGGA").strip()
        if v not in ("0", "1"):
            self._warn("ignored_field", line, label="FLAGGA", value=v[:40])
            return None
        if v == "1":
            self._warn("already_imported", line)
        return Flag(int(v), line)

    def _program(self, f: Fields, line: int) -> Program:
        name = _str(f, 1, line, "PROGRAM").strip()
        version = _str(f, 2, line, "PROGRAM").strip()
        if not version:
            self._warn("missing_program_version", line, program=name[:80])
        return Program(name, version, line)

    def _gen(self, f: Fields, line: int) -> Generated | None:
        v = _str(f, 1, line, "GEN")
        if not v:
            self._warn("ignored_field", line, label="GEN", value=v)
            return None
        return Generated(self._date(v, line), _str(f, 2, line, "GEN").strip(), line)

    def _sietyp(self, f: Fields, line: int) -> SieType:
        v = _str(f, 1, line, "SIETYP").strip()
        if v not in ("1", "2", "3", "4"):
            raise SieError("bad_sie_type", line, value=v[:40])
        self.sie_type = int(v)
        return SieType(int(v), line)

    def _orgnr(self, f: Fields, line: int) -> OrgNumber:
        number = _str(f, 1, line, "ORGNR").strip()
        if number and not _ORGNR_STANDARD(number):
            self._warn("org_number_form", line, value=number[:40])
        return OrgNumber(
            number, _str(f, 2, line, "ORGNR").strip(), _str(f, 3, line, "ORGNR").strip(), line
        )

    def _adress(self, f: Fields, line: int) -> Address:
        contact, street, postal, phone = (_str(f, i, line, "ADRESS").strip() for i in range(1, 5))
        return Address(contact, street, postal, phone, line)

    def _fnamn(self, f: Fields, line: int) -> CompanyName:
        name = self._rest_text(f, 1, line, "FNAMN")
        if not name:
            self._warn("missing_name", line, label="FNAMN")
        return CompanyName(name, line)

    def _rar(self, f: Fields, line: int) -> FiscalYear | None:
        index = self._year(f, 1, line, "RAR")
        if len(f) < 3:
            # An official 4I test file writes `#RAR 0` without dates (#RAR is optional in 4I).
            self._warn("ignored_field", line, label="RAR", value=" ".join(f[1:]))
            return None
        start = self._required_date(f, 2, line, "RAR")
        end = self._required_date(f, 3, line, "RAR")
        if end < start:
            raise SieError(
                "fiscal_year_reversed", line, start=start.isoformat(), end=end.isoformat()
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > 18:
            self._warn("fiscal_year_long", line, start=start.isoformat(), end=end.isoformat())
        return FiscalYear(index, start, end, line)

    def _taxar(self, f: Fields, line: int) -> TaxYear | None:
        v = _str(f, 1, line, "TAXAR").strip()
        if len(v) != 4 or not v.isascii() or not v.isdigit():
            self._warn("ignored_field", line, label="TAXAR", value=v[:40])
            return None
        return TaxYear(int(v), line)

    def _declared_account(self, f: Fields, line: int, label: str) -> str | None:
        number = _str(f, 1, line, label).strip()
        if not number:
            self._warn("account_without_number", line, label=label)
            return None
        if number not in self._accounts_seen:
            self._accounts_seen.add(number)
            if not (number.isascii() and number.isdigit()):
                self._warn("non_numeric_account", line, account=number)
        return number

    def _konto(self, f: Fields, line: int) -> Account | None:
        number = self._declared_account(f, line, "KONTO")
        if number is None:
            return None
        self._accounts_declared.add(number)
        name = self._rest_text(f, 2, line, "KONTO")
        if not name:
            self._warn("missing_name", line, label="KONTO")
        return Account(number, name, line)

    def _ktyp(self, f: Fields, line: int) -> AccountType | None:
        number = self._declared_account(f, line, "KTYP")
        type_ = _str(f, 2, line, "KTYP").strip().upper()
        if number is None:
            return None
        if type_ not in ("T", "S", "K", "I"):
            self._warn("ignored_field", line, label="KTYP", value=type_[:40])
            return None
        return AccountType(number, type_, line)

    def _enhet(self, f: Fields, line: int) -> Unit | None:
        number = self._declared_account(f, line, "ENHET")
        unit = _str(f, 2, line, "ENHET").strip()
        if number is None:
            return None
        if not unit:
            self._warn("ignored_field", line, label="ENHET", value=unit)
            return None
        return Unit(number, unit, line)

    def _sru(self, f: Fields, line: int) -> SruCode | None:
        number = self._declared_account(f, line, "SRU")
        code = _str(f, 2, line, "SRU").strip()
        if number is None:
            return None
        if not code:
            self._warn("ignored_field", line, label="SRU", value=code)
            return None
        return SruCode(number, code, line)

    def _dim(self, f: Fields, line: int) -> Dimension:
        label = f[0][1:]
        number = self._dimension(_str(f, 1, line, label).strip(), line, label)
        name = self._rest_text(f, 2, line, label) if label == "DIM" else _str(f, 2, line, label)
        parent = None
        if label == "UNDERDIM":
            parent = self._dimension(_str(f, 3, line, label).strip(), line, label)
        return Dimension(number, name.strip(), parent, line)

    def _objekt(self, f: Fields, line: int) -> Object:
        dim = self._dimension(_str(f, 1, line, "OBJEKT").strip(), line, "OBJEKT")
        code = _str(f, 2, line, "OBJEKT")
        if not code:
            raise SieError("missing_object", line, label="OBJEKT")
        return Object(dim, code, self._rest_text(f, 3, line, "OBJEKT"), line)

    def _balance(self, f: Fields, line: int) -> Balance:
        label = f[0][1:]
        self._has_balances = True
        year = self._year(f, 1, line, label)
        account = self._account(_str(f, 2, line, label).strip(), line, label)
        amount = self._amount(_str(f, 3, line, label), line, label)
        quantity = self._quantity(_str(f, 4, line, label), line)
        return Balance(BalanceKind(label), year, account, amount, (), quantity, line)

    def _object_list_at(self, f: Fields, i: int, line: int, label: str) -> tuple[ObjectList, int]:
        """The object list expected at field i, and the index after it (tolerates none)."""
        if len(f) > i and isinstance(f[i], list):
            return self._objects(f[i], line), i + 1
        self._warn("missing_object_list", line, label=label)
        return (), i

    def _object_balance(self, f: Fields, line: int) -> Balance:
        label = f[0][1:]
        self._has_balances = True
        year = self._year(f, 1, line, label)
        account = self._account(_str(f, 2, line, label).strip(), line, label)
        objects, i = self._object_list_at(f, 3, line, label)
        amount = self._amount(_str(f, i, line, label), line, label)
        quantity = self._quantity(_str(f, i + 1, line, label), line)
        return Balance(BalanceKind(label), year, account, amount, objects, quantity, line)

    def _period_balance(self, f: Fields, line: int) -> PeriodBalance:
        label = f[0][1:]
        year = self._year(f, 1, line, label)
        period_text = _str(f, 2, line, label).strip()
        account_text = _str(f, 3, line, label).strip()
        if _is_period(account_text) and not _is_period(period_text):
            # A BL export converted to ISO-8859-15 writes the account before the period.
            self._warn(
                "swapped_period", line, label=label, period=account_text, account=period_text
            )
            period_text, account_text = account_text, period_text
        period = self._period(period_text, line, label)
        account = self._account(account_text, line, label)
        objects, i = self._object_list_at(f, 4, line, label)
        amount = self._amount(_str(f, i, line, label), line, label)
        quantity = self._quantity(_str(f, i + 1, line, label), line)
        return PeriodBalance(
            PeriodKind(label), year, period, account, amount, objects, quantity, line
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


def _is_period(v: str) -> bool:
    return len(v) == 6 and v.isascii() and v.isdigit() and 1 <= int(v[4:]) <= 12


def _str(f: Fields, i: int, line: int, label: str) -> str:
    """Field i as text ("" when missing), refusing an object list in its place."""
    if i >= len(f):
        return ""
    v = f[i]
    if isinstance(v, list):
        raise SieError("misplaced_object_list", line, label=label)
    return v


def _flat(fields: Fields) -> Iterator[str]:
    for v in fields:
        if isinstance(v, list):
            yield from v
        else:
            yield v


def _fast_row_fields(s: str) -> tuple[str, str, list[str]] | None:
    """(account, text between the braces, the fields after them) of a row line in its usual
    shape — `#TRANS 1930 {1 "10"} -100.50 20250101 "Text"` — or None for anything else."""
    i = s.find("{")
    if i < 0:
        return None
    j = s.find("}", i)
    if j < 0:
        return None
    head = s[:i].split()
    if len(head) != 2 or '"' in head[1] or '\\"' in s:
        return None
    raw = s[i + 1 : j]
    if "{" in raw or (raw.count('"') & 1):
        return None
    tail = s[j + 1 :]
    if "{" in tail or "}" in tail:
        return None
    if '"' not in tail:
        return head[1], raw.strip(), _split_ws(tail)
    parts = tail.split('"')
    if not _quotes_are_clean([" ", *parts[1:]]) or (parts[0] and parts[0][-1] not in " \t"):
        return None
    rest: list[str] = []
    for k, part in enumerate(parts):
        if k & 1:
            if "\t" in part:
                return None
            rest.append(part)
        elif part:
            rest.extend(_split_ws(part))
    return head[1], raw.strip(), rest


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
