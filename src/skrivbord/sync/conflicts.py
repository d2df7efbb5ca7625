"""Sync conflicts: the log a person reads, the queue of the *ask a person* policy, and the
decide and reverse actions.

A decision or a reversal is an ordinary local edit of the row, made through the ORM: the
capture trigger logs it like any other change, so it syncs to the other node and, being newer
than both sides of the conflict, wins there. When the value to write is already the row's
value (the trigger ignores writes that change nothing), the change is logged explicitly so
the other node still receives it.

`winner` keeps the side the policy (or the person deciding) chose; after a reversal the
status is "reversed" and the other side's value is the one in effect.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess
from skrivbord.sync.actor import current_actor
from skrivbord.sync.history import entity_name
from skrivbord.sync.models import SyncChange, SyncConflict

Status = SyncConflict.Status
DELETED = "_deleted"  # the pseudo-field of delete-against-edit conflicts
SIDES = ("office", "online")
REVERSIBLE = (Status.RESOLVED, Status.DECIDED)
STATUS_FILTERS = ("open", "all")

# Where a person looks at a synchronised record: URL name and the row attribute that is the
# URL's id. A contact person is shown on its contact's page.
RECORD_URLS: dict[str, tuple[str, str, str]] = {
    "contacts.contact": ("contacts:detail", "contact_id", "id"),
    "contacts.contactperson": ("contacts:detail", "contact_id", "contact_id"),
}


def side_label(side: str | None) -> str:
    if side == "office":
        return _("the office system")
    if side == "online":
        return _("the online desktop")
    return ""


def actor_display(actor: str) -> str:
    """Who made an edit, as a person reads it: an e-mail as it is, a command by its name."""
    if actor == "cli":
        return _("the command line")
    if actor.startswith("cli:"):
        return _("the command line (%(command)s)") % {"command": actor.removeprefix("cli:")}
    return actor


def other_side(side: str) -> str:
    return "online" if side == "office" else "office"


def side_in_effect(conflict: SyncConflict) -> str | None:
    """Whose value the record holds after the conflict was handled; None while it is open."""
    if not conflict.winner:
        return None
    return other_side(conflict.winner) if conflict.status == Status.REVERSED else conflict.winner


# --- Selectors --------------------------------------------------------------------------------


def conflict_list(*, access: CompanyAccess, status: str = "open") -> QuerySet[SyncConflict]:
    """The company's conflicts, newest first: those waiting for a person ("open") or all."""
    access.require("sync", "view")
    conflicts = SyncConflict.objects.filter(company=access.company)
    if status == "open":
        conflicts = conflicts.filter(status=Status.OPEN)
    return conflicts.order_by("-created_at", "-id")


def conflict_get(*, access: CompanyAccess, conflict_id: uuid.UUID) -> SyncConflict:
    access.require("sync", "view")
    conflict = SyncConflict.objects.filter(company=access.company, id=conflict_id).first()
    if conflict is None:
        raise Http404
    return conflict


def open_conflict_count(*, access: CompanyAccess) -> int:
    return SyncConflict.objects.filter(company=access.company, status=Status.OPEN).count()


# --- Presentation -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    """A conflict with the names and values a person reads, worked out once."""

    conflict: SyncConflict
    entity_name: str
    field_name: str
    record_label: str
    record_url: str | None
    record_exists: bool
    office_display: str
    online_display: str
    in_effect: str | None
    #: Who made each side's edit ("" when unknown).
    office_by: str
    online_by: str

    @property
    def winner_label(self) -> str:
        return side_label(self.conflict.winner)

    @property
    def in_effect_label(self) -> str:
        return side_label(self.in_effect)

    @property
    def can_decide(self) -> bool:
        return self.conflict.status == Status.OPEN

    @property
    def can_reverse(self) -> bool:
        return self.conflict.status in REVERSIBLE and bool(self.conflict.winner)

    @property
    def reverse_side(self) -> str | None:
        """The side whose value a reversal writes."""
        return other_side(self.conflict.winner) if self.can_reverse else None

    @property
    def reverse_label(self) -> str:
        return side_label(self.reverse_side)

    @property
    def reverse_display(self) -> str:
        side = self.reverse_side
        if side is None:
            return ""
        return self.office_display if side == "office" else self.online_display


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None or name == DELETED:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_name(model: type[models.Model] | None, name: str) -> str:
    if name == DELETED:
        return _("Deleted or kept")
    field = _field(model, name)
    if field is None:
        return name
    return str(field.verbose_name)


def _truthy(value: Any) -> bool:
    """JSON values from either node: true, 1, "1", "true" (and for "_deleted", deleted)."""
    return bool(value) and value not in ("0", "false", "False")


EMPTY = gettext_lazy("(empty)")


def value_display(model: type[models.Model] | None, name: str, value: Any) -> str:
    """A stored value as a person reads it: choices by their label, yes/no, "(empty)"."""
    if name == DELETED:
        return _("Deleted") if _truthy(value) else _("Kept and edited")
    if value is None or value == "":
        return str(EMPTY)
    field = _field(model, name)
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return _("Yes") if _truthy(value) else _("No")
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    return str(value)


def _records(
    company_id: uuid.UUID, conflicts: Iterable[SyncConflict]
) -> dict[str, dict[uuid.UUID, models.Model]]:
    """The conflicts' rows, one query per entity."""
    ids: dict[str, set[uuid.UUID]] = defaultdict(set)
    for conflict in conflicts:
        ids[conflict.entity].add(conflict.row_id)
    found: dict[str, dict[uuid.UUID, models.Model]] = {}
    for label, row_ids in ids.items():
        model = _model(label)
        if model is None:
            found[label] = {}
            continue
        rows = model._default_manager.filter(company_id=company_id, id__in=row_ids)
        found[label] = {row.pk: row for row in rows}
    return found


def _record_url(company_id: uuid.UUID, label: str, row: models.Model | None) -> str | None:
    if row is None or label not in RECORD_URLS:
        return None
    url_name, kwarg, attribute = RECORD_URLS[label]
    try:
        return reverse(url_name, kwargs={"company_id": company_id, kwarg: getattr(row, attribute)})
    except NoReverseMatch:
        return None


def conflict_rows(*, access: CompanyAccess, conflicts: Sequence[SyncConflict]) -> list[ConflictRow]:
    records = _records(access.company.id, conflicts)
    rows = []
    for conflict in conflicts:
        model = _model(conflict.entity)
        record = records.get(conflict.entity, {}).get(conflict.row_id)
        rows.append(
            ConflictRow(
                conflict=conflict,
                entity_name=entity_name(conflict.entity, plural=False),
                field_name=field_name(model, conflict.field),
                record_label=str(record) if record is not None else _("(deleted record)"),
                record_url=_record_url(access.company.id, conflict.entity, record),
                record_exists=record is not None,
                office_display=value_display(model, conflict.field, conflict.office_value),
                online_display=value_display(model, conflict.field, conflict.online_value),
                in_effect=side_in_effect(conflict),
                office_by=actor_display(conflict.office_by),
                online_by=actor_display(conflict.online_by),
            )
        )
    return rows


# --- Services -------------------------------------------------------------------------------


def _require_admin(access: CompanyAccess) -> None:
    if not access.is_admin:
        raise PermissionDenied(_("Only an administrator can decide or reverse a sync conflict."))


def _log_change(access: CompanyAccess, conflict: SyncConflict, op: str, fields: str) -> None:
    """Log a local change the trigger would not see (the row already holds the value), so the
    other node receives the decision all the same."""
    SyncChange.objects.create(
        company_id=access.company.id,
        entity=conflict.entity,
        row_id=conflict.row_id,
        op=op,
        fields=fields,
        actor=current_actor(),
    )


def _record_deleted_error() -> ValidationError:
    return ValidationError(
        _(
            "The record was deleted, so this value cannot be written back to it. Re-create "
            "the record and enter the value by hand."
        ),
        code="deleted",
    )


def _write(access: CompanyAccess, conflict: SyncConflict, side: str) -> None:
    """Make the value of `side` the record's value, as a new local edit."""
    try:
        synced = registry.synced_model(conflict.entity)
    except KeyError:
        synced = None
    model = _model(conflict.entity)
    if synced is None or model is None:
        raise ValidationError(
            _("%(entity)s is no longer synchronised; the conflict cannot be changed.")
            % {"entity": conflict.entity},
            code="unknown",
        )
    value = conflict.office_value if side == "office" else conflict.online_value
    rows = model._default_manager.filter(company_id=access.company.id, id=conflict.row_id)

    if conflict.field == DELETED:
        if _truthy(value):
            if rows.exists():
                rows.delete()  # captured as a delete, cascades included
            else:
                _log_change(access, conflict, "d", "")
        elif rows.exists():
            # Keep: send the whole row again, so the other node has it back.
            _log_change(access, conflict, "u", "*")
        else:
            # TODO: re-create the row from the last known values once the engine keeps them.
            raise _record_deleted_error()
        return

    field = _field(model, conflict.field)
    if field is None or conflict.field not in synced.fields:
        raise ValidationError(
            _("%(field)s is not a synchronised field of %(entity)s.")
            % {"field": conflict.field, "entity": conflict.entity},
            code="unknown",
        )
    if value is None and not field.null and field.empty_strings_allowed:
        value = ""
    try:
        python_value = field.to_python(value)
    except ValidationError as error:
        raise ValidationError(
            _("The value %(value)s does not fit the field %(field)s: %(error)s")
            % {"value": value, "field": field.verbose_name, "error": " ".join(error.messages)},
            code="invalid",
        ) from error
    current = rows.values_list(field.attname, flat=True).first()
    if current is None and not rows.exists():
        raise _record_deleted_error()
    if current == python_value:
        _log_change(access, conflict, "u", conflict.field)
        return
    changes: dict[str, Any] = {field.attname: python_value}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        changes["updated_at"] = timezone.now()
    rows.update(**changes)


def _locked(access: CompanyAccess, conflict: SyncConflict) -> SyncConflict:
    locked = (
        SyncConflict.objects.select_for_update()
        .filter(company=access.company, id=conflict.id)
        .first()
    )
    if locked is None:
        raise Http404
    return locked


def conflict_decide(*, access: CompanyAccess, conflict: SyncConflict, choice: str) -> SyncConflict:
    """Settle a conflict waiting for a person (*ask a person*) with the office's or the online
    value. The value is written to the record as a new edit, which syncs."""
    _require_admin(access)
    if choice not in SIDES:
        raise ValidationError(_("Choose the office value or the online value."), code="choice")
    with transaction.atomic():
        conflict = _locked(access, conflict)
        if conflict.status != Status.OPEN:
            raise ValidationError(
                _("This conflict is no longer waiting for a decision."), code="settled"
            )
        _write(access, conflict, choice)
        conflict.winner = choice
        conflict.status = Status.DECIDED
        conflict.decided_by = access.user.email
        conflict.decided_at = timezone.now()
        conflict.save(update_fields=["winner", "status", "decided_by", "decided_at"])
    return conflict


def conflict_reverse(*, access: CompanyAccess, conflict: SyncConflict) -> SyncConflict:
    """Undo how a conflict was settled: the losing value is written as a new edit, which
    syncs. `winner` keeps the original choice; the status says it was reversed."""
    _require_admin(access)
    with transaction.atomic():
        conflict = _locked(access, conflict)
        if conflict.status not in REVERSIBLE or not conflict.winner:
            raise ValidationError(
                _("Only a conflict that was resolved or decided can be reversed."),
                code="not_reversible",
            )
        _write(access, conflict, other_side(conflict.winner))
        conflict.status = Status.REVERSED
        conflict.decided_by = access.user.email
        conflict.decided_at = timezone.now()
        conflict.save(update_fields=["status", "decided_by", "decided_at"])
    return conflict
