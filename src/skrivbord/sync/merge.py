"""Per-field merge of one row, with exact concurrency detection. Pure: no Django.

Every field of a synchronised row carries a two-entry version vector: the newest office edit
and the newest online edit its value incorporates, plus the hybrid logical clock of the edit
that made it. One vector dominating the other means its side has seen everything the other
has; neither dominating means the two edits were concurrent — a true conflict, never a false
one (the idea of Microsoft Sync Framework's knowledge; DESIGN.md §3).

The pseudo-field DELETED carries deletes as tombstones. An edit the deleting side had not
seen, against that delete, is a conflict too.

Conflicts are resolved on the online node only (`resolve=True`): the office keeps its own
value for a concurrent field and lets the online node decide when the office's edit arrives
there. A resolved field keeps the merged vector of both sides (it has seen both edits) and
the row is sent back (`rebroadcast`), so the office learns the outcome and that knowledge,
and its later edits are not mistaken for conflicts. No new version is made: a made-up edit
would itself look concurrent with the office's next one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

DELETED = "_deleted"
#: The version of every field not listed on its own. A row inserted and not edited since has
#: only this entry: one version instead of one per field, in storage and on the wire.
ALL = "*"


class Side(StrEnum):
    OFFICE = "office"
    ONLINE = "online"


class Policy(StrEnum):
    OFFICE_WINS = "office-wins"
    ONLINE_WINS = "online-wins"
    NEWEST_WINS = "newest-wins"
    ASK = "ask"


@dataclass(frozen=True, order=True)
class Version:
    office: int = 0
    online: int = 0
    hlc: int = 0
    #: Who made the edit (SyncChange.actor), "" when unknown. Information for people only:
    #: comparisons, dominance and concurrency never look at it.
    by: str = field(default="", compare=False)

    def dominates(self, other: Version) -> bool:
        return self.office >= other.office and self.online >= other.online

    def knows_more_than(self, other: Version) -> bool:
        """Dominates and differs: it has seen something `other` has not."""
        return self.dominates(other) and (self.office, self.online) != (
            other.office,
            other.online,
        )

    def concurrent(self, other: Version) -> bool:
        return not self.dominates(other) and not other.dominates(self)

    def merged(self, other: Version) -> Version:
        newest = self if self.hlc >= other.hlc else other
        return Version(
            max(self.office, other.office),
            max(self.online, other.online),
            max(self.hlc, other.hlc),
            newest.by,
        )

    def as_list(self) -> list[int | str]:
        """[office, online, hlc], and the actor as a fourth element only when known."""
        parts: list[int | str] = [self.office, self.online, self.hlc]
        if self.by:
            parts.append(self.by)
        return parts

    @classmethod
    def from_list(cls, value: Sequence[int | str] | None) -> Version:
        if not value:
            return ZERO
        return cls(
            int(value[0]),
            int(value[1]),
            int(value[2]) if len(value) > 2 else 0,
            str(value[3]) if len(value) > 3 else "",
        )


ZERO = Version()


@dataclass
class RowImage:
    """One node's view of a row: field values, their versions, and whether it is deleted."""

    values: dict[str, Any]
    versions: dict[str, Version]
    deleted: bool = False

    def version(self, name: str) -> Version:
        found = self.versions.get(name)
        return found if found is not None else self.versions.get(ALL, ZERO)


@dataclass(frozen=True)
class Conflict:
    field: str
    office_value: Any
    online_value: Any
    office_version: Version
    online_version: Version
    policy: Policy
    #: The side whose value won, or None while a person decides (policy ASK).
    winner: Side | None


@dataclass
class Outcome:
    image: RowImage
    #: Fields whose local value changes (to be written to the row).
    changed: set[str] = field(default_factory=set)
    conflicts: list[Conflict] = field(default_factory=list)
    #: Fields the resolving node must give a fresh version of its own.
    rebroadcast: set[str] = field(default_factory=set)
    #: The row is (re)created locally from the merged values.
    restored: bool = False


def winner_of(policy: Policy, office: Version, online: Version) -> Side | None:
    if policy == Policy.OFFICE_WINS:
        return Side.OFFICE
    if policy == Policy.ONLINE_WINS:
        return Side.ONLINE
    if policy == Policy.NEWEST_WINS:
        # Ties go to the office, the master copy.
        return Side.ONLINE if online.hlc > office.hlc else Side.OFFICE
    return None


def merge(
    local: RowImage | None,
    incoming: RowImage,
    *,
    local_side: Side,
    fields: tuple[str, ...],
    resolve: bool,
    policy_for: Callable[[str], Policy],
) -> Outcome:
    """Merge what the other node sent into what this node holds."""
    if local is None:
        image = RowImage(dict(incoming.values), dict(incoming.versions), incoming.deleted)
        return Outcome(
            image, changed=set() if incoming.deleted else set(fields), restored=not incoming.deleted
        )

    def sides(local_value: Any, incoming_value: Any) -> tuple[Any, Any]:
        return (
            (local_value, incoming_value)
            if local_side == Side.OFFICE
            else (incoming_value, local_value)
        )

    values = dict(local.values)
    versions = dict(local.versions)
    outcome = Outcome(RowImage(values, versions, local.deleted))

    deleting = _delete_against_edits(local, incoming, fields)
    if deleting is not None:
        return _resolve_delete_conflict(
            local,
            incoming,
            deleting,
            outcome,
            local_side=local_side,
            fields=fields,
            resolve=resolve,
            policy=policy_for(DELETED),
        )

    if local.deleted and incoming.deleted:
        # Both gone: what either knew of the row's edits is known here now (so a repeated
        # batch brings no edit that looks unseen; see engine._went_with_parent).
        for name in set(local.versions) | set(incoming.versions) | {DELETED}:
            versions[name] = local.version(name).merged(incoming.version(name))
        return outcome
    if incoming.deleted:
        # The other side deleted, having seen every edit this side made: delete. A delete this
        # copy knows already (the same version: it was overruled here, and this is a batch
        # repeated) changes nothing.
        if incoming.version(DELETED).knows_more_than(local.version(DELETED)):
            overlay(versions, incoming.versions)
            outcome.image.deleted = True
        return outcome
    if local.deleted:
        if incoming.version(DELETED).dominates(local.version(DELETED)):
            # The other side knows of the delete and restored the row (a resolution).
            outcome.image = RowImage(dict(incoming.values), dict(incoming.versions), False)
            outcome.changed = set(fields)
            outcome.restored = True
        return outcome

    # Both copies are alive: they agree on existence, so existence knowledge simply merges.
    # (Without this, a later delete would carry an old vector and look like stale news.)
    versions[DELETED] = local.version(DELETED).merged(incoming.version(DELETED))
    for name in fields:
        mine, theirs = local.version(name), incoming.version(name)
        if mine.dominates(theirs):
            continue
        if theirs.dominates(mine):
            if values.get(name) != incoming.values.get(name):
                outcome.changed.add(name)
            values[name] = incoming.values.get(name)
            versions[name] = theirs
            continue
        # Concurrent edits of one field.
        if not resolve:
            continue  # this side's pending edit goes to the resolving node, which decides
        merged = mine.merged(theirs)
        if values.get(name) == incoming.values.get(name):
            versions[name] = merged  # the same value on both sides: agreement, not a conflict
            outcome.rebroadcast.add(name)
            continue
        policy = policy_for(name)
        office_version, online_version = sides(mine, theirs)
        winner = winner_of(policy, office_version, online_version)
        office_value, online_value = sides(values.get(name), incoming.values.get(name))
        outcome.conflicts.append(
            Conflict(
                name, office_value, online_value, office_version, online_version, policy, winner
            )
        )
        # The merged version names whoever wrote the value the field keeps.
        kept = theirs if winner is not None and winner != local_side else mine
        versions[name] = replace(merged, by=kept.by)
        if winner is None:
            continue  # kept provisionally until a person decides
        if winner != local_side:
            values[name] = incoming.values.get(name)
            outcome.changed.add(name)
        outcome.rebroadcast.add(name)
    return outcome


class Copy(StrEnum):
    LOCAL = "local"
    INCOMING = "incoming"


def _delete_against_edits(
    local: RowImage, incoming: RowImage, fields: tuple[str, ...]
) -> Copy | None:
    """Which copy deleted the row, when the two copies disagree on existence and neither
    side's knowledge covers the other's (a delete against an unseen edit or restore)."""
    mine, theirs = local.version(DELETED), incoming.version(DELETED)
    if incoming.deleted and not local.deleted:
        if mine.dominates(theirs):
            return None  # stale news of a delete this side already undid
        unseen = any(not incoming.version(f).dominates(local.version(f)) for f in fields)
        if theirs.dominates(mine) and not unseen:
            return None  # a clean delete: the caller applies it
        return Copy.INCOMING
    if local.deleted and not incoming.deleted:
        if theirs.dominates(mine):
            return None  # a restore by the resolving node: the caller applies it
        unseen = any(not local.version(f).dominates(incoming.version(f)) for f in fields)
        if mine.dominates(theirs) and not unseen:
            return None  # stale: the row stays deleted
        return Copy.LOCAL
    return None


def _resolve_delete_conflict(
    local: RowImage,
    incoming: RowImage,
    deleter: Copy,
    outcome: Outcome,
    *,
    local_side: Side,
    fields: tuple[str, ...],
    resolve: bool,
    policy: Policy,
) -> Outcome:
    if not resolve:
        return outcome  # keep this side's state; the resolving node decides
    deleter_is_local = deleter == Copy.LOCAL
    deleting_side = local_side if deleter_is_local else other_side(local_side)
    delete_version = (local if deleter_is_local else incoming).version(DELETED)
    editor = incoming if deleter_is_local else local
    edit_version = max(
        (editor.version(f) for f in fields), key=lambda version: version.hlc, default=ZERO
    )
    office_version, online_version = (
        (delete_version, edit_version)
        if deleting_side == Side.OFFICE
        else (edit_version, delete_version)
    )
    winner = winner_of(policy, office_version, online_version)
    merged_deleted = local.version(DELETED).merged(incoming.version(DELETED))
    outcome.conflicts.append(
        Conflict(
            DELETED,
            deleting_side == Side.OFFICE,
            deleting_side == Side.ONLINE,
            office_version,
            online_version,
            policy,
            winner,
        )
    )
    versions = outcome.image.versions
    if winner is None:
        versions[DELETED] = merged_deleted
        return outcome
    if winner == deleting_side:
        versions[DELETED] = replace(merged_deleted, by=delete_version.by)
        for name in fields:
            versions[name] = local.version(name).merged(incoming.version(name))
        outcome.image.deleted = True
        outcome.image.values = {}
        outcome.changed = set()
    else:
        # The edit wins: the row lives, with every field merged from both copies.
        outcome.image = RowImage(dict(editor.values), {}, False)
        for name in fields:
            merged = local.version(name).merged(incoming.version(name))
            outcome.image.versions[name] = replace(merged, by=editor.version(name).by)
        outcome.image.versions[DELETED] = merged_deleted
        # Only a node that deleted the row writes it again; the editor's copy stays as it is.
        outcome.changed = set(fields) if deleter_is_local else set()
        outcome.restored = deleter_is_local
    outcome.rebroadcast.add(DELETED)
    return outcome


def other_side(side: Side) -> Side:
    return Side.ONLINE if side == Side.OFFICE else Side.OFFICE


def overlay(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    """Give `target` every version `source` has; with an ALL entry that is every field, so
    fields `target` lists on their own must not keep their older versions."""
    if ALL in source:
        for name in [name for name in target if name not in source]:
            del target[name]
    target.update(source)


def versions_from_json(data: Mapping[str, Any]) -> dict[str, Version]:
    return {name: Version.from_list(value) for name, value in data.items()}


def versions_to_json(versions: Mapping[str, Version]) -> dict[str, list[int | str]]:
    return {name: version.as_list() for name, version in versions.items()}
