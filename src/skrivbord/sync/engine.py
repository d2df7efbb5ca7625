"""The sync engine on one node: fold local changes into versions, collect batches, apply them.

Everything takes a database alias, so the same code serves the office node, the online node,
and tests that hold both in one process. The protocol (api.py) and the agent (agent.py) call
these functions; domain apps are reached only through the registry and the app registry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from skrivbord.core import registry
from skrivbord.core.models import Company
from skrivbord.sync import hlc
from skrivbord.sync.merge import (
    DELETED,
    Conflict,
    Policy,
    RowImage,
    Side,
    Version,
    merge,
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
    SyncRow,
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
        while True:
            changes = list(
                SyncChange.objects.using(using)
                .filter(seq__gt=current.stamp_cursor)
                .order_by("seq")[:STAMP_BATCH]
            )
            if not changes:
                break
            keys = {(change.entity, change.row_id) for change in changes}
            rows = _sync_rows(keys, using)
            clock = current.hlc
            for change in changes:
                synced = specs.get(change.entity)
                if synced is None:
                    continue
                row = rows.get((change.entity, change.row_id))
                if row is None:
                    row = SyncRow(
                        entity=change.entity, row_id=change.row_id, company_id=change.company_id
                    )
                    rows[(change.entity, change.row_id)] = row
                clock = hlc.tick(clock, min(int(change.changed_at.timestamp() * 1000), now_ms))
                if change.op == "r":
                    continue  # a resend of a merged row: no new edit, no new version
                if change.op == "d":
                    names: Iterable[str] = (DELETED,)
                    row.deleted = True
                elif change.fields == "*":
                    names = _all_fields(synced)
                    row.deleted = False
                else:
                    names = [name for name in change.fields.split(",") if name]
                for name in names:
                    before = Version.from_list(row.versions.get(name))
                    after = (
                        Version(change.id, before.online, clock)
                        if side == Side.OFFICE
                        else Version(before.office, change.id, clock)
                    )
                    row.versions[name] = after.as_list()
            _save_sync_rows(rows.values(), using)
            current.stamp_cursor = changes[-1].seq or current.stamp_cursor
            current.hlc = clock
            folded += len(changes)
        current.save(using=using, update_fields=["stamp_cursor", "hlc"])
    return folded


def _sync_rows(
    keys: set[tuple[str, uuid.UUID]], using: str
) -> dict[tuple[str, uuid.UUID], SyncRow]:
    by_entity: dict[str, list[uuid.UUID]] = defaultdict(list)
    for entity, row_id in keys:
        by_entity[entity].append(row_id)
    found: dict[tuple[str, uuid.UUID], SyncRow] = {}
    for entity, ids in by_entity.items():
        for start in range(0, len(ids), 500):
            for row in SyncRow.objects.using(using).filter(
                entity=entity, row_id__in=ids[start : start + 500]
            ):
                found[(row.entity, row.row_id)] = row
    return found


def _save_sync_rows(rows: Iterable[SyncRow], using: str) -> None:
    new = [row for row in rows if row.pk is None]
    old = [row for row in rows if row.pk is not None]
    SyncRow.objects.using(using).bulk_create(new, batch_size=1000)
    SyncRow.objects.using(using).bulk_update(old, ["versions", "deleted"], batch_size=1000)


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
    return value


def _payloads(
    synced: registry.SyncedModel, states: list[SyncRow], using: str
) -> list[dict[str, Any]]:
    """Rows as sent: their current values (none once deleted) and every field's version."""
    values = {
        row["id"]: row
        for row in _model(synced.label)
        ._default_manager.using(using)
        .filter(id__in=[state.row_id for state in states])
        .values("id", *synced.fields)
    }
    payloads = []
    for state in states:
        current = values.get(state.row_id)
        payloads.append(
            {
                "entity": synced.label,
                "id": str(state.row_id),
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
    is repeated, reordered or partly applied is harmless.
    """
    changes = list(
        SyncChange.objects.using(using)
        .filter(company_id=company.id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "entity", "row_id")[: limit + 1]
    )
    more = len(changes) > limit
    changes = changes[:limit]
    if not changes:
        return Batch(rows=[], upto=after, more=False)
    upto = changes[-1][0] or after
    order = {synced.label: index for index, synced in enumerate(registry.synced_models())}
    wanted: dict[str, list[uuid.UUID]] = defaultdict(list)
    seen: set[tuple[str, uuid.UUID]] = set()
    for _seq, entity, row_id in changes:
        if entity in order and (entity, row_id) not in seen:
            seen.add((entity, row_id))
            wanted[entity].append(row_id)
    batch = Batch(rows=[], upto=upto, more=more)
    for entity in sorted(wanted, key=order.__getitem__):
        synced = registry.synced_model(entity)
        ids = wanted[entity]
        states = {
            row.row_id: row
            for row in SyncRow.objects.using(using).filter(entity=entity, row_id__in=ids)
        }
        # A change not stamped yet has no state: the next batch carries it.
        stamped = [states[row_id] for row_id in ids if row_id in states]
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
    finally:
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
            for entity in sorted(by_entity, key=order.__getitem__):
                _apply_entity(
                    link,
                    entity,
                    by_entity[entity],
                    using=using,
                    side=side,
                    resolve=resolve,
                    result=result,
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
) -> None:
    synced = registry.synced_model(entity)
    if not _may_receive(synced, side):
        return
    model = _model(entity)
    manager = model._default_manager.using(using)
    ids = [uuid.UUID(payload["id"]) for payload in payloads]
    states = {
        state.row_id: state
        for state in SyncRow.objects.using(using).filter(entity=entity, row_id__in=ids)
    }
    currents = {
        row["id"]: row
        for row in manager.filter(id__in=ids).values("id", "company_id", *synced.fields)
    }
    parents_present = _present_parents(synced, payloads, using)
    creates: list[models.Model] = []
    updates: dict[frozenset[str], list[models.Model]] = defaultdict(list)
    deletes: list[uuid.UUID] = []
    new_states: list[SyncRow] = []
    changed_states: list[SyncRow] = []
    resends: list[SyncChange] = []
    conflicts: list[SyncConflict] = []
    now = timezone.now()
    for row_id, payload in zip(ids, payloads, strict=True):
        result.received[entity] += 1
        state = states.get(row_id)
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
        outcome = merge(
            local,
            incoming,
            local_side=side,
            fields=synced.fields,
            resolve=resolve,
            policy_for=_policy_for(link, synced),
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
            creates.append(model(id=row_id, company_id=link.company_id, **image.values))
        elif outcome.changed:
            fields = frozenset(outcome.changed)
            updates[fields].append(
                model(
                    id=row_id, updated_at=now, **{name: image.values.get(name) for name in fields}
                )
            )
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
            state = SyncRow(entity=entity, row_id=row_id, company_id=link.company_id)
            new_states.append(state)
        else:
            changed_states.append(state)
        state.versions = versions_to_json(image.versions)
        state.deleted = image.deleted
        conflicts += [_conflict_row(link, entity, row_id, c) for c in outcome.conflicts]
    if deletes:
        manager.filter(id__in=deletes).delete()
    manager.bulk_create(creates, batch_size=1000)
    for fields, instances in updates.items():
        manager.bulk_update(instances, [*fields, "updated_at"], batch_size=1000)
    SyncRow.objects.using(using).bulk_create(new_states, batch_size=1000)
    SyncRow.objects.using(using).bulk_update(
        changed_states, ["versions", "deleted"], batch_size=500
    )
    SyncChange.objects.using(using).bulk_create(resends, batch_size=1000)
    result.conflicts += SyncConflict.objects.using(using).bulk_create(conflicts, batch_size=1000)


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
    watermark = (
        SyncChange.objects.using(using)
        .filter(company_id=company.id, seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
        or 0
    )
    labels = [synced.label for synced in registry.synced_models()]
    entity, _sep, after = position.partition("|")
    start = labels.index(entity) if entity in labels else 0
    rows: list[dict[str, Any]] = []
    for label in labels[start:]:
        synced = registry.synced_model(label)
        states = SyncRow.objects.using(using).filter(company_id=company.id, entity=label)
        if label == entity and after:
            states = states.filter(row_id__gt=uuid.UUID(after))
        rows += _payloads(synced, list(states.order_by("row_id")[: limit - len(rows)]), using)
        if len(rows) >= limit:
            last = rows[-1]
            return Snapshot(rows, f"{last['entity']}|{last['id']}", watermark)
    return Snapshot(rows, "", watermark)
