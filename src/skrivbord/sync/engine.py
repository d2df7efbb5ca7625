"""The sync engine on one node: fold local changes into versions, collect batches, apply them.

Everything takes a database alias, so the same code serves the office node, the online node,
and tests that hold both in one process. The protocol (api.py) and the agent (agent.py) call
these functions; domain apps are reached only through the registry and the app registry.
"""

# The engine's SQL is built from constant fragments and placeholders, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.utils import timezone

from skrivbord.core import registry
from skrivbord.core.models import Company
from skrivbord.sync import hlc
from skrivbord.sync.merge import (
    ALL,
    DELETED,
    Conflict,
    Outcome,
    Policy,
    RowImage,
    Side,
    Version,
    merge,
    other_side,
    versions_from_json,
    versions_to_json,
)
from skrivbord.sync.models import (
    SyncApplying,
    SyncChange,
    SyncConflict,
    SyncLink,
    SyncNode,
    SyncParked,
)

SCHEMA_VERSION = 1
STAMP_BATCH = 2000


def local_side() -> Side:
    return Side.OFFICE if settings.NODE == "office" else Side.ONLINE


def node(using: str = "default") -> SyncNode:
    current, _created = SyncNode.objects.using(using).get_or_create(id=1)
    return current


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _all_fields(synced: registry.SyncedModel) -> tuple[str, ...]:
    return (*synced.fields, DELETED)


# --- Row version state, read and written with plain SQL --------------------------------------
#
# The engine touches one SyncRow per synchronised row and edit; through model instances that
# cost more than the data itself on a first sync. Rows are keyed by the database's own form
# of a UUID (32 hex characters on SQLite, uuid on PostgreSQL), as the capture triggers wrote it.


class _State:
    """One SyncRow as the engine handles it: versions as decoded JSON lists."""

    __slots__ = ("company_id", "deleted", "entity", "pk", "row_id", "versions")

    def __init__(
        self,
        pk: int | None,
        entity: str,
        row_id: Any,
        company_id: Any,
        versions: dict[str, list[Any]],
        deleted: bool,
    ) -> None:
        self.pk = pk
        self.entity = entity
        self.row_id = row_id
        self.company_id = company_id
        self.versions = versions
        self.deleted = deleted


def _to_db_uuid(using: str) -> Callable[[uuid.UUID], Any]:
    if connections[using].vendor == "sqlite":
        return lambda value: value.hex
    return lambda value: value


def _from_db_uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(value)


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_states(using: str, entity: str, row_ids: Iterable[Any]) -> dict[Any, _State]:
    found: dict[Any, _State] = {}
    with connections[using].cursor() as cursor:
        for chunk in _chunks(list(row_ids)):
            cursor.execute(
                "SELECT id, row_id, company_id, versions, deleted FROM sync_syncrow "
                f"WHERE entity = %s AND row_id IN ({', '.join(['%s'] * len(chunk))})",
                [entity, *chunk],
            )
            for pk, row_id, company_id, versions, deleted in cursor.fetchall():
                found[row_id] = _State(
                    pk, entity, row_id, company_id, _json(versions), bool(deleted)
                )
    return found


def _save_states(using: str, states: Iterable[_State]) -> None:
    connection = connections[using]
    as_json = "%s" if connection.vendor == "sqlite" else "CAST(%s AS jsonb)"
    new, old = [], []
    for state in states:
        if state.pk is None:
            new.append(
                (state.entity, state.row_id, state.company_id, _dump(state.versions), state.deleted)
            )
        else:
            old.append((_dump(state.versions), state.deleted, state.pk))
    with connection.cursor() as cursor:
        if new:
            cursor.executemany(
                "INSERT INTO sync_syncrow (entity, row_id, company_id, versions, deleted) "
                f"VALUES (%s, %s, %s, {as_json}, %s)",
                new,
            )
        if old:
            cursor.executemany(
                f"UPDATE sync_syncrow SET versions = {as_json}, deleted = %s WHERE id = %s", old
            )


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _milliseconds(value: Any) -> int:
    """Whole milliseconds since the epoch, exactly (the bulk stamp computes the same in SQL)."""
    if isinstance(value, str):  # SQLite: text in UTC
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return (value - _EPOCH) // dt.timedelta(milliseconds=1)


def _version(change_id: int, known: int, clock: int, actor: str, side: Side) -> list[Any]:
    """A new version list made on this node; the actor (who) only when known."""
    version: list[Any] = (
        [change_id, known, clock] if side == Side.OFFICE else [known, change_id, clock]
    )
    if actor:
        version.append(actor)
    return version


def _bump(
    versions: dict[str, list[Any]],
    names: Iterable[str],
    change_id: int,
    clock: int,
    side: Side,
    actor: str = "",
) -> None:
    """Give the named fields this node's new version `change_id`, keeping what each knew of
    the other node's edits."""
    theirs = 1 if side == Side.OFFICE else 0
    for name in names:
        before = versions.get(name) or versions.get(ALL) or [0, 0, 0]
        versions[name] = _version(change_id, before[theirs], clock, actor, side)


def _bump_all(
    versions: dict[str, list[Any]],
    synced: registry.SyncedModel,
    change_id: int,
    clock: int,
    side: Side,
    actor: str = "",
) -> None:
    """An insert: every field gets the new version. When the fields agree on what they know
    of the other node (always, for a new row), that is one ALL entry."""
    theirs = 1 if side == Side.OFFICE else 0
    known = {
        (versions.get(name) or versions.get(ALL) or [0, 0, 0])[theirs]
        for name in _all_fields(synced)
    }
    if len(known) == 1:
        versions.clear()
        versions[ALL] = _version(change_id, known.pop(), clock, actor, side)
    else:
        _bump(versions, _all_fields(synced), change_id, clock, side, actor)


# --- Stamping: local changes -> per-field versions -------------------------------------------


def stamp(*, using: str = "default", side: Side | None = None) -> int:
    """Fold the local changes committed since the last stamp into SyncRow versions.

    Each edit's version on this node is the id of its change row: unique, and increasing for
    successive edits of one row (they are serialised by the row's lock). Returns how many
    changes were folded.
    """
    side = side or local_side()
    specs = {synced.label: synced for synced in registry.synced_models()}
    folded = 0
    # A change logged while this machine's clock was ahead (the agent refused to sync until
    # it was corrected) counts as made now, or its HLC would win "newest" for that long.
    now_ms = int(timezone.now().timestamp() * 1000)
    with transaction.atomic(using=using):
        current = SyncNode.objects.using(using).select_for_update().get_or_create(id=1)[0]
        clock, position = current.hlc, current.stamp_cursor
        while True:
            bulk = _stamp_inserts(using, specs, position, clock, now_ms, side)
            if bulk is not None:
                position, clock, count = bulk
                folded += count
                continue
            with connections[using].cursor() as cursor:
                cursor.execute(
                    "SELECT id, seq, entity, row_id, company_id, op, fields, changed_at, actor "
                    "FROM sync_syncchange WHERE seq > %s ORDER BY seq LIMIT %s",
                    [position, STAMP_BATCH],
                )
                changes = cursor.fetchall()
            if not changes:
                break
            wanted: dict[str, set[Any]] = defaultdict(set)
            for change in changes:
                if change[2] in specs:
                    wanted[change[2]].add(change[3])
            states = {
                (entity, row_id): state
                for entity, row_ids in wanted.items()
                for row_id, state in _load_states(using, entity, row_ids).items()
            }
            touched: dict[tuple[str, Any], _State] = {}
            for change in changes:
                change_id, _seq, entity, row_id, company_id, op, fields, changed_at, actor = change
                synced = specs.get(entity)
                if synced is None:
                    continue
                key = (entity, row_id)
                state = states.get(key)
                if state is None:
                    state = states[key] = _State(None, entity, row_id, company_id, {}, False)
                    touched[key] = state
                clock = hlc.tick(clock, min(_milliseconds(changed_at), now_ms))
                if op == "r":
                    continue  # a resend of a merged row: no new edit, no new version
                touched[key] = state
                if op == "d":
                    state.deleted = True
                    _bump(state.versions, (DELETED,), change_id, clock, side, actor)
                elif fields == "*":
                    state.deleted = False
                    _bump_all(state.versions, synced, change_id, clock, side, actor)
                else:
                    names = [name for name in fields.split(",") if name]
                    _bump(state.versions, names, change_id, clock, side, actor)
            _save_states(using, touched.values())
            position = changes[-1][1]
            folded += len(changes)
        current.stamp_cursor, current.hlc = position, clock
        current.save(using=using, update_fields=["stamp_cursor", "hlc"])
    return folded


#: Changes folded by one statement when they are all first inserts (a bulk import, a new
#: installation): big enough to amortise the queries, small enough to keep one transaction's
#: journal modest.
STAMP_BULK = 100_000


def _stamp_inserts(
    using: str,
    specs: dict[str, registry.SyncedModel],
    position: int,
    clock: int,
    now_ms: int,
    side: Side,
) -> tuple[int, int, int] | None:
    """Fold the next changes in SQL when every one is the insert of a row that has no version
    yet (the common case of a bulk import or a first sync): each gets the one ALL version
    `_bump_all` would give it, with the HLC `hlc.tick` would give it, in change order.

    Returns (new position, new clock, changes folded), or None when the next changes are not
    all such inserts; the caller then folds them one by one in Python.
    """
    connection = connections[using]
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq FROM sync_syncchange WHERE seq > %s ORDER BY seq LIMIT 1 OFFSET %s",
            [position, STAMP_BULK - 1],
        )
        found = cursor.fetchone()
        if found is None:
            cursor.execute("SELECT MAX(seq) FROM sync_syncchange WHERE seq > %s", [position])
            found = cursor.fetchone()
        upto = found[0] if found else None
        if upto is None:
            return None
        labels = list(specs)
        cursor.execute(
            "SELECT COUNT(*), SUM(CASE WHEN op = 'u' AND fields = '*' AND entity IN "
            f"({', '.join(['%s'] * len(labels))}) THEN 1 ELSE 0 END) "
            "FROM sync_syncchange WHERE seq > %s AND seq <= %s",
            [*labels, position, upto],
        )
        count, inserts = cursor.fetchone()
        if count < STAMP_BATCH or count != inserts:
            return None  # few, or not all inserts: the general path
        # hlc.tick, change by change, depends only on each change's millisecond. Bulk writes
        # log runs of changes in the same millisecond, in which each clock is the one before
        # plus one: so the clocks are computed here per run, exactly as `stamp` would, and
        # the database adds the position in the run.
        if sqlite:
            instant = "substr(changed_at, 1, 23)"  # UTC text "YYYY-MM-DD HH:MM:SS.fff"
            differs = "IS NOT"
            as_json = (
                "json_object('*', CASE WHEN actor = '' THEN json_array({v}) "
                "ELSE json_array({v}, actor) END)"
            )
        else:
            instant = "date_trunc('milliseconds', changed_at)"
            differs = "IS DISTINCT FROM"
            as_json = (
                "jsonb_build_object('*', CASE WHEN actor = '' THEN jsonb_build_array({v}) "
                "ELSE jsonb_build_array({v}, actor) END)"
            )
        cursor.execute(
            "SELECT seq, n, changed_at FROM (SELECT seq, changed_at, ROW_NUMBER() OVER w AS n, "
            f"{instant} AS instant, LAG({instant}) OVER w AS before FROM sync_syncchange "
            "WHERE seq > %s AND seq <= %s WINDOW w AS (ORDER BY seq)) runs "
            f"WHERE before {differs} instant ORDER BY seq",
            [position, upto],
        )
        starts = cursor.fetchall()
        runs = []
        for index, (seq, first, changed_at) in enumerate(starts):
            length = (starts[index + 1][1] if index + 1 < len(starts) else count + 1) - first
            clock = hlc.tick(clock, min(_milliseconds(changed_at), now_ms))
            runs.append((seq, first, clock))
            start_ms, counter = hlc.unpack(clock)
            clock = hlc.pack(start_ms, counter + length - 1)  # the run's last
        cursor.execute("DROP TABLE IF EXISTS sync_stamp_runs")
        cursor.execute(
            "CREATE TEMPORARY TABLE sync_stamp_runs "
            "(seq bigint PRIMARY KEY, first bigint, clock bigint)"
        )
        cursor.executemany("INSERT INTO sync_stamp_runs VALUES (%s, %s, %s)", runs)
        least = "MIN" if sqlite else "LEAST"
        mine = "id, 0, clock" if side == Side.OFFICE else "0, id, clock"
        # Each change takes its run's first clock and number (both rise along seq, so the
        # running maximum is the current run's), plus its place in the run, saturating.
        numbered = (
            "SELECT c.id, c.seq, c.entity, c.row_id, c.company_id, c.actor, "
            "ROW_NUMBER() OVER w AS n, MAX(r.first) OVER w AS first, "
            "MAX(r.clock) OVER w AS start FROM sync_syncchange c "
            "LEFT JOIN sync_stamp_runs r ON r.seq = c.seq WHERE c.seq > %s AND c.seq <= %s "
            "WINDOW w AS (ORDER BY c.seq ROWS UNBOUNDED PRECEDING)"
        )
        clocked = (
            "SELECT entity, row_id, company_id, actor, id, seq, "
            f"(start / 65536) * 65536 + {least}(start %% 65536 + n - first, 65535) AS clock "
            f"FROM ({numbered}) numbered"
        )
        try:
            with transaction.atomic(using=using):
                # The unique (entity, row_id) index refuses a row that has a version already
                # (or twice in this range): then the general path handles these changes.
                cursor.execute(
                    "INSERT INTO sync_syncrow (entity, row_id, company_id, versions, deleted) "
                    f"SELECT entity, row_id, company_id, {as_json.format(v=mine)}, %s "
                    f"FROM ({clocked}) clocked ORDER BY seq",
                    [False, position, upto],
                )
        except IntegrityError:
            return None
        finally:
            cursor.execute("DROP TABLE IF EXISTS sync_stamp_runs")
        last = clock
    return upto, last, count


# --- Collecting a batch to send ---------------------------------------------------------------


@dataclass
class Batch:
    rows: list[dict[str, Any]]
    upto: int
    more: bool
    counts: Counter[str] = field(default_factory=Counter)


def _encode(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):  # exact amounts travel as text ("1234.50")
        return str(value)
    return value


def _payloads(
    synced: registry.SyncedModel, states: list[_State], using: str
) -> list[dict[str, Any]]:
    """Rows as sent: their current values (none once deleted) and every field's version."""
    to_db = _to_db_uuid(using)
    values = {
        to_db(row["id"]): row
        for chunk in _chunks([_from_db_uuid(state.row_id) for state in states], 2000)
        for row in _model(synced.label)
        ._default_manager.using(using)
        .filter(id__in=chunk)
        .values("id", *synced.fields)
    }
    payloads = []
    for state in states:
        current = values.get(state.row_id)
        payloads.append(
            {
                "entity": synced.label,
                "id": str(current["id"] if current else _from_db_uuid(state.row_id)),
                "deleted": current is None,
                "values": {}
                if current is None
                else {name: _encode(current[name]) for name in synced.fields},
                "versions": state.versions,
            }
        )
    return payloads


def collect(*, company: Company, after: int, limit: int = 500, using: str = "default") -> Batch:
    """The rows changed locally in this company after seq `after`, at most about `limit`.

    State-based: each row is sent as it is now, with every field's version, so a batch that
    is repeated, reordered or partly applied is harmless. Only stamped changes are taken: an
    edit committed after the last stamp has no version yet, and the cursor must not pass it.
    """
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT seq, entity, row_id FROM sync_syncchange "
            "WHERE company_id = %s AND seq > %s "
            "AND seq <= (SELECT stamp_cursor FROM sync_syncnode WHERE id = 1) "
            "ORDER BY seq LIMIT %s",
            [_to_db_uuid(using)(company.id), after, limit + 1],
        )
        changes = cursor.fetchall()
    more = len(changes) > limit
    changes = changes[:limit]
    if not changes:
        return Batch(rows=[], upto=after, more=False)
    upto = changes[-1][0] or after
    order = {synced.label: index for index, synced in enumerate(registry.synced_models())}
    wanted: dict[str, dict[Any, None]] = defaultdict(dict)  # ordered sets
    for _seq, entity, row_id in changes:
        if entity in order:
            wanted[entity][row_id] = None
    batch = Batch(rows=[], upto=upto, more=more)
    for entity in sorted(wanted, key=order.__getitem__):
        synced = registry.synced_model(entity)
        states = _load_states(using, entity, wanted[entity])
        stamped = [states[row_id] for row_id in wanted[entity] if row_id in states]
        batch.rows += _payloads(synced, stamped, using)
        batch.counts[entity] += len(stamped)
    return batch


# --- Applying a batch received from the other node -------------------------------------------


@dataclass
class ApplyResult:
    applied: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)
    conflicts: list[SyncConflict] = field(default_factory=list)
    parked: int = 0


@contextmanager
def applying(using: str) -> Iterator[None]:
    """Inside this block the capture triggers do not log: these writes came from the other
    node and must not be echoed back to it."""
    marker = SyncApplying.objects.using(using).create()
    try:
        yield
    except BaseException:
        # After an error PostgreSQL refuses every statement until the rollback, which takes
        # the marker away with the rest; the original error is the one to see.
        with suppress(DatabaseError):
            SyncApplying.objects.using(using).filter(id=marker.id).delete()
        raise
    SyncApplying.objects.using(using).filter(id=marker.id).delete()


def _policy_for(link: SyncLink, synced: registry.SyncedModel) -> Any:
    def policy_for(name: str) -> Policy:
        return Policy(synced.policies.get(name, link.policy))

    return policy_for


def apply(
    *,
    link: SyncLink,
    rows: list[dict[str, Any]],
    using: str = "default",
    resolve: bool | None = None,
    side: Side | None = None,
) -> ApplyResult:
    """Merge received rows into this node, in the caller's transaction.

    The caller commits the matching cursor in the same transaction, so a batch is applied
    exactly once in effect even when it arrives twice. Rows are handled a model at a time,
    parents first, with a fixed number of queries per model and batch.
    """
    side = side or local_side()
    resolve = (side == Side.ONLINE) if resolve is None else resolve
    result = ApplyResult()
    stamp(using=using, side=side)
    parked = list(SyncParked.objects.using(using).filter(company=link.company))
    if parked:
        SyncParked.objects.using(using).filter(id__in=[p.id for p in parked]).delete()
    order = {synced.label: index for index, synced in enumerate(registry.synced_models())}
    with applying(using):
        retries = [parked_row.payload for parked_row in parked]
        for payloads, retrying in ((rows, False), (retries, True)):
            received = Counter(result.received)
            by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for payload in payloads:
                entity = payload["entity"]
                if entity not in order:
                    raise LookupError(entity)
                by_entity[entity].append(payload)
            # Deletes first, children before parents, so a child's own delete meets its local
            # edits (a conflict) before its parent's delete would take it away unseen; then
            # the living rows, parents before children.
            doomed = {
                entity: {payload["id"] for payload in entity_rows if payload.get("deleted")}
                for entity, entity_rows in by_entity.items()
            }
            passes = (
                (sorted(by_entity, key=order.__getitem__, reverse=True), True),
                (sorted(by_entity, key=order.__getitem__), False),
            )
            for entities, deleted in passes:
                for entity in entities:
                    chosen = [p for p in by_entity[entity] if bool(p.get("deleted")) == deleted]
                    if chosen:
                        _apply_entity(
                            link,
                            entity,
                            chosen,
                            using=using,
                            side=side,
                            resolve=resolve,
                            result=result,
                            doomed=doomed,
                        )
            if retrying:
                result.received = received  # parked rows were counted when they arrived
    return result


def _apply_entity(
    link: SyncLink,
    entity: str,
    payloads: list[dict[str, Any]],
    *,
    using: str,
    side: Side,
    resolve: bool,
    result: ApplyResult,
    doomed: dict[str, set[str]] | None = None,
) -> None:
    synced = registry.synced_model(entity)
    if not _may_receive(synced, side):
        return
    model = _model(entity)
    manager = model._default_manager.using(using)
    ids = [uuid.UUID(payload["id"]) for payload in payloads]
    to_db = _to_db_uuid(using)
    states = _load_states(using, entity, [to_db(row_id) for row_id in ids])
    currents = {
        row["id"]: row
        for row in manager.filter(id__in=ids).values("id", "company_id", *synced.fields)
    }
    parents_present = _present_parents(synced, payloads, using)
    parents_gone = _deleted_parents(synced, payloads, using, doomed or {})
    creates: list[dict[str, Any]] = []
    updates: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    deletes: list[uuid.UUID] = []
    touched: list[_State] = []
    resends: list[SyncChange] = []
    conflicts: list[SyncConflict] = []
    now = timezone.now()
    for row_id, payload in zip(ids, payloads, strict=True):
        result.received[entity] += 1
        state = states.get(to_db(row_id))
        current = currents.get(row_id)
        if current is not None and current["company_id"] != link.company_id:
            raise PermissionError("a row of another company")
        incoming = RowImage(
            dict(payload.get("values") or {}),
            versions_from_json(payload.get("versions") or {}),
            bool(payload.get("deleted")),
        )
        local = None
        if state is not None or current is not None:
            local = RowImage(
                {name: _encode(current[name]) for name in synced.fields} if current else {},
                versions_from_json(state.versions if state else {}),
                current is None,
            )
        if _went_with_parent(incoming, local, resolve, synced.fields):
            # Its edits were lost to a parent's delete made here: logged here too.
            conflicts.append(_parent_delete_conflict(link, synced, row_id, incoming.versions, side))
        outcome = merge(
            local,
            incoming,
            local_side=side,
            fields=synced.fields,
            resolve=resolve,
            policy_for=_policy_for(link, synced),
        )
        if resolve and not outcome.image.deleted:
            gone = next(
                (
                    gone_by
                    for column, by_side in parents_gone.items()
                    if (gone_by := by_side.get(str(outcome.image.values.get(column))))
                ),
                None,
            )
            if gone is not None:
                # Its parent is deleted: the delete wins over the child's edit, which is
                # logged as the losing side (DESIGN.md §3: nothing lost unlogged).
                where, parent_delete = gone
                deleter = side if where == "here" else other_side(side)
                outcome = _parent_delete_wins(
                    local,
                    incoming,
                    outcome,
                    synced,
                    deleter=deleter,
                    parent_delete=parent_delete,
                    side=side,
                    link=link,
                )
        image = outcome.image
        if (
            not image.deleted
            and (current is None or outcome.changed)
            and any(
                image.values.get(column) and str(image.values[column]) not in present
                for column, present in parents_present.items()
            )
        ):
            SyncParked.objects.using(using).update_or_create(
                entity=entity,
                row_id=row_id,
                defaults={"company": link.company, "payload": payload},
            )
            result.parked += 1
            continue
        if image.deleted:
            if current is not None:
                deletes.append(row_id)
        elif current is None:
            # Only the registered fields: the id and the company are this node's to set.
            creates.append(
                {
                    **{name: image.values[name] for name in synced.fields if name in image.values},
                    "id": row_id,
                    "company_id": link.company_id,
                }
            )
        elif outcome.changed:
            fields = frozenset(outcome.changed)
            updates[fields].append({name: image.values.get(name) for name in fields})
            updates[fields][-1]["id"] = row_id
        if (image.deleted and current is not None) or (
            not image.deleted and (current is None or outcome.changed)
        ):
            result.applied[entity] += 1
        if outcome.rebroadcast:
            resends.append(
                SyncChange(
                    company_id=link.company_id,
                    entity=entity,
                    row_id=row_id,
                    op="r",
                    fields=",".join(sorted(outcome.rebroadcast)),
                )
            )
        if state is None:
            state = _State(None, entity, to_db(row_id), to_db(link.company_id), {}, False)
        touched.append(state)
        state.versions = versions_to_json(image.versions)
        state.deleted = image.deleted
        conflicts += [_conflict_row(link, entity, row_id, c) for c in outcome.conflicts]
    if deletes:
        orphans = _orphaned_children(
            link, entity, deletes, using, deleter=other_side(side), tell=not resolve
        )
        for orphan in orphans:  # each goes with its parent: an applied delete too
            result.applied[orphan.entity] += 1
        conflicts += orphans
        manager.filter(id__in=deletes).delete()
    writer = _RowWriter(model, using)
    writer.insert(creates, now)
    for fields, changes in updates.items():
        writer.update(sorted(fields), changes, now)
    _save_states(using, touched)
    SyncChange.objects.using(using).bulk_create(resends, batch_size=1000)
    result.conflicts += SyncConflict.objects.using(using).bulk_create(conflicts, batch_size=1000)


class _RowWriter:
    """Inserts and updates of one model by plain SQL, with the model's own conversion of each
    value: what bulk_create and bulk_update would do, without a model instance and a freshly
    compiled statement per row (they cost more than the data on a first sync)."""

    def __init__(self, model: type[models.Model], using: str) -> None:
        self.connection = connections[using]
        self.fields = {field.attname: field for field in model._meta.concrete_fields}
        self.table = self.connection.ops.quote_name(model._meta.db_table)

    def _converter(self, field: models.Field[Any, Any]) -> Callable[[Any], Any]:
        connection = self.connection
        if field.get_internal_type() in {"CharField", "TextField", "EmailField"}:
            return lambda value: (
                value
                if value is None or isinstance(value, str)
                else field.get_db_prep_save(value, connection)
            )
        if field.get_internal_type() == "BooleanField":
            return lambda value: None if value is None else bool(value)
        return lambda value: field.get_db_prep_save(value, connection)

    def insert(self, rows: list[dict[str, Any]], now: dt.datetime) -> None:
        if not rows:
            return
        names = list(self.fields)
        converters = [self._converter(self.fields[name]) for name in names]
        # A field the other node did not send gets its default, as a new model instance would:
        # the batch's time for the timestamps, a fresh value per row for other callables.
        connection = self.connection

        def default(field: models.Field[Any, Any]) -> Callable[[], Any]:
            if field.default is timezone.now:
                value = field.get_db_prep_save(now, connection)
                return lambda: value
            if callable(field.default):
                return lambda: field.get_db_prep_save(field.get_default(), connection)
            value = field.get_db_prep_save(field.get_default(), connection)
            return lambda: value

        defaults = [default(self.fields[name]) for name in names]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(self.fields[name].column) for name in names)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} ({columns}) VALUES ({', '.join(['%s'] * len(names))})",
                [
                    [
                        convert(row[name]) if name in row else fallback()
                        for name, convert, fallback in zip(names, converters, defaults, strict=True)
                    ]
                    for row in rows
                ],
            )

    def update(self, names: list[str], rows: list[dict[str, Any]], now: dt.datetime) -> None:
        if not rows:
            return
        pairs = [(name, self._converter(self.fields[name])) for name in names]
        convert_id = self._converter(self.fields["id"])
        stamp = self.fields["updated_at"].get_db_prep_save(now, self.connection)
        quote = self.connection.ops.quote_name
        assignments = ", ".join(f"{quote(self.fields[n].column)} = %s" for n in names)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.table} SET {assignments}, {quote('updated_at')} = %s "
                f"WHERE {quote('id')} = %s",
                [
                    [
                        *(convert(row[name]) for name, convert in pairs),
                        stamp,
                        convert_id(row["id"]),
                    ]
                    for row in rows
                ],
            )


def _deleted_parents(
    synced: registry.SyncedModel,
    payloads: list[dict[str, Any]],
    using: str,
    doomed: dict[str, set[str]],
) -> dict[str, dict[str, tuple[str, Version]]]:
    """Per foreign-key column, the parents the payloads name that are deleted: "here" (a
    tombstone on this node, with the version of its delete) or "there" (deleted by the other
    node in this batch)."""
    gone: dict[str, dict[str, tuple[str, Version]]] = {}
    to_db = _to_db_uuid(using)
    for column, parent_label in synced.parents.items():
        named = {
            str(value)
            for payload in payloads
            if (value := (payload.get("values") or {}).get(column))
        }
        found = dict.fromkeys(named & doomed.get(parent_label, set()), ("there", Version()))
        states = _load_states(using, parent_label, [to_db(uuid.UUID(v)) for v in named])
        for state in states.values():
            if state.deleted:
                versions = RowImage({}, versions_from_json(state.versions))
                found[str(_from_db_uuid(state.row_id))] = ("here", versions.version(DELETED))
        gone[column] = found
    return gone


def _parent_delete_wins(
    local: RowImage | None,
    incoming: RowImage,
    outcome: Outcome,
    synced: registry.SyncedModel,
    *,
    deleter: Side,
    parent_delete: Version,
    side: Side,
    link: SyncLink,
) -> Outcome:
    """The outcome for a child whose parent is deleted: deleted too, with both sides'
    knowledge merged, and the edit it overrides logged as a conflict the delete won.

    The child's delete carries its parent's delete: the editor never saw that (or it would
    not have edited the child), so it takes the delete as news, and a child it made that
    was never known here goes there too rather than living on under a restored parent."""
    names = (*synced.fields, DELETED)
    merged = {
        name: (local.version(name) if local else Version()).merged(incoming.version(name))
        for name in names
    }
    merged[DELETED] = merged[DELETED].merged(parent_delete)
    editor = incoming if deleter == side or local is None else local
    edit_version = max(
        (editor.version(name) for name in synced.fields),
        key=lambda version: version.hlc,
        default=Version(),
    )
    delete_version = merged[DELETED]
    office_version, online_version = (
        (delete_version, edit_version) if deleter == Side.OFFICE else (edit_version, delete_version)
    )
    policy = Policy(link.policy)
    conflicts = [c for c in outcome.conflicts if c.field != DELETED]
    conflicts.append(
        Conflict(
            DELETED,
            deleter == Side.OFFICE,
            deleter == Side.ONLINE,
            office_version,
            online_version,
            policy,
            deleter,
        )
    )
    return Outcome(
        RowImage({}, merged, True), changed=set(), conflicts=conflicts, rebroadcast={DELETED}
    )


def _orphaned_children(
    link: SyncLink,
    entity: str,
    parent_ids: list[uuid.UUID],
    using: str,
    *,
    deleter: Side,
    tell: bool,
) -> list[SyncConflict]:
    """Living children of parents the other node deleted, which that node never knew (its
    own children's deletes came first in the batch): they go with their parent, and each is
    logged as an edit the parent's delete won over. With `tell` (the office, which does not
    decide conflicts), each is also sent on as gone with its parent, so the resolving node
    logs the same conflict (see `_went_with_parent`)."""
    logged: list[SyncConflict] = []
    told: list[SyncChange] = []
    for child in registry.synced_models():
        for column, parent_label in child.parents.items():
            if parent_label != entity:
                continue
            rows = list(
                _model(child.label)
                ._default_manager.using(using)
                .filter(company_id=link.company_id, **{f"{column}__in": parent_ids})
                .values_list("id", flat=True)
            )
            if not rows:
                continue
            to_db = _to_db_uuid(using)
            states = _load_states(using, child.label, [to_db(row_id) for row_id in rows])
            for row_id in rows:
                state = states.get(to_db(row_id))
                versions = versions_from_json(state.versions if state else {})
                logged.append(_parent_delete_conflict(link, child, row_id, versions, deleter))
                if state is not None:
                    state.deleted = True
                if tell:
                    told.append(
                        SyncChange(
                            company_id=link.company_id, entity=child.label, row_id=row_id, op="r"
                        )
                    )
            _save_states(using, states.values())
            # Their own children go too, and the rows go here rather than by the parent's
            # cascade: a child that protects its parent (an activity's contact) would stop it.
            logged += _orphaned_children(link, child.label, rows, using, deleter=deleter, tell=tell)
            _model(child.label)._default_manager.using(using).filter(id__in=rows).delete()
    SyncChange.objects.using(using).bulk_create(told)
    return logged


def _parent_delete_conflict(
    link: SyncLink,
    synced: registry.SyncedModel,
    row_id: uuid.UUID,
    versions: dict[str, Version],
    deleter: Side,
) -> SyncConflict:
    """A row's latest edit, lost to its parent's delete on the `deleter` side."""
    image = RowImage({}, versions)
    edit = max(
        (image.version(name) for name in synced.fields),
        key=lambda version: version.hlc,
        default=Version(),
    )
    office_version, online_version = (
        (Version(), edit) if deleter == Side.OFFICE else (edit, Version())
    )
    return _conflict_row(
        link,
        synced.label,
        row_id,
        Conflict(
            DELETED,
            deleter == Side.OFFICE,
            deleter == Side.ONLINE,
            office_version,
            online_version,
            Policy(link.policy),
            deleter,
        ),
    )


def _went_with_parent(
    incoming: RowImage, local: RowImage | None, resolve: bool, fields: Iterable[str]
) -> bool:
    """A row the other node removed only because its parent went (told by
    `_orphaned_children`): sent as deleted with no delete of its own (none, or only this
    node's, which it may have heard of since), carrying edits this node never saw (it never
    knew the row, or deleted it with the parent without them)."""
    if not (resolve and incoming.deleted):
        return False
    if DELETED in incoming.versions and not (
        local is not None
        and DELETED in local.versions
        and local.version(DELETED).dominates(incoming.version(DELETED))
    ):
        return False  # a delete of the other node's own: it supersedes its edits
    return local is None or any(
        not local.version(name).dominates(incoming.version(name)) for name in fields
    )


def _present_parents(
    synced: registry.SyncedModel, payloads: list[dict[str, Any]], using: str
) -> dict[str, set[str]]:
    """Per foreign-key column, which of the parents the payloads name exist here (one query
    per parent model; parents of this batch were written before their children)."""
    present: dict[str, set[str]] = {}
    for column, parent_label in synced.parents.items():
        wanted = {
            str((payload.get("values") or {}).get(column))
            for payload in payloads
            if (payload.get("values") or {}).get(column)
        }
        present[column] = {
            str(parent_id)
            for parent_id in _model(parent_label)
            ._default_manager.using(using)
            .filter(id__in=wanted)
            .values_list("id", flat=True)
        }
    return present


def _may_receive(synced: registry.SyncedModel, side: Side) -> bool:
    """Direction is enforced on the receiving node too: office-owned data never changes
    because the online node said so."""
    if synced.direction == registry.Direction.OFFICE_TO_ONLINE:
        return side == Side.ONLINE
    if synced.direction == registry.Direction.ONLINE_TO_OFFICE:
        return side == Side.OFFICE
    return True


def _conflict_row(
    link: SyncLink, entity: str, row_id: uuid.UUID, conflict: Conflict
) -> SyncConflict:
    status = SyncConflict.Status.OPEN if conflict.winner is None else SyncConflict.Status.RESOLVED
    return SyncConflict(
        company=link.company,
        entity=entity,
        row_id=row_id,
        field=conflict.field,
        office_value=conflict.office_value,
        online_value=conflict.online_value,
        office_changed_at=_hlc_time(conflict.office_version.hlc),
        online_changed_at=_hlc_time(conflict.online_version.hlc),
        office_by=conflict.office_version.by,
        online_by=conflict.online_version.by,
        policy=conflict.policy.value,
        winner=conflict.winner.value if conflict.winner else "",
        status=status,
    )


def _hlc_time(value: int) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromtimestamp(hlc.milliseconds(value) / 1000, tz=dt.UTC)


# --- Snapshots: every row of a company, by key range -----------------------------------------


@dataclass
class Snapshot:
    rows: list[dict[str, Any]]
    #: Where the next page starts ("entity|row id"); "" when the snapshot is complete.
    position: str
    #: The change feed position when the snapshot began: tail the log from here afterwards.
    watermark: int


def snapshot_page(
    *, company: Company, position: str = "", limit: int = 500, using: str = "default"
) -> Snapshot:
    """One page of every synchronised row of the company (tombstones included), in key order.

    Used where the change log cannot say everything: after a restored backup, and for a node
    that must learn rows the other node never logged as its own. Resumable from `position`.
    """
    # Where the change feed continues afterwards: the last stamped change, not the last
    # logged one. A change committed after the stamp is newer than the versions this page
    # sends, so the feed must still carry it.
    watermark = (
        SyncChange.objects.using(using)
        .filter(company_id=company.id, seq__lte=node(using).stamp_cursor)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )
    labels = [synced.label for synced in registry.synced_models()]
    entity, _sep, after = position.partition("|")
    start = labels.index(entity) if entity in labels else 0
    rows: list[dict[str, Any]] = []
    to_db = _to_db_uuid(using)
    for label in labels[start:]:
        synced = registry.synced_model(label)
        query = (
            "SELECT id, row_id, company_id, versions, deleted FROM sync_syncrow "
            "WHERE company_id = %s AND entity = %s"
        )
        params: list[Any] = [to_db(company.id), label]
        if label == entity and after:
            query += " AND row_id > %s"
            params.append(to_db(uuid.UUID(after)))
        with connections[using].cursor() as cursor:
            cursor.execute(f"{query} ORDER BY row_id LIMIT %s", [*params, limit - len(rows)])
            states = [
                _State(pk, label, row_id, company_id, _json(versions), bool(deleted))
                for pk, row_id, company_id, versions, deleted in cursor.fetchall()
            ]
        rows += _payloads(synced, states, using)
        if len(rows) >= limit:
            last = rows[-1]
            return Snapshot(rows, f"{last['entity']}|{last['id']}", watermark)
    return Snapshot(rows, "", watermark)
