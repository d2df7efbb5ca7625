"""Importing SIE files into the books: streamed, atomic, idempotent.

`sie_import(company=..., source=...)` reads a SIE file of any type with the streaming SIE
reader and writes it in one transaction: any refusal (a broken file, an organisation number
that belongs to another company) leaves the books as they were, and the error names the
line. `books_import(access=...)` is the same for a user (it checks the right to change the
books).

Importing is a merge by natural keys, so the same file twice changes nothing (no row is
written, so the sync has nothing to send) and a later export of the same books updates them
without duplicates:

* fiscal years by start; accounts by number; dimensions by number; objects by dimension and
  code; series by code: created or updated, never deleted;
* vouchers by fiscal year, series and number, their rows by position: new ones inserted,
  changed ones updated, and in a 4E file, vouchers of the file's fiscal years that the file
  no longer has are deleted (a 4I file only adds and updates vouchers);
* balances by fiscal year, kind, account and object: replaced for every year and kind the
  file states (a type 1 file leaves period balances alone, a 4I file all balances).

Speed: new rows are written from prepared tuples, never model instances (`executemany` on
SQLite, `COPY` on PostgreSQL), without the capture triggers (see _Writer), and logged in the
change log afterwards by one `INSERT ... SELECT` per table; updates and deletes go through
the capture triggers as usual. Either way every written row is captured exactly once.
Memory stays flat: vouchers are handled in chunks as the reader yields them.
"""

# SQL here is built from our own table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import io
import json
import os
import uuid
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import uuid_utils
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from skrivbord.accounting import models as m
from skrivbord.accounting.sie import model as sie
from skrivbord.accounting.sie.errors import SieError
from skrivbord.accounting.sie.reader import SieReader
from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess, KeptElsewhere
from skrivbord.core.ids import new_id
from skrivbord.core.models import Company
from skrivbord.core.validators import normalize_org_number
from skrivbord.sync import actor, capture

#: Vouchers handled (and written) together.
CHUNK_VOUCHERS = 2000
#: SQLite page cache during an import, in KiB (the default is 2 MB).
SQLITE_CACHE_KIB = 64 * 1024
#: Warnings of one kind listed by the importer itself; more are counted.
MAX_WARNINGS_PER_CODE = 20

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)

MESSAGES: dict[str, str] = {
    "org_number_mismatch": gettext_noop(
        "The file is the books of organisation number %(file)s, but %(company)s has "
        "organisation number %(ours)s. Import it anyway only if it really is this company's "
        "books (--force, or confirm in the upload)."
    ),
    "org_number_invalid": gettext_noop(
        "Line %(line)s: the file's organisation number %(value)s is not a valid Swedish "
        "organisation number."
    ),
    "year_overlaps": gettext_noop(
        "Line %(line)s: the fiscal year from %(start)s to %(end)s overlaps the fiscal year "
        "from %(other_start)s to %(other_end)s already in the books."
    ),
    "unknown_year": gettext_noop(
        "Line %(line)s: #%(label)s refers to year %(year)s, which the file's #RAR records do "
        "not declare; the record was left out."
    ),
    "duplicate_voucher": gettext_noop(
        "Line %(line)s: the voucher number %(voucher)s was used before, on line %(first)s; "
        "both vouchers were imported."
    ),
    "duplicate_balance": gettext_noop(
        "Line %(line)s: #%(label)s for account %(account)s appears twice for the same year; "
        "the later one was kept."
    ),
    "too_long": gettext_noop(
        "Line %(line)s: the %(what)s “%(value)s” is longer than %(limit)s characters."
    ),
    "text_cut": gettext_noop(
        "Line %(line)s: a text longer than %(limit)s characters was shortened."
    ),
    "quantity_range": gettext_noop(
        "Line %(line)s: the quantity %(value)s cannot be stored (more than 6 decimals or too "
        "large)."
    ),
    "several_objects": gettext_noop(
        "Line %(line)s: #%(label)s names more than one object; only the first was kept."
    ),
    "more_warnings": gettext_noop("%(count)s more warnings of this kind (%(code)s)."),
}


class ImportRefused(Exception):
    """The file was not imported, and nothing changed. `message` says why, in the active
    language, naming the line where there is one."""

    def __init__(self, code: str, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


class OrgNumberMismatch(ImportRefused):
    """The file belongs to another organisation number: import only if the user confirms
    (`force=True`)."""


@dataclass(frozen=True)
class ImportWarning:
    line: int
    code: str
    message: str
    severity: str

    def __str__(self) -> str:
        return self.message


@dataclass
class ImportResult:
    """What a file held and what the import changed."""

    company_name: str = ""
    org_number: str = ""
    program: str = ""
    kind: str = ""
    encoding: str = ""
    fiscal_years: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    accounts: int = 0
    vouchers: int = 0
    transactions: int = 0
    rows: int = 0
    balances: int = 0
    period_balances: int = 0
    warnings: list[ImportWarning] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(+self.created or +self.updated or +self.deleted)

    @property
    def written(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())


def books_import(
    *,
    access: CompanyAccess,
    source: Any,
    filename: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a SIE file into the company's books for a user (web upload): needs the right to
    change the accounting module. See `sie_import`."""
    access.require("accounting", "change")
    with actor.acting_as(access.user.email):
        result = sie_import(
            company=access.company,
            source=source,
            filename=filename,
            force=force,
            progress=progress,
        )
    from skrivbord.accounting.checks.services import books_check_after_import

    books_check_after_import(company=access.company, result=result)
    return result


def sie_import(
    *,
    company: Company,
    source: Any,
    filename: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    using: str = "default",
) -> ImportResult:
    """Import a SIE file (a path, bytes, or a binary file object) into `company`'s books.

    Atomic: raises ImportRefused (OrgNumberMismatch when the file's organisation number is
    another company's and `force` is not given) and changes nothing, or imports all of it.
    `progress(done, total)` hears how many bytes of the file have been read, about once a
    megabyte. The caller decides who may import; on the online node the books are the
    office's and cannot be imported.
    """
    module = registry.get("accounting")
    if registry.module_read_only_on(module, settings.NODE):
        raise KeptElsewhere(settings.NODE)
    started = timezone.now()
    stream, size, name, owned = _open(source, filename)
    counting = _CountingReader(stream, size, progress)
    job = _Import(company, using=using, force=force)
    try:
        reader = SieReader(counting, filename=name)  # type: ignore[arg-type]
        with transaction.atomic(using=using), _large_cache(using):
            try:
                job.run(reader)
            finally:
                job.close()
    except SieError as error:
        raise ImportRefused(
            error.code, _(error.template) % dict(error.params), error.line
        ) from error
    finally:
        if owned:
            stream.close()
    result = job.result
    result.encoding = reader.encoding
    result.kind = reader.kind
    result.warnings = _reader_warnings(reader) + job.warnings()
    result.seconds = (timezone.now() - started).total_seconds()
    if progress is not None:
        progress(size, size)
    return result


@contextmanager
def _large_cache(using: str) -> Iterator[None]:
    """SQLite's page cache is 2 MB by default; the indexes of a million rows need more, or
    every insert waits for a page the cache just dropped (measured: 1.5x faster)."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB:d}")
        try:
            yield
        finally:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


# --- input ---------------------------------------------------------------------------------


def _open(source: Any, filename: str | None) -> tuple[IO[bytes], int, str | None, bool]:
    """(stream, size, file name, whether we opened the stream and must close it)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        return io.BytesIO(data), len(data), filename, True
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.open("rb"), path.stat().st_size, filename or path.name, True
    stream = source
    if not stream.seekable():
        data = stream.read()
        return io.BytesIO(data), len(data), filename, True
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    name = filename or getattr(stream, "name", None)
    return stream, size, name if isinstance(name, str) else None, False


class _CountingReader(io.RawIOBase):
    """The file as the reader sees it, reporting progress. The reader reads the file once to
    detect the encoding and once more for the records; the second pass is the import."""

    def __init__(self, stream: IO[bytes], size: int, progress: Progress | None) -> None:
        super().__init__()
        self._stream = stream
        self._size = size
        self._progress = progress
        self._pass = 0
        self._done = 0
        self._reported = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = self._stream.seek(offset, whence)
        if position == 0:
            self._pass += 1
            self._done = 0
        return position

    def tell(self) -> int:
        return self._stream.tell()

    def read(self, size: int | None = -1) -> bytes:
        data = self._stream.read(-1 if size is None else size)
        if self._pass == 2 and self._progress is not None and data:
            self._done += len(data)
            if self._done > self._reported:
                self._reported = self._done
                self._progress(min(self._done, self._size), self._size)
        return data

    def readinto(self, buffer: Any) -> int:  # pragma: no cover - the reader uses read()
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _reader_warnings(reader: SieReader) -> list[ImportWarning]:
    return [
        ImportWarning(w.line, w.code, _(w.template) % dict(w.params), str(w.severity))
        for w in reader.warnings
    ]


# --- conversions ---------------------------------------------------------------------------


def _ore(amount: Decimal, line: int) -> int:
    scaled = amount.scaleb(2)
    units = int(scaled)
    if units != scaled:  # the reader refuses these already; this is the backstop
        raise SieError("amount_decimals", line, value=str(amount))
    return units


class _Db:
    """Values as the database driver takes them, per vendor."""

    def __init__(self, using: str) -> None:
        connection = connections[using]
        self.connection = connection
        self.sqlite = connection.vendor == "sqlite"
        self.json = "%s" if self.sqlite else "CAST(%s AS jsonb)"
        field = m.TransactionRow._meta.get_field("created_at")
        self.now = field.get_db_prep_save(timezone.now(), connection)

    def pk(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def new_pk(self) -> Any:
        """A new UUIDv7 id (as core.ids.new_id makes them) in the database's form, without
        a Python UUID object on the way: a million of them add up."""
        return uuid_utils.uuid7().hex if self.sqlite else str(uuid_utils.uuid7())

    def date(self, value: dt.date | None) -> Any:
        if value is None:
            return None
        return value.isoformat() if self.sqlite else value

    @staticmethod
    def to_date(value: Any) -> dt.date | None:
        if value is None or isinstance(value, dt.date):
            return value
        return dt.date.fromisoformat(value)

    @staticmethod
    def to_json(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str | bytes) else value

    def to_uuid(self, value: Any) -> uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


# --- the import ----------------------------------------------------------------------------

_ROW_COLUMNS = (
    "id",
    "company_id",
    "created_at",
    "updated_at",
    "voucher_id",
    "fiscal_year_id",
    "position",
    "kind",
    "account",
    "amount",
    "date",
    "text",
    "quantity",
    "sign",
    "cost_centre",
    "project",
    "object_list",
)
_ROW_COMPARED = (
    "kind",
    "account",
    "amount",
    "date",
    "text",
    "quantity",
    "sign",
    "cost_centre",
    "project",
    "object_list",
)
_VOUCHER_COLUMNS = (
    "id",
    "company_id",
    "created_at",
    "updated_at",
    "fiscal_year_id",
    "series",
    "number",
    "occurrence",
    "date",
    "text",
    "registered",
    "sign",
)
_VOUCHER_COMPARED = ("date", "text", "registered", "sign")
#: Columns every new voucher and row of an import has the same value in: SQLite takes them
#: as literals in the statement rather than bound for each row (see _Writer.put).
_FIXED = ("company_id", "created_at", "updated_at")
#: A row's kind as a plain str: the driver binds an exact str directly, a StrEnum only after
#: looking for an adapter (measured 0.4 µs a row).
_KIND_TEXT = {kind: str(kind.value) for kind in sie.RowKind}
_ROW_VARYING = tuple(c for c in _ROW_COLUMNS if c not in _FIXED)
_VOUCHER_VARYING = tuple(c for c in _VOUCHER_COLUMNS if c not in _FIXED)


class _Writer:
    """Writes the import's new rows, without the capture triggers: `log_inserts` logs them
    all at once at the end.

    On PostgreSQL each batch runs under the sync engine's marker, which the triggers check
    first. On SQLite even a trigger that checks the marker and does nothing costs more than
    the insert itself (measured: 2.4x slower), so each batch drops the table's insert
    trigger and puts it back, inside the import's transaction: no other connection can
    write meanwhile (SQLite has one writer), none ever sees the table without it, and a
    failed import rolls the trigger back with everything else.

    (A writer thread that overlapped the inserts with the parsing was tried and measured
    slower on two cores: executemany takes the interpreter lock for every row.)
    """

    def __init__(self, connection: Any) -> None:
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()
        self.sqlite = connection.vendor == "sqlite"
        self.triggers = _insert_triggers() if self.sqlite else {}

    def put(
        self,
        table: str,
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        fixed: tuple[Any, ...] = (),
    ) -> None:
        """Insert `rows` of `columns`; `fixed`, when given, the values of _FIXED for all."""
        cursor = self.cursor
        if fixed:
            columns = (*_FIXED, *columns)
        names = ", ".join(f'"{c}"' for c in columns)
        if self.sqlite:
            drop, create = self.triggers[table]
            cursor.execute(drop)
            # The fixed values as literals: fewer values to bind for each row (they are our
            # own: a hex id and a timestamp).
            marks = ", ".join([*map(_sql_literal, fixed), *"?" * (len(columns) - len(fixed))])
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
            cursor.execute(create)
        else:
            cursor.execute("INSERT INTO sync_syncapplying DEFAULT VALUES RETURNING id")
            marker = cursor.fetchone()[0]
            # COPY, PostgreSQL's bulk load: one stream instead of a statement per row
            # (measured 3x faster than executemany). jsonb takes the JSON text as it is.
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                if fixed:
                    for row in rows:
                        copy.write_row((*fixed, *row))
                else:
                    for row in rows:
                        copy.write_row(row)
            cursor.execute("DELETE FROM sync_syncapplying WHERE id = %s", (marker,))

    def close(self) -> None:
        self.cursor.close()


def _insert_triggers() -> dict[str, tuple[str, str]]:
    """table -> (drop, create) of the SQLite capture trigger on INSERT of each model of the
    books, as capture.py writes it for this node."""
    triggers = {}
    for model in m.BOOKS_MODELS:
        synced = registry.synced_model(model._meta.label_lower)
        statements = capture.sqlite_statements(synced, settings.NODE)
        drop = next(x for x in statements if x.startswith("DROP TRIGGER IF EXISTS sync_ins_"))
        create = next(x for x in statements if x.startswith("CREATE TRIGGER sync_ins_"))
        triggers[model._meta.db_table] = (drop, create)
    return triggers


@dataclass
class _Voucher:
    """A voucher of the file as the database will hold it."""

    line: int
    fiscal_year: uuid.UUID
    series: str
    number: int | None
    date: dt.date
    text: str
    registered: dt.date | None
    sign: str
    # (kind, account, amount öre, date, text, quantity units, sign, cost centre, project,
    # object list): the compared columns of each row, by position.
    rows: list[tuple[Any, ...]]
    occurrence: int = 0

    @property
    def head(self) -> tuple[Any, ...]:
        return (self.date, self.text, self.registered, self.sign)

    @property
    def name(self) -> str:
        number = "" if self.number is None else str(self.number)
        return f"{self.series} {number}".strip()


class _Seen:
    """The vouchers of one fiscal year in the file: (series, number, occurrence) -> line.

    Kept for the whole import (duplicates, and on a repeat the vouchers that disappeared),
    so it must stay small for a million rows: voucher numbers run 1, 2, 3, ... in most
    series, so the line of each number is kept in an array indexed by number (4 bytes a
    voucher instead of a hundred in a dict); large or sparse numbers and the rare repeated
    numbers go to a dict.
    """

    DENSE_LIMIT = 4_000_000

    def __init__(self) -> None:
        self._dense: dict[str, array[int]] = {}
        self._other: dict[tuple[str, int, int], int] = {}
        self._max: dict[str, int] = {}

    def get(self, series: str, number: int | None, occurrence: int) -> int:
        """The line of that voucher in the file, 0 if the file has none."""
        if number is None:
            return 0
        if occurrence == 0 and 0 <= number < self.DENSE_LIMIT:
            lines = self._dense.get(series)
            return lines[number] if lines is not None and number < len(lines) else 0
        return self._other.get((series, number, occurrence), 0)

    def add(self, series: str, number: int, occurrence: int, line: int) -> None:
        if occurrence == 0 and 0 <= number < self.DENSE_LIMIT:
            lines = self._dense.get(series)
            if lines is None:
                lines = self._dense[series] = array("I")
            if number >= len(lines):
                grow = max(number + 1, 2 * len(lines)) - len(lines)
                lines.frombytes(bytes(grow * lines.itemsize))
            lines[number] = line
        else:
            self._other[(series, number, occurrence)] = line
        if number > self._max.get(series, 0):
            self._max[series] = number

    def max_number(self, series: str) -> int:
        return self._max.get(series, 0)


@dataclass
class _Year:
    id: uuid.UUID
    start: dt.date
    end: dt.date
    #: Whether the books had vouchers in this year before the import (if not, every voucher
    #: of the file is new and is inserted without looking).
    had_vouchers: bool


class _Import:
    def __init__(self, company: Company, *, using: str, force: bool) -> None:
        self.company = company
        self.using = using
        self.force = force
        self.db = _Db(using)
        self.company_db = self.db.pk(company.id)
        self.result = ImportResult()
        self._warnings: list[ImportWarning] = []
        self._warning_counts: Counter[str] = Counter()
        self.opened = False
        # The file's identification and chart, as they come.
        self.org_number: sie.OrgNumber | None = None
        self.file_years: dict[int, sie.FiscalYear] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.dimensions: dict[int, sie.Dimension] = {}
        self.objects: dict[tuple[int, str], sie.Object] = {}
        # Balances: (year index, kind, account, dimension, code) -> (öre, quantity, line).
        self.balances: dict[tuple[int, str, str, int, str], tuple[int, int | None, int]] = {}
        self.period_balances: dict[
            tuple[int, str, str, dt.date, int, str], tuple[int, int | None, int]
        ] = {}
        # Vouchers.
        self.years: list[_Year] = []
        self.year_by_index: dict[int, _Year] = {}
        self.pending: list[_Voucher] = []
        self.unnumbered: list[_Voucher] = []
        #: Per fiscal year, the vouchers of the file: (series, number, occurrence) -> line.
        self.seen: dict[uuid.UUID, _Seen] = defaultdict(_Seen)
        self.voucher_years: set[uuid.UUID] = set()
        self.series: set[str] = set()
        self.used_accounts: set[str] = set()
        self.objects_used: set[tuple[int, str]] = set()
        self.kind = ""
        #: Tables this import inserted into: table -> (label, rowid before, on SQLite).
        self.inserted: dict[str, tuple[str, int]] = {}
        self.writer: _Writer | None = None
        self._dates: dict[dt.date, Any] = {}
        self._objects: dict[sie.ObjectList, tuple[str, str, str]] = {}

    # -- warnings ----------------------------------------------------------------------------

    def warn(self, code: str, line: int, severity: str = "warning", **params: object) -> None:
        self._warning_counts[code] += 1
        if self._warning_counts[code] <= MAX_WARNINGS_PER_CODE:
            message = _(MESSAGES[code]) % {"line": line, **params}
            self._warnings.append(ImportWarning(line, code, message, severity))

    def warnings(self) -> list[ImportWarning]:
        extra = [
            ImportWarning(
                0,
                "more_warnings",
                _(MESSAGES["more_warnings"]) % {"count": n - MAX_WARNINGS_PER_CODE, "code": code},
                "info",
            )
            for code, n in self._warning_counts.items()
            if n > MAX_WARNINGS_PER_CODE
        ]
        return self._warnings + extra

    def refuse(self, code: str, line: int | None = None, **params: object) -> ImportRefused:
        return ImportRefused(code, _(MESSAGES[code]) % {"line": line, **params}, line)

    def text(self, value: str, limit: int, line: int) -> str:
        if len(value) > limit:
            self.warn("text_cut", line, limit=limit)
            return value[:limit]
        return value

    def code(self, value: str, limit: int, line: int, what: str) -> str:
        if len(value) > limit:
            raise self.refuse("too_long", line, what=_(what), value=value[:60], limit=limit)
        return value

    def quantity(self, value: Decimal | None, line: int) -> int | None:
        if value is None:
            return None
        scaled = value.scaleb(6)
        units = int(scaled)
        if units != scaled or abs(units) >= 2**63:
            raise self.refuse("quantity_range", line, value=str(value))
        return units

    # -- the run -----------------------------------------------------------------------------

    def run(self, reader: SieReader) -> None:
        handlers: dict[type, Callable[[Any], None]] = {
            sie.Voucher: self.voucher,
            sie.Balance: self.balance,
            sie.PeriodBalance: self.period_balance,
            sie.Program: self.program,
            sie.CompanyName: self.company_name,
            sie.OrgNumber: self.org,
            sie.FiscalYear: self.fiscal_year,
            sie.Account: self.account,
            sie.AccountType: self.account_type,
            sie.Unit: self.unit,
            sie.SruCode: self.sru,
            sie.Dimension: self.dimension,
            sie.Object: self.object,
        }
        for record in reader:
            handler = handlers.get(type(record))
            if handler is not None:
                handler(record)
        # Only known at the end: 4E or 4I (by content and extension), and the checksum.
        self.kind = reader.kind
        self.open()
        self.flush_vouchers()
        self.finish_unnumbered()
        self.finish_chart()
        self.finish_vouchers()
        self.finish_balances()
        self.log_inserts()

    # -- identification and chart ------------------------------------------------------------

    def program(self, record: sie.Program) -> None:
        self.result.program = f"{record.name} {record.version}".strip()

    def company_name(self, record: sie.CompanyName) -> None:
        self.result.company_name = record.value

    def org(self, record: sie.OrgNumber) -> None:
        self.org_number = record
        self.result.org_number = record.number

    def fiscal_year(self, record: sie.FiscalYear) -> None:
        self.file_years[record.index] = record
        if self.opened:
            self.year_for_index(record)

    def account(self, record: sie.Account) -> None:
        number = self.code(
            record.number, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        entry = self.accounts.setdefault(number, {})
        entry["name"] = self.text(record.name, m.NAME_LENGTH, record.line)

    def account_type(self, record: sie.AccountType) -> None:
        number = self.code(
            record.account, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        kind = record.type.upper()[:1]
        if kind in m.AccountType.values:
            self.accounts.setdefault(number, {})["type"] = kind

    def unit(self, record: sie.Unit) -> None:
        number = self.code(
            record.account, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        self.accounts.setdefault(number, {})["unit"] = self.text(record.unit, 20, record.line)

    def sru(self, record: sie.SruCode) -> None:
        number = self.code(
            record.account, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        self.accounts.setdefault(number, {})["sru"] = self.code(
            record.code, 20, record.line, gettext_noop("SRU code")
        )

    def dimension(self, record: sie.Dimension) -> None:
        self.dimensions[record.number] = record

    def object(self, record: sie.Object) -> None:
        code = self.code(
            record.code, m.OBJECT_CODE_LENGTH, record.line, gettext_noop("object number")
        )
        self.objects[(record.dimension, code)] = record

    # -- opening: identity checked, fiscal years in place --------------------------------

    def open(self) -> None:
        """Once the identification is read (at the first balance or voucher): check whose
        books these are and put the file's fiscal years in place."""
        if self.opened:
            return
        self.opened = True
        self.check_org_number()
        existing = m.FiscalYear.objects.using(self.using).filter(company=self.company)
        for year in existing.order_by("start"):
            self.years.append(_Year(year.id, year.start, year.end, had_vouchers=True))
        with_vouchers = set(
            m.Voucher.objects.using(self.using)
            .filter(company=self.company)
            .values_list("fiscal_year_id", flat=True)
            .distinct()
        )
        for known in self.years:
            known.had_vouchers = known.id in with_vouchers
        for record in sorted(self.file_years.values(), key=lambda r: r.index, reverse=True):
            self.year_for_index(record)
        self.result.fiscal_years = sorted((r.start, r.end) for r in self.file_years.values())

    def check_org_number(self) -> None:
        record = self.org_number
        if record is None or not record.number.strip():
            return
        try:
            theirs = normalize_org_number(record.number)
        except ValidationError:
            self.warn("org_number_invalid", record.line, value=record.number)
            theirs = record.number.strip()
        ours = self.company.org_number
        if self.force or not ours or _digits(theirs)[-10:] == _digits(ours)[-10:]:
            return
        raise OrgNumberMismatch(
            "org_number_mismatch",
            _(MESSAGES["org_number_mismatch"])
            % {"file": theirs, "company": self.company.name, "ours": ours},
            record.line,
        )

    def year_for_index(self, record: sie.FiscalYear) -> _Year:
        for year in self.years:
            if year.start == record.start:
                if year.end != record.end:
                    m.FiscalYear.objects.using(self.using).filter(id=year.id).update(
                        end=record.end, updated_at=timezone.now()
                    )
                    year.end = record.end
                    self.result.updated["accounting.fiscalyear"] += 1
                self.year_by_index[record.index] = year
                return year
        for year in self.years:
            if year.start <= record.end and record.start <= year.end:
                raise self.refuse(
                    "year_overlaps",
                    record.line,
                    start=record.start.isoformat(),
                    end=record.end.isoformat(),
                    other_start=year.start.isoformat(),
                    other_end=year.end.isoformat(),
                )
        year = self.create_year(record.start, record.end)
        self.year_by_index[record.index] = year
        return year

    def create_year(self, start: dt.date, end: dt.date) -> _Year:
        created = _Year(new_id(), start, end, had_vouchers=False)
        self.insert(
            m.FiscalYear,
            ("id", "company_id", "created_at", "updated_at", "start", "end"),
            [
                (
                    self.db.pk(created.id),
                    self.company_db,
                    self.db.now,
                    self.db.now,
                    self.db.date(start),
                    self.db.date(end),
                )
            ],
        )
        self.years.append(created)
        self.years.sort(key=lambda y: y.start)
        return created

    def year_of_date(self, date: dt.date, line: int) -> _Year:
        """The fiscal year a voucher of this date belongs to: the file's year that holds the
        date (or its current year), else the books' own, else a new one that starts in the
        company's first month of the fiscal year."""
        for year in self.year_by_index.values():
            if year.start <= date <= year.end:
                return year
        if 0 in self.year_by_index:
            return self.year_by_index[0]
        for year in self.years:
            if year.start <= date <= year.end:
                return year
        month = self.company.fiscal_year_start_month
        first = date.year if date.month >= month else date.year - 1
        start = dt.date(first, month, 1)
        end = dt.date(first + 1, month, 1) - dt.timedelta(days=1)
        # The books' own years win where the guess would overlap them.
        for year in self.years:
            if year.end < date:
                start = max(start, year.end + dt.timedelta(days=1))
            elif year.start > date:
                end = min(end, year.start - dt.timedelta(days=1))
        return self.create_year(start, end)

    # -- balances --------------------------------------------------------------------------

    def balance(self, record: sie.Balance) -> None:
        self.open()
        account = self.code(
            record.account, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        dimension, code = self.first_object(record.objects, record.kind.value, record.line)
        key = (record.year, record.kind.value, account, dimension, code)
        if key in self.balances:
            self.warn("duplicate_balance", record.line, label=record.kind.value, account=account)
        self.balances[key] = (
            _ore(record.amount, record.line),
            self.quantity(record.quantity, record.line),
            record.line,
        )
        self.used_accounts.add(account)

    def period_balance(self, record: sie.PeriodBalance) -> None:
        self.open()
        account = self.code(
            record.account, m.ACCOUNT_NUMBER_LENGTH, record.line, gettext_noop("account number")
        )
        dimension, code = self.first_object(record.objects, record.kind.value, record.line)
        key = (record.year, record.kind.value, account, record.period, dimension, code)
        if key in self.period_balances:
            self.warn("duplicate_balance", record.line, label=record.kind.value, account=account)
        self.period_balances[key] = (
            _ore(record.amount, record.line),
            self.quantity(record.quantity, record.line),
            record.line,
        )
        self.used_accounts.add(account)

    def first_object(self, objects: sie.ObjectList, label: str, line: int) -> tuple[int, str]:
        if not objects:
            return 0, ""
        if len(objects) > 1:
            self.warn("several_objects", line, label=label)
        first = objects[0]
        code = self.code(first.code, m.OBJECT_CODE_LENGTH, line, gettext_noop("object number"))
        self.objects_used.add((first.dimension, code))
        return first.dimension, code

    # -- vouchers ----------------------------------------------------------------------------

    def voucher(self, record: sie.Voucher) -> None:
        self.open()
        line = record.line
        series = self.code(record.series, m.SERIES_LENGTH, line, gettext_noop("voucher series"))
        year = self.year_of_date(record.date, line)
        rows = []
        dates = self._dates
        voucher_date = self.date_db(record.date)
        objects_db = self.objects_db
        used_accounts = self.used_accounts
        kind_text = _KIND_TEXT
        account_length, text_length, sign_length = (
            m.ACCOUNT_NUMBER_LENGTH,
            m.TEXT_LENGTH,
            m.SIGN_LENGTH,
        )
        for row in record.rows:
            account = row.account
            if len(account) > account_length:
                self.code(account, account_length, row.line, gettext_noop("account number"))
            used_accounts.add(account)
            if row.objects:
                cost_centre, project, object_list = objects_db(row.objects, row.line)
            else:
                cost_centre = project = ""
                object_list = "[]"
            text = row.text
            if len(text) > text_length:
                text = self.text(text, text_length, row.line)
            sign = row.sign
            if len(sign) > sign_length:
                sign = self.text(sign, sign_length, row.line)
            date = row.date
            rows.append(
                (
                    kind_text[row.kind],
                    account,
                    # The reader refuses amounts with more than two decimals: this is exact.
                    int(row.amount.scaleb(2)),
                    voucher_date if date is None else (dates.get(date) or self.date_db(date)),
                    text,
                    None if row.quantity is None else self.quantity(row.quantity, row.line),
                    sign,
                    cost_centre,
                    project,
                    object_list,
                )
            )
        voucher = _Voucher(
            line=line,
            fiscal_year=year.id,
            series=series,
            number=record.number,
            date=record.date,
            text=self.text(record.text, m.TEXT_LENGTH, line),
            registered=record.registered,
            sign=self.text(record.sign, m.SIGN_LENGTH, line),
            rows=rows,
        )
        self.result.vouchers += 1
        self.result.rows += len(rows)
        self.result.transactions += sum(1 for r in rows if r[0] == "TRANS")
        self.series.add(series)
        self.voucher_years.add(year.id)
        if voucher.number is None:
            self.unnumbered.append(voucher)
            return
        seen = self.seen[year.id]
        first = seen.get(series, voucher.number, 0)
        if first:
            # Real files do this (see Voucher.occurrence): keep both, in file order.
            while seen.get(series, voucher.number, voucher.occurrence):
                voucher.occurrence += 1
            self.warn("duplicate_voucher", line, voucher=voucher.name, first=first)
        seen.add(series, voucher.number, voucher.occurrence, line)
        self.pending.append(voucher)
        if len(self.pending) >= CHUNK_VOUCHERS:
            self.flush_vouchers()

    def date_db(self, date: dt.date) -> Any:
        """A date in the database's form (dates repeat: each is converted once)."""
        value = self._dates.get(date)
        if value is None:
            value = self._dates[date] = self.db.date(date)
        return value

    def objects_db(self, objects: sie.ObjectList, line: int) -> tuple[str, str, str]:
        """(cost centre, project, object list as JSON) of a row's objects. Rows share a few
        hundred combinations, so each is worked out once."""
        found = self._objects.get(objects)
        if found is not None:
            return found
        cost_centre = project = ""
        pairs = []
        for ref in objects:
            code = self.code(ref.code, m.OBJECT_CODE_LENGTH, line, gettext_noop("object number"))
            pairs.append([ref.dimension, code])
            self.objects_used.add((ref.dimension, code))
            if ref.dimension == 1 and not cost_centre:
                cost_centre = code
            elif ref.dimension == 6 and not project:
                project = code
        found = (cost_centre, project, _json_text(pairs))
        if len(self._objects) > 100_000:
            self._objects.clear()
        self._objects[objects] = found
        return found

    def year(self, year_id: uuid.UUID) -> _Year:
        return next(year for year in self.years if year.id == year_id)

    def flush_vouchers(self) -> None:
        """Write a chunk of vouchers: new ones straight in, the others compared first."""
        if not self.pending:
            return
        new: list[_Voucher] = []
        known: list[_Voucher] = []
        fresh = {year.id for year in self.years if not year.had_vouchers}
        for voucher in self.pending:
            (new if voucher.fiscal_year in fresh else known).append(voucher)
        self.pending = []
        if known:
            new += self.merge_known(known)
        self.insert_vouchers(new)

    def merge_known(self, vouchers: list[_Voucher]) -> list[_Voucher]:
        """Compare vouchers with the books' vouchers of the same keys; update what differs.
        Returns the vouchers the books do not have yet."""
        db = self.db
        groups: dict[tuple[uuid.UUID, str], list[_Voucher]] = defaultdict(list)
        for voucher in vouchers:
            groups[(voucher.fiscal_year, voucher.series)].append(voucher)
        existing: dict[tuple[uuid.UUID, str, int, int], tuple[Any, ...]] = {}
        with self.cursor() as cursor:
            for (year_id, series), group in groups.items():
                numbers = sorted({v.number for v in group if v.number is not None})
                cursor.execute(
                    "SELECT id, number, occurrence, date, text, registered, sign "
                    "FROM accounting_voucher "
                    "WHERE company_id = %s AND fiscal_year_id = %s AND series = %s "
                    f"AND number IN ({', '.join(['%s'] * len(numbers))})",
                    [self.company_db, db.pk(year_id), series, *numbers],
                )
                for row_id, number, occurrence, date, text, registered, sign in cursor:
                    existing[(year_id, series, number, occurrence)] = (
                        db.to_uuid(row_id),
                        (db.to_date(date), text, db.to_date(registered), sign),
                    )
        rows_of = self.rows_of([value[0] for value in existing.values()])
        new = []
        for voucher in vouchers:
            assert voucher.number is not None
            found = existing.get(
                (voucher.fiscal_year, voucher.series, voucher.number, voucher.occurrence)
            )
            if found is None:
                new.append(voucher)
                continue
            self.update_voucher(found[0], found[1], rows_of.get(found[0], {}), voucher)
        return new

    def rows_of(self, voucher_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[int, tuple]]:
        """The rows of the books' vouchers: voucher id -> position -> (row id, compared)."""
        db = self.db
        found: dict[uuid.UUID, dict[int, tuple]] = defaultdict(dict)
        with self.cursor() as cursor:
            for start in range(0, len(voucher_ids), 500):
                chunk = voucher_ids[start : start + 500]
                cursor.execute(
                    "SELECT id, voucher_id, position, "
                    + ", ".join(_ROW_COMPARED)
                    + " FROM accounting_transactionrow WHERE voucher_id IN "
                    f"({', '.join(['%s'] * len(chunk))})",
                    [db.pk(v) for v in chunk],
                )
                for row in cursor.fetchall():
                    row_id, voucher_id, position = row[0], row[1], row[2]
                    kind, account, amount, date, text, quantity, sign, cc, project, objects = row[
                        3:
                    ]
                    # As voucher() writes them: database forms, the object list as our JSON.
                    found[db.to_uuid(voucher_id)][position] = (
                        db.to_uuid(row_id),
                        (
                            kind,
                            account,
                            int(amount),
                            db.date(db.to_date(date)),
                            text,
                            None if quantity is None else int(quantity),
                            sign,
                            cc,
                            project,
                            _json_text(db.to_json(objects)),
                        ),
                    )
        return found

    def update_voucher(
        self,
        voucher_id: uuid.UUID,
        head: tuple[Any, ...],
        rows: dict[int, tuple],
        voucher: _Voucher,
    ) -> None:
        db = self.db
        if head != voucher.head:
            self.execute_many(
                "UPDATE accounting_voucher SET date = %s, text = %s, registered = %s, "
                "sign = %s, updated_at = %s WHERE id = %s",
                [
                    (
                        db.date(voucher.date),
                        voucher.text,
                        db.date(voucher.registered),
                        voucher.sign,
                        db.now,
                        db.pk(voucher_id),
                    )
                ],
            )
            self.result.updated["accounting.voucher"] += 1
        inserts = []
        updates = []
        for position, values in enumerate(voucher.rows, 1):
            current = rows.pop(position, None)
            if current is None:
                inserts.append((position, values))
            elif current[1] != values:
                updates.append((current[0], values))
        if rows:
            ids = [db.pk(row_id) for row_id, _values in rows.values()]
            self.execute_many(
                "DELETE FROM accounting_transactionrow WHERE id = %s", [(i,) for i in ids]
            )
            self.result.deleted["accounting.transactionrow"] += len(ids)
        if updates:
            assignments = ", ".join(
                f"{name} = {db.json if name == 'object_list' else '%s'}" for name in _ROW_COMPARED
            )
            self.execute_many(
                f"UPDATE accounting_transactionrow SET {assignments}, updated_at = %s "
                "WHERE id = %s",
                [(*self.row_params(values), db.now, db.pk(row_id)) for row_id, values in updates],
            )
            self.result.updated["accounting.transactionrow"] += len(updates)
        if inserts:
            self.insert_rows(
                [
                    self.row_tuple(voucher_id, voucher.fiscal_year, position, values)
                    for position, values in inserts
                ]
            )

    def row_params(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return values  # already in the database's form

    def row_tuple(
        self, voucher_id: uuid.UUID, year_id: uuid.UUID, position: int, values: tuple[Any, ...]
    ) -> tuple[Any, ...]:
        db = self.db
        return (db.new_pk(), db.pk(voucher_id), db.pk(year_id), position, *self.row_params(values))

    def insert_vouchers(self, vouchers: list[_Voucher]) -> None:
        if not vouchers:
            return
        db = self.db
        voucher_rows = []
        row_rows = []
        new_pk = db.new_pk
        date_db = self.date_db
        for voucher in vouchers:
            voucher_db = new_pk()
            year_db = db.pk(voucher.fiscal_year)
            voucher_rows.append(
                (
                    voucher_db,
                    year_db,
                    voucher.series,
                    voucher.number,
                    voucher.occurrence,
                    date_db(voucher.date),
                    voucher.text,
                    db.date(voucher.registered),
                    voucher.sign,
                )
            )
            row_rows += [
                (new_pk(), voucher_db, year_db, position, *values)
                for position, values in enumerate(voucher.rows, 1)
            ]
        fixed = (self.company_db, db.now, db.now)
        self.insert(m.Voucher, _VOUCHER_VARYING, voucher_rows, fixed=fixed)
        self.insert_rows(row_rows)

    def insert_rows(self, rows: list[tuple[Any, ...]]) -> None:
        """New rows: (id, voucher, fiscal year, position, *compared values)."""
        fixed = (self.company_db, self.db.now, self.db.now)
        self.insert(m.TransactionRow, _ROW_VARYING, rows, fixed=fixed)

    def finish_unnumbered(self) -> None:
        """4I vouchers without a number: the same voucher already in the books (same year,
        series, date, text and rows) is left alone; others get the next number."""
        if not self.unnumbered:
            return
        self.flush_vouchers()
        db = self.db
        next_number: dict[tuple[uuid.UUID, str], int] = {}
        claimed: set[uuid.UUID] = set()
        new = []
        for voucher in self.unnumbered:
            key = (voucher.fiscal_year, voucher.series)
            with self.cursor() as cursor:
                cursor.execute(
                    "SELECT id, number, registered, sign, occurrence FROM accounting_voucher "
                    "WHERE company_id = %s AND fiscal_year_id = %s AND series = %s "
                    "AND date = %s AND text = %s ORDER BY number",
                    [
                        self.company_db,
                        db.pk(voucher.fiscal_year),
                        voucher.series,
                        db.date(voucher.date),
                        voucher.text,
                    ],
                )
                candidates = [
                    (db.to_uuid(i), number, db.to_date(registered), sign, occurrence)
                    for i, number, registered, sign, occurrence in cursor.fetchall()
                ]
            rows_of = self.rows_of([c[0] for c in candidates if c[0] not in claimed])
            wanted = [(p, values) for p, values in enumerate(voucher.rows, 1)]
            same = next(
                (
                    c
                    for c in candidates
                    if c[0] not in claimed
                    and (c[2], c[3]) == (voucher.registered, voucher.sign)
                    and sorted((p, r[1]) for p, r in rows_of.get(c[0], {}).items()) == wanted
                ),
                None,
            )
            if same is not None:
                claimed.add(same[0])
                self.seen[voucher.fiscal_year].add(voucher.series, same[1], same[4], voucher.line)
                continue
            if key not in next_number:
                with self.cursor() as cursor:
                    cursor.execute(
                        "SELECT max(number) FROM accounting_voucher WHERE company_id = %s "
                        "AND fiscal_year_id = %s AND series = %s",
                        [self.company_db, db.pk(voucher.fiscal_year), voucher.series],
                    )
                    in_books = cursor.fetchone()[0] or 0
                in_file = self.seen[voucher.fiscal_year].max_number(voucher.series)
                next_number[key] = max(in_books, in_file) + 1
            voucher.number = next_number[key]
            next_number[key] += 1
            self.seen[voucher.fiscal_year].add(voucher.series, voucher.number, 0, voucher.line)
            new.append(voucher)
        self.insert_vouchers(new)

    def finish_vouchers(self) -> None:
        """In a 4E file, vouchers of its years that the file no longer has are deleted."""
        if self.kind != "4E":
            return
        db = self.db
        covered = set(self.voucher_years)
        if 0 in self.year_by_index:
            covered.add(self.year_by_index[0].id)
        for year_id in covered:
            if not self.year(year_id).had_vouchers:
                continue
            seen = self.seen.get(year_id) or _Seen()
            gone = []
            with self.cursor() as cursor:
                cursor.execute(
                    "SELECT id, series, number, occurrence FROM accounting_voucher "
                    "WHERE company_id = %s AND fiscal_year_id = %s",
                    [self.company_db, db.pk(year_id)],
                )
                while batch := cursor.fetchmany(5000):
                    gone += [row_id for row_id, s, n, o in batch if not seen.get(s, n, o)]
            if not gone:
                continue
            rows = 0
            with self.cursor() as cursor:
                for start in range(0, len(gone), 500):
                    chunk = gone[start : start + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"DELETE FROM accounting_transactionrow WHERE voucher_id IN ({marks})",
                        chunk,
                    )
                    rows += cursor.rowcount
                    cursor.execute(f"DELETE FROM accounting_voucher WHERE id IN ({marks})", chunk)
            self.result.deleted["accounting.voucher"] += len(gone)
            self.result.deleted["accounting.transactionrow"] += rows

    # -- chart: accounts, dimensions, objects, series -------------------------------------

    def finish_chart(self) -> None:
        self.result.accounts = len([a for a in self.accounts.values() if "name" in a])
        for number in self.used_accounts:
            self.accounts.setdefault(number, {})
        self.upsert(
            m.Account,
            ("number",),
            ("name", "type", "unit", "sru"),
            {(number,): values for number, values in self.accounts.items()},
        )
        dimensions = {
            (d.number,): {
                "name": self.text(d.name, m.NAME_LENGTH, d.line),
                "parent": d.parent,
            }
            for d in self.dimensions.values()
        }
        self.upsert(m.Dimension, ("number",), ("name", "parent"), dimensions)
        objects: dict[tuple[Any, ...], dict[str, Any]] = {
            key: {"name": self.text(o.name, m.NAME_LENGTH, o.line)}
            for key, o in self.objects.items()
        }
        for key in self.objects_used:
            objects.setdefault(key, {})
        self.upsert(m.AccountingObject, ("dimension", "code"), ("name",), objects)
        self.upsert(m.VoucherSeries, ("code",), ("name",), {(s,): {} for s in self.series})

    def upsert(
        self,
        model: type[m.TenantModel],
        keys: tuple[str, ...],
        values: tuple[str, ...],
        wanted: dict[tuple[Any, ...], dict[str, Any]],
    ) -> None:
        """Create the rows the books lack, update the given values that differ; a value the
        file did not state keeps what the books have."""
        if not wanted:
            return
        db = self.db
        table = model._meta.db_table
        label = model._meta.label_lower
        present: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}
        with self.cursor() as cursor:
            columns = ", ".join(f'"{name}"' for name in keys + values)
            cursor.execute(
                f"SELECT id, {columns} FROM {table} WHERE company_id = %s", [self.company_db]
            )
            for row in cursor.fetchall():
                key = tuple(row[1 : 1 + len(keys)])
                present[key] = (row[0], dict(zip(values, row[1 + len(keys) :], strict=True)))
        inserts = []
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = defaultdict(list)
        for key, given in wanted.items():
            found = present.get(key)
            if found is None:
                full = {name: given.get(name, _default(model, name)) for name in values}
                inserts.append(
                    (db.pk(new_id()), self.company_db, db.now, db.now, *key, *full.values())
                )
                continue
            changed = tuple(sorted(name for name, v in given.items() if found[1].get(name) != v))
            if changed:
                updates[changed].append((*(given[name] for name in changed), db.now, found[0]))
        if inserts:
            inserted = ("id", "company_id", "created_at", "updated_at", *keys, *values)
            self.insert(model, inserted, inserts)
        for changed, params in updates.items():
            assignments = ", ".join(f'"{name}" = %s' for name in changed)
            self.execute_many(
                f"UPDATE {table} SET {assignments}, updated_at = %s WHERE id = %s", params
            )
            self.result.updated[label] += len(params)

    # -- balances ----------------------------------------------------------------------------

    def finish_balances(self) -> None:
        if self.kind == "4I":
            return
        self.result.balances = len(self.balances)
        self.result.period_balances = len(self.period_balances)
        self.replace_balances(
            m.Balance,
            ("kind", "account", "object_dimension", "object_code"),
            {(year, key[1:]): value for key, value in self.balances.items() for year in [key[0]]},
        )
        self.replace_balances(
            m.PeriodBalance,
            ("kind", "account", "period", "object_dimension", "object_code"),
            {
                (year, key[1:]): value
                for key, value in self.period_balances.items()
                for year in [key[0]]
            },
        )

    def replace_balances(
        self,
        model: type[m.TenantModel],
        keys: tuple[str, ...],
        wanted: dict[tuple[int, tuple[Any, ...]], tuple[int, int | None, int]],
    ) -> None:
        """Per fiscal year and kind the file states: insert, update and delete so the books
        hold exactly the file's balances."""
        db = self.db
        table = model._meta.db_table
        label = model._meta.label_lower
        by_year: dict[uuid.UUID, dict[tuple[Any, ...], tuple[int, int | None]]] = defaultdict(dict)
        label_name = "PSALDO" if model is m.PeriodBalance else "IB"
        for (index, key), (amount, quantity, line) in wanted.items():
            year = self.year_by_index.get(index)
            if year is None:
                self.warn("unknown_year", line, label=key[0] or label_name, year=index)
                continue
            by_year[year.id][key] = (amount, quantity)
        inserts = []
        updates = []
        deletes = []
        for year_id, balances in by_year.items():
            kinds = {key[0] for key in balances}
            with self.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {', '.join(keys)}, amount, quantity FROM {table} "
                    f"WHERE company_id = %s AND fiscal_year_id = %s "
                    f"AND kind IN ({', '.join(['%s'] * len(kinds))})",
                    [self.company_db, db.pk(year_id), *sorted(kinds)],
                )
                present = {
                    tuple(
                        db.to_date(v) if name == "period" else v
                        for name, v in zip(keys, row[1 : 1 + len(keys)], strict=True)
                    ): (row[0], int(row[-2]), None if row[-1] is None else int(row[-1]))
                    for row in cursor.fetchall()
                }
            for key, (amount, quantity) in balances.items():
                found = present.pop(key, None)
                params = tuple(db.date(v) if isinstance(v, dt.date) else v for v in key)
                if found is None:
                    inserts.append(
                        (
                            db.pk(new_id()),
                            self.company_db,
                            db.now,
                            db.now,
                            db.pk(year_id),
                            *params,
                            amount,
                            quantity,
                        )
                    )
                elif found[1:] != (amount, quantity):
                    updates.append((amount, quantity, db.now, found[0]))
            deletes += [(found[0],) for found in present.values()]
        if inserts:
            self.insert(
                model,
                (
                    "id",
                    "company_id",
                    "created_at",
                    "updated_at",
                    "fiscal_year_id",
                    *keys,
                    "amount",
                    "quantity",
                ),
                inserts,
            )
        if updates:
            self.execute_many(
                f"UPDATE {table} SET amount = %s, quantity = %s, updated_at = %s WHERE id = %s",
                updates,
            )
            self.result.updated[label] += len(updates)
        if deletes:
            self.execute_many(f"DELETE FROM {table} WHERE id = %s", deletes)
            self.result.deleted[label] += len(deletes)

    # -- writing -----------------------------------------------------------------------------

    def execute_many(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        """Updates and deletes: the capture triggers log them like any other write."""
        with self.cursor() as cursor:
            cursor.executemany(sql, list(params))

    def insert(
        self,
        model: type[m.TenantModel],
        columns: tuple[str, ...],
        rows: list[tuple[Any, ...]],
        fixed: tuple[Any, ...] = (),
    ) -> None:
        """New rows, written without the capture triggers (see _Writer) and logged all at
        once at the end (`log_inserts`). `fixed`: the values of _FIXED, the same for every
        row, which `columns` and the rows then leave out."""
        if not rows:
            return
        db = self.db
        table = model._meta.db_table
        if table not in self.inserted:
            before = 0
            if db.sqlite:
                with self.cursor() as cursor:
                    cursor.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}")
                    before = cursor.fetchone()[0]
            self.inserted[table] = (model._meta.label_lower, before)
        if self.writer is None:
            self.writer = _Writer(self.db.connection)
        self.writer.put(table, columns, rows, fixed)
        self.result.created[model._meta.label_lower] += len(rows)

    def cursor(self) -> Any:
        return self.db.connection.cursor()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def log_inserts(self) -> None:
        """Every row this import created, into the change log: one INSERT ... SELECT per
        table, parents before children, as the capture triggers would have logged them."""
        who = actor.current_actor()
        db = self.db
        order = [model._meta.db_table for model in m.BOOKS_MODELS]
        with self.cursor() as cursor:
            if db.sqlite:
                # SQLite has one writer, so a change's seq is its id (capture.py); giving both
                # here saves the trigger that would copy one into the other row by row.
                cursor.execute(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence "
                    "WHERE name = 'sync_syncchange'), 0), coalesce(max(id), 0)) "
                    "FROM sync_syncchange"
                )
                last = cursor.fetchone()[0]
            for table in sorted(self.inserted, key=order.index):
                label, before = self.inserted[table]
                if db.sqlite:
                    # The new rows are the ones after the rowid the table had before.
                    cursor.execute(
                        "INSERT INTO sync_syncchange "
                        "(id, seq, company_id, entity, row_id, op, fields, changed_at, actor) "
                        "SELECT %s + n, %s + n, company_id, %s, id, 'u', '*', %s, %s FROM ("
                        "SELECT row_number() OVER (ORDER BY rowid) AS n, company_id, id "
                        f"FROM {table} WHERE rowid > %s AND company_id = %s AND created_at = %s)",
                        [last, last, label, db.now, who, before, self.company_db, db.now],
                    )
                    last += cursor.rowcount
                else:
                    cursor.execute(
                        "INSERT INTO sync_syncchange "
                        "(company_id, entity, row_id, op, fields, changed_at, actor) "
                        f"SELECT company_id, %s, id, 'u', '*', %s, %s FROM {table} "
                        "WHERE company_id = %s AND created_at = %s",
                        [label, db.now, who, self.company_db, db.now],
                    )


def _sql_literal(value: Any) -> str:
    """An SQL literal of one of our own values (a str or an int)."""
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, str)
    return "'" + value.replace("'", "''") + "'"


def _default(model: type[m.TenantModel], name: str) -> Any:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field.get_default()


def _json_text(value: Any) -> str:
    """JSON as the importer writes it, so texts compare equal when the data does."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


__all__ = [
    "ImportRefused",
    "ImportResult",
    "ImportWarning",
    "OrgNumberMismatch",
    "books_import",
    "sie_import",
]
