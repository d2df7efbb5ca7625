"""The first sync in bulk: every office row with its versions in one SQLite file.

A first sync of a large company through batches handles every row in Python on both nodes,
which costs far more than the data (docs/sync.md, "Speed and size"). When the online copy of
the company is still empty, the agent instead writes the company's rows and their versions
into a new SQLite file with `INSERT ... SELECT` (the office node is SQLite), uploads it, and
the online node copies it into its tables with `INSERT ... SELECT` (SQLite) or `COPY`
(PostgreSQL). The result is exactly what the batches would have made: the same rows, the same
versions; edits made meanwhile follow through the change feed from the file's watermark.

The online node opens a file a remote program wrote, so it is treated as hostile input
(https://www.sqlite.org/security.html): size limits while it is received, read-only, no
trusted schema, a b-tree check, a schema that must equal the one this module writes
character for character (tables only: no views, triggers or indexes that could run code), and
every value checked by type, length and reference before anything is copied. Any fault
refuses the whole file with the table, row and field named; nothing is applied.
"""

# The SQL here is built from the registry and model metadata, never from input.
# ruff: noqa: S608

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import connections, models, transaction
from django.utils import timezone

from skrivbord.core import registry
from skrivbord.core.models import Company
from skrivbord.sync.merge import ALL, DELETED
from skrivbord.sync.models import SyncChange, SyncLink, SyncRow
from skrivbord.sync.protocol import MAX_ACTOR_LENGTH, SCHEMA_VERSION

#: Below this many rows the batches are as quick, and they are resumable.
SEED_MIN_ROWS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
#: The models' default for their timestamps (compared by identity, as Django stores it).
_NOW = timezone.now


class SeedError(ValueError):
    """A seed file that cannot be applied; the message names the place."""


class NotEmpty(SeedError):
    """The online copy has data already: the batches, which merge, must do the first sync."""


class NotSeedable(Exception):
    """A registered model this module cannot copy in SQL (the batches handle it)."""


# --- The file's layout, from the registry ------------------------------------------------------


@dataclass(frozen=True)
class Table:
    synced: registry.SyncedModel
    model: type[models.Model]
    name: str  # in the seed file
    #: (field, column) of the id and the synced fields, in the file's column order.
    columns: tuple[tuple[models.Field[Any, Any], str], ...]

    @property
    def entity(self) -> str:
        return self.synced.label


def _receivable_online(synced: registry.SyncedModel) -> bool:
    return synced.direction != registry.Direction.ONLINE_TO_OFFICE


def tables() -> list[Table]:
    """The seed's tables, parents first: every model the office sends to the online node."""
    found = []
    for index, synced in enumerate(s for s in registry.synced_models() if _receivable_online(s)):
        model = apps.get_model(synced.label)
        concrete = {field.attname: field for field in model._meta.concrete_fields}
        columns = [(concrete["id"], "id")]
        columns += [(concrete[name], concrete[name].column) for name in synced.fields]
        found.append(Table(synced, model, f"t{index}", tuple(columns)))
    return found


def schema() -> list[str]:
    """The seed file's schema, as SQLite stores it in sqlite_master (compared verbatim)."""
    statements = ['CREATE TABLE meta ("key" TEXT, "value" TEXT)']
    for table in tables():
        names = ", ".join(f'"{column}"' for _field, column in table.columns)
        statements.append(f'CREATE TABLE {table.name} ({names}, "sync_versions", "sync_deleted")')
    return statements


# --- Office: writing the file -------------------------------------------------------------------


@dataclass
class Built:
    path: Path
    #: The change feed position the file covers: the push continues after it.
    upto: int
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def build(company: Company, path: Path, *, using: str = "default") -> Built | None:
    """Write the company's stamped rows and versions to a new SQLite file at `path`.

    None where this node cannot (a PostgreSQL office: the batches serve it). Call after
    `engine.stamp`; rows changed after the stamp are sent by the change feed afterwards, as
    with a snapshot. Must run outside a transaction (SQLite cannot attach inside one).
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    layout = tables()
    company_key = company.id.hex
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("ATTACH DATABASE %s AS seed", [str(path)])
        try:
            with transaction.atomic(using=using):
                for statement in schema():
                    cursor.execute(statement.replace("CREATE TABLE ", "CREATE TABLE seed.", 1))
                # One read transaction: the rows, their versions and the watermark agree.
                cursor.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sync_syncchange WHERE company_id = %s "
                    "AND seq <= (SELECT stamp_cursor FROM sync_syncnode WHERE id = 1)",
                    [company_key],
                )
                (upto,) = cursor.fetchone()
                counts = {}
                for table in layout:
                    quote = connection.ops.quote_name
                    source = quote(table.model._meta.db_table)
                    # The id from the version row: a tombstone has no row left.
                    values = ", ".join(
                        "s.row_id" if column == "id" else f"t.{quote(column)}"
                        for _field, column in table.columns
                    )
                    # A row deleted after the stamp has versions but no values: the feed
                    # brings its delete; until then it is not part of the copy.
                    cursor.execute(
                        f"INSERT INTO seed.{table.name} SELECT {values}, s.versions, s.deleted "
                        f"FROM sync_syncrow s LEFT JOIN {source} t ON t.id = s.row_id "
                        "WHERE s.company_id = %s AND s.entity = %s "
                        "AND (t.id IS NOT NULL OR s.deleted) ORDER BY s.row_id",
                        [company_key, table.entity],
                    )
                    counts[table.entity] = cursor.rowcount
                meta = {
                    "schema_version": SCHEMA_VERSION,
                    "company": str(company.id),
                    "upto": upto,
                    "counts": counts,
                }
                cursor.executemany(
                    "INSERT INTO seed.meta VALUES (%s, %s)",
                    [(key, json.dumps(value)) for key, value in meta.items()],
                )
        finally:
            cursor.execute("DETACH DATABASE seed")
    return Built(path, upto, counts)


# --- Online: checking the file ------------------------------------------------------------------

_TEXT_TYPES = {
    "CharField",
    "EmailField",
    "URLField",
    "SlugField",
    "TextField",
    "GenericIPAddressField",
}
_INTEGER_TYPES = {
    "IntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}
_UUID = "(typeof({c}) = 'text' AND length({c}) = 32 AND {c} NOT GLOB '*[^0-9a-f]*')"


def _condition(field: models.Field[Any, Any], column: str, seeded: dict[str, str]) -> str:
    """SQL that is true when the column holds a value this field may store on this node, as
    the office's SQLite database stores it."""
    c = f'"{column}"'
    kind = field.get_internal_type()
    if kind in _TEXT_TYPES:
        check = f"typeof({c}) = 'text'"
        if field.max_length:
            check += f" AND length({c}) <= {int(field.max_length)}"
    elif kind == "BooleanField":
        check = f"typeof({c}) = 'integer' AND {c} IN (0, 1)"
    elif kind in _INTEGER_TYPES:
        check = f"typeof({c}) = 'integer'"
        if kind.startswith("Positive"):
            check += f" AND {c} >= 0"
    elif kind == "UUIDField":
        check = _UUID.format(c=c)
    elif kind == "ForeignKey":
        target = field.related_model._meta.label_lower  # type: ignore[union-attr]
        pointed = field.target_field  # type: ignore[attr-defined]
        if target not in seeded or pointed.get_internal_type() != "UUIDField":
            raise NotSeedable(f"{field} refers to {target}, which is not in the seed")
        # To a row of this very file, or (checked when applied, see `_outside`) to a row this
        # node made itself for the company (the default activity types).
        check = _UUID.format(c=c)
    elif kind == "DateField":
        check = f"typeof({c}) = 'text' AND date({c}) IS {c}"
    elif kind == "DateTimeField":
        check = f"typeof({c}) = 'text' AND datetime({c}) IS NOT NULL"
    elif kind == "DecimalField":
        check = (
            f"(typeof({c}) IN ('integer', 'real') OR (typeof({c}) = 'text' "
            f"AND {c} GLOB '*[0-9]*' AND {c} NOT GLOB '*[^0-9.-]*'))"
        )
    elif kind == "JSONField":
        check = f"typeof({c}) = 'text' AND json_valid({c})"
    else:
        raise NotSeedable(f"{field} ({kind})")
    return f"({c} IS NULL OR ({check}))" if field.null else f"({check})"


def _versions_condition(table: Table) -> str:
    names = ", ".join(f"'{name}'" for name in (*table.synced.fields, ALL, DELETED))
    part = "json_type(e.value, '$[{i}]')"
    return (
        "(typeof(sync_versions) = 'text' AND json_valid(sync_versions) "
        "AND json_type(sync_versions) = 'object' AND NOT EXISTS ("
        "SELECT 1 FROM json_each(sync_versions) e WHERE e.key NOT IN "
        f"({names}) OR e.type != 'array' OR json_array_length(e.value) NOT IN (3, 4) "
        + "".join(
            f"OR {part.format(i=i)} IS NOT 'integer' OR json_extract(e.value, '$[{i}]') < 0 "
            for i in range(3)
        )
        + f"OR (json_array_length(e.value) = 4 AND ({part.format(i=3)} IS NOT 'text' "
        f"OR length(json_extract(e.value, '$[3]')) > {MAX_ACTOR_LENGTH}))))"
    )


def _refuse(message: str) -> SeedError:
    return SeedError(f"The seed file is not valid: {message}")


@contextmanager
def _open(path: Path) -> Iterator[sqlite3.Connection]:
    """The file, opened the careful way (https://www.sqlite.org/security.html)."""
    with path.open("rb") as stream:
        if stream.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise _refuse("it is not an SQLite database.")
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise _refuse(str(error)) from error
    with closing(connection):
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            connection.execute("PRAGMA cell_size_check = ON")
            yield connection
        except sqlite3.Error as error:
            raise _refuse(str(error)) from error


def verify(path: Path) -> dict[str, Any]:
    """Check the file through and through; its meta data (company, upto, counts) if valid."""
    layout = tables()
    seeded = {table.entity: table.name for table in layout}
    with _open(path) as connection:
        (check,) = connection.execute("PRAGMA quick_check(1)").fetchone()
        if check != "ok":
            raise _refuse(f"the database is damaged ({check}).")
        found = [
            sql
            for (sql,) in connection.execute(
                "SELECT sql FROM sqlite_master ORDER BY type, name, sql"
            )
        ]
        if found != sorted(schema()):
            raise _refuse(
                "its tables are not those of this version; upgrade both nodes to the same "
                "skrivbord version."
            )
        meta = {key: json.loads(value) for key, value in connection.execute("SELECT * FROM meta")}
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise _refuse("it was written by another version of skrivbord.")
        upto, counts = meta.get("upto"), meta.get("counts")
        if not (isinstance(upto, int) and upto >= 0 and isinstance(counts, dict)):
            raise _refuse("its meta data is incomplete.")
        for table in layout:
            conditions = {"id": f"({_UUID.format(c='id')})"}
            for field, column in table.columns[1:]:
                conditions[field.name] = (
                    f"(sync_deleted = 1 OR {_condition(field, column, seeded)})"
                )
            conditions["versions"] = _versions_condition(table)
            conditions["deleted"] = "(typeof(sync_deleted) = 'integer' AND sync_deleted IN (0, 1))"
            which = " ".join(
                f"WHEN NOT COALESCE({sql}, 0) THEN '{name}'" for name, sql in conditions.items()
            )
            every = " AND ".join(f"COALESCE({sql}, 0)" for sql in conditions.values())
            bad = connection.execute(
                f"SELECT rowid, CASE {which} END FROM {table.name} WHERE NOT ({every}) LIMIT 1"
            ).fetchone()
            if bad:
                raise _refuse(f"{table.entity}, row {bad[0]}: the field {bad[1]} is not valid.")
            (count,) = connection.execute(f"SELECT COUNT(*) FROM {table.name}").fetchone()
            if counts.get(table.entity, 0) != count:
                raise _refuse(f"{table.entity}: {count} rows, but its meta data says otherwise.")
        meta["outside"] = _outside(connection, layout, seeded)
    return meta


#: References to rows outside the file that a seed may make (to the few rows every node
#: makes for itself); more is not a first sync.
MAX_OUTSIDE = 1000


def _outside(
    connection: sqlite3.Connection, layout: list[Table], seeded: dict[str, str]
) -> list[tuple[str, str, str, list[str]]]:
    """(entity, field, target entity, ids) of the references to rows the file does not hold;
    `_apply` requires each to be a row of the company on this node."""
    found = []
    for table in layout:
        for field, column in table.columns[1:]:
            if field.get_internal_type() != "ForeignKey":
                continue
            target = field.related_model._meta.label_lower  # type: ignore[union-attr]
            ids = [
                value
                for (value,) in connection.execute(
                    f'SELECT DISTINCT "{column}" FROM {table.name} WHERE sync_deleted = 0 '
                    f'AND "{column}" IS NOT NULL AND "{column}" NOT IN '
                    f"(SELECT id FROM {seeded[target]} WHERE sync_deleted = 0) "
                    f"LIMIT {MAX_OUTSIDE + 1}"
                )
            ]
            if len(ids) > MAX_OUTSIDE:
                raise _refuse(f"{table.entity}: its {field.name} refers to too many records.")
            if ids:
                found.append((table.entity, field.name, target, ids))
    return found


# --- Online: applying it --------------------------------------------------------------------------


def _extras(table: Table, company_id: uuid.UUID, using: str) -> list[tuple[str, Any]]:
    """The columns the file does not carry and their one value for every row: the company
    is this node's, timestamps are now, and the rest take their defaults."""
    connection = connections[using]
    carried = {column for _field, column in table.columns}
    now = timezone.now()
    extras = []
    for field in table.model._meta.concrete_fields:
        if field.column in carried:
            continue
        if field.attname == "company_id":
            value: Any = company_id
        elif _is_now(field):
            value = now
        elif field.has_default() and not callable(field.default):
            value = field.get_default()
        elif field.null:
            value = None
        else:
            raise NotSeedable(f"{field} has no value for every row")
        extras.append((field.column, field.get_db_prep_save(value, connection)))
    return extras


def _is_now(field: models.Field[Any, Any]) -> bool:
    stamps = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    return bool(stamps) or field.default is _NOW


def seedable() -> bool:
    """Whether every model the office sends can be copied in SQL."""
    try:
        layout = tables()
        seeded = {table.entity: table.name for table in layout}
        for table in layout:
            for field, column in table.columns:
                _condition(field, column, seeded)
            _extras(table, uuid.uuid4(), "default")
    except NotSeedable:
        return False
    return True


def is_empty(link: SyncLink, *, using: str = "default") -> bool:
    """Whether the online copy of the company is empty: the only time a seed may be applied."""
    if link.push_cursor:
        return False
    if SyncRow.objects.using(using).filter(company_id=link.company_id).exists():
        return False
    # Every write here is captured (SyncChange) and every row that arrived has its versions
    # (SyncRow); rows no node captures (the default activity types, which every node makes
    # itself with the same ids) do not make a copy non-empty.
    return not SyncChange.objects.using(using).filter(company_id=link.company_id).exists()


@dataclass
class Applied:
    upto: int
    counts: dict[str, int]


def apply(link_id: uuid.UUID, path: Path, *, using: str = "default") -> Applied:
    """Copy a verified seed into this node's tables, atomically; SeedError if it may not."""
    meta = verify(path)
    connection = connections[using]
    layout = tables()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS seed", [f"{path.as_uri()}?mode=ro"])
            try:
                return _apply(link_id, meta, layout, path, using)
            finally:
                cursor.execute("DETACH DATABASE seed")
    return _apply(link_id, meta, layout, path, using)


def _apply(
    link_id: uuid.UUID, meta: dict[str, Any], layout: list[Table], path: Path, using: str
) -> Applied:
    from skrivbord.sync import engine  # engine imports this module's callers

    connection = connections[using]
    quote = connection.ops.quote_name
    with transaction.atomic(using=using):
        link = SyncLink.objects.using(using).select_for_update().get(id=link_id)
        if meta["company"] != str(link.remote_company_id):
            raise _refuse("it holds another company's books.")
        if not is_empty(link, using=using):
            raise NotEmpty(
                "The online copy of this company is not empty: a seed is only for a first sync."
            )
        company = link.company_id
        for entity, name, target, ids in meta["outside"]:
            model = apps.get_model(target)
            wanted = {uuid.UUID(value) for value in ids}
            present = set(
                model._default_manager.using(using)
                .filter(company_id=company, id__in=wanted)
                .values_list("id", flat=True)
            )
            if present != wanted:
                raise _refuse(
                    f"{entity}: the field {name} refers to a record that is neither in the "
                    "file nor on this node."
                )
        with engine.applying(using), connection.cursor() as cursor:
            for table in layout:
                extras = _extras(table, company, using)
                target = quote(table.model._meta.db_table)
                columns = [column for _field, column in table.columns]
                names = ", ".join(quote(c) for c in [*columns, *(c for c, _v in extras)])
                if connection.vendor == "sqlite":
                    marks = "".join(", %s" for _extra in extras)
                    cursor.execute(
                        f"INSERT INTO {target} ({names}) SELECT "
                        f"{', '.join(quote(c) for c in columns)}{marks} "
                        f"FROM seed.{table.name} WHERE sync_deleted = 0",
                        [value for _c, value in extras],
                    )
                    cursor.execute(
                        "INSERT INTO sync_syncrow (entity, row_id, company_id, versions, deleted) "
                        f"SELECT %s, id, %s, sync_versions, sync_deleted FROM seed.{table.name}",
                        [table.entity, company.hex],
                    )
                else:
                    # Django's errors (IntegrityError), as for its own statements.
                    with connection.wrap_database_errors:
                        _copy_postgresql(cursor, path, table, target, names, extras, company)
            SyncLink.objects.using(using).filter(id=link.id).update(
                push_cursor=meta["upto"], last_seen_at=timezone.now()
            )
    return Applied(meta["upto"], {key: int(value) for key, value in meta["counts"].items()})


def _copy_postgresql(
    cursor: Any,
    path: Path,
    table: Table,
    target: str,
    names: str,
    extras: list[tuple[str, Any]],
    company: uuid.UUID,
) -> None:
    """COPY from the file: PostgreSQL reads SQLite's text forms of uuids, booleans (0/1),
    dates and times (UTC, as the session's time zone is) and JSON as they are."""
    values = [value for _c, value in extras]
    columns = ", ".join(f'"{column}"' for _field, column in table.columns)
    with _open(path) as seed:
        rows = seed.execute(f"SELECT {columns} FROM {table.name} WHERE sync_deleted = 0")
        with cursor.cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row, *values))
        versions = seed.execute(f"SELECT id, sync_versions, sync_deleted FROM {table.name}")
        with cursor.cursor.copy(
            "COPY sync_syncrow (entity, row_id, company_id, versions, deleted) FROM STDIN"
        ) as copy:
            for row_id, row_versions, deleted in versions:
                copy.write_row((table.entity, row_id, company, row_versions, bool(deleted)))
