"""Writes to activities, their types, resources and participants: the only write path.

The web UI, the REST API, the admin and the demo all call these functions. The sync capture
triggers log whatever they write; an update writes only the fields whose values change, so an
unchanged field is never an edit that could conflict with the other node's.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.activities.models import (
    DEFAULT_TYPE_NAMESPACE,
    DEFAULT_TYPES,
    Activity,
    ActivityType,
    Participant,
    Priority,
    Resource,
    ResourceKind,
    ShowsIn,
    Status,
    WorkingHours,
    time_minutes,
)
from skrivbord.activities.timezones import company_timezone
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company, Membership

ACTIVITY_FIELDS = (
    "type",
    "subject",
    "description",
    "all_day",
    "start",
    "end",
    "start_date",
    "end_date",
    "due_date",
    "status",
    "priority",
    "responsible",
    "contact",
    "contact_person",
    "location",
    "private",
)
TYPE_FIELDS = ("key", "name", "shows_in", "colour", "is_active", "order")
RESOURCE_FIELDS = ("name", "kind", "is_active")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --- Activity types ---------------------------------------------------------------------------


def default_type_id(company: Company, key: str) -> uuid.UUID:
    """The id of a default type: the same for the office and the online copy of a company.

    The two nodes' companies have ids of their own, so the id is derived from what they share:
    the organisation number (pairing refuses two companies whose numbers differ), else the
    name.
    """
    identity = company.org_number.replace("-", "").strip() or company.name.strip().lower()
    return uuid.uuid5(DEFAULT_TYPE_NAMESPACE, f"{identity}\n{key}")


def activity_types_seed(*, company: Company, using: str = "default") -> list[ActivityType]:
    """Give a company the default types it lacks (by key); run at creation and by migration."""
    existing = set(
        ActivityType.objects.using(using).filter(company=company).values_list("key", flat=True)
    )
    made = []
    for order, (key, (_name, shows_in, colour)) in enumerate(DEFAULT_TYPES.items(), start=1):
        if key in existing:
            continue
        type_id = default_type_id(company, key)
        if ActivityType.objects.using(using).filter(id=type_id).exists():
            # Another company of this database shares the number or the name: it keeps the id.
            type_id = uuid.uuid4()
        made.append(
            ActivityType(
                id=type_id,
                company=company,
                key=key,
                shows_in=shows_in,
                colour=colour,
                order=order * 10,
            )
        )
    if made:
        # Not captured for the sync: every node makes the same rows with the same ids itself
        # (on creation, by migration, or again here if they were removed with an online copy),
        # so there is nothing to send, and a first sync is not cluttered with them.
        from skrivbord.sync.engine import applying

        with transaction.atomic(using=using), applying(using):
            ActivityType.objects.using(using).bulk_create(made)
    return made


def _check_company(access: CompanyAccess, row: Any, what: str) -> None:
    if row.company_id != access.company.id:
        raise PermissionError(f"{what} of another company")


def _clean_text(values: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if isinstance(value, str):
            if "\x00" in value:
                errors.setdefault(field, []).append(_("Null characters are not allowed."))
                continue
            value = value.strip()
        cleaned[field] = value
    return cleaned


def _full_clean(instance: Any, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


def _write(row: Any, cleaned: Mapping[str, Any], *, exclude: list[str]) -> list[str]:
    """Set and save the fields whose values change; returns their names."""
    changed = [name for name, value in cleaned.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, cleaned[name])
    if changed:
        _full_clean(row, exclude=exclude)
        row.updated_at = timezone.now()
        row.save(update_fields=[*changed, "updated_at"])
    return changed


def _prepare_type(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(TYPE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown activity type fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_text(values, errors)
    if "shows_in" in cleaned and cleaned["shows_in"] not in ShowsIn.values:
        errors.setdefault("shows_in", []).append(_("Choose the calendar or the task list."))
    if "colour" in cleaned and not _COLOUR.match(cleaned["colour"] or ""):
        errors.setdefault("colour", []).append(_("Give the colour as #rrggbb."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def activity_type_create(*, access: CompanyAccess, **values: Any) -> ActivityType:
    access.require("activities", "configure")
    cleaned = _prepare_type(values)
    if not cleaned.get("name"):
        raise ValidationError({"name": [_("A new activity type needs a name.")]})
    if ActivityType.objects.filter(company=access.company, key=cleaned.get("key")).exists():
        raise ValidationError({"key": [_("There is already an activity type with this key.")]})
    activity_type = ActivityType(company=access.company, **cleaned)
    _full_clean(activity_type, exclude=["company"])
    activity_type.save()
    return activity_type


@transaction.atomic
def activity_type_update(
    *, access: CompanyAccess, activity_type: ActivityType, **values: Any
) -> ActivityType:
    """Change a type; its key is stable (the API's `type`), so it cannot change."""
    access.require("activities", "configure")
    _check_company(access, activity_type, "activity type")
    if "key" in values and values["key"] != activity_type.key:
        raise ValidationError({"key": [_("The key of an activity type cannot change.")]})
    _write(activity_type, _prepare_type(values), exclude=["company"])
    return activity_type


# --- Resources --------------------------------------------------------------------------------


def _prepare_resource(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(RESOURCE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown resource fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_text(values, errors)
    if "name" in cleaned and not cleaned["name"]:
        errors.setdefault("name", []).append(_("A resource needs a name."))
    if "kind" in cleaned and cleaned["kind"] not in ResourceKind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of resource."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def resource_create(*, access: CompanyAccess, **values: Any) -> Resource:
    access.require("activities", "configure")
    resource = Resource(company=access.company, **_prepare_resource(values))
    if not resource.name:
        raise ValidationError({"name": [_("A resource needs a name.")]})
    _full_clean(resource, exclude=["company"])
    resource.save()
    return resource


@transaction.atomic
def resource_update(*, access: CompanyAccess, resource: Resource, **values: Any) -> Resource:
    access.require("activities", "configure")
    _check_company(access, resource, "resource")
    _write(resource, _prepare_resource(values), exclude=["company"])
    return resource


# --- Activities -------------------------------------------------------------------------------


def may_see_details(activity: Activity, email: str) -> bool:
    """A private activity's details are for its responsible employee and participants only;
    everyone else sees "busy"."""
    if not activity.private or activity.responsible == email:
        return True
    return any(p.employee == email for p in activity.participants.all())


def _require_details(access: CompanyAccess, activity: Activity) -> None:
    if not may_see_details(activity, access.user.email):
        raise PermissionDenied(
            _(
                "This activity is private: only its responsible employee and participants "
                "can change it."
            )
        )


def time_range(activity: Activity) -> tuple[dt.datetime, dt.datetime] | None:
    """The span an activity books, in UTC: its times, or its whole days in the company's zone."""
    if activity.all_day and activity.start_date:
        zone = company_timezone(activity.company)
        last = activity.end_date or activity.start_date
        start = dt.datetime.combine(activity.start_date, dt.time(), zone)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), zone)
        return start, end
    if not activity.all_day and activity.start:
        return activity.start, activity.end or activity.start
    return None


def _prepare_activity(
    access: CompanyAccess, values: Mapping[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    unknown = set(values) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"Unknown activity fields: {sorted(unknown)}")
    cleaned = _clean_text(values, errors)
    company = access.company
    if "subject" in cleaned and not cleaned["subject"]:
        errors.setdefault("subject", []).append(_("An activity needs a subject."))
    if "status" in cleaned and cleaned["status"] not in Status.values:
        errors.setdefault("status", []).append(_("The status must be planned, done or cancelled."))
    if "priority" in cleaned and cleaned["priority"] not in Priority.values:
        errors.setdefault("priority", []).append(_("The priority must be low, normal or high."))
    for name in ("start", "end"):
        value = cleaned.get(name)
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            # A time without a zone is the company's local time.
            cleaned[name] = value.replace(tzinfo=company_timezone(company))
    type_ = cleaned.get("type")
    if type_ is not None and (
        not isinstance(type_, ActivityType) or type_.company_id != company.id
    ):
        errors.setdefault("type", []).append(_("Choose one of the company's activity types."))
    contact = cleaned.get("contact")
    if contact is not None and (
        not isinstance(contact, Contact) or contact.company_id != company.id
    ):
        errors.setdefault("contact", []).append(_("Choose one of the company's contacts."))
    person = cleaned.get("contact_person")
    if person is not None and (
        not isinstance(person, ContactPerson) or person.company_id != company.id
    ):
        errors.setdefault("contact_person", []).append(_("Choose one of the company's contacts."))
    responsible = (cleaned.get("responsible") or "").lower()
    if "responsible" in cleaned:
        cleaned["responsible"] = responsible
        if responsible and not _members(company, [responsible]):
            errors.setdefault("responsible", []).append(
                _("%(email)s is not an employee of the company.") % {"email": responsible}
            )
    return cleaned


def _members(company: Company, emails: Iterable[str]) -> set[str]:
    wanted = {email.lower() for email in emails}
    return {
        email.lower()
        for email in Membership.objects.filter(
            company=company, user__email__in=wanted, user__is_active=True
        ).values_list("user__email", flat=True)
    }


def _check_times(activity: Activity, errors: dict[str, list[str]]) -> None:
    if activity.all_day:
        if activity.start or activity.end:
            errors.setdefault("start", []).append(
                _("An all-day activity has dates, not times: leave the times empty.")
            )
        if not activity.start_date:
            errors.setdefault("start_date", []).append(
                _("An all-day activity needs its first day.")
            )
        elif activity.end_date and activity.end_date < activity.start_date:
            errors.setdefault("end_date", []).append(_("The last day is before the first day."))
        return
    if activity.start_date or activity.end_date:
        errors.setdefault("start_date", []).append(
            _("Only an all-day activity has days without times: tick all day, or give times.")
        )
    if activity.end and not activity.start:
        errors.setdefault("start", []).append(_("Give the start too, not only the end."))
    if activity.start and activity.end and activity.end < activity.start:
        errors.setdefault("end", []).append(_("The end is before the start."))


def _check_contact_person(activity: Activity, errors: dict[str, list[str]]) -> None:
    person = activity.contact_person
    if person is None:
        return
    if activity.contact_id is None or person.contact_id != activity.contact_id:
        errors.setdefault("contact_person", []).append(
            _("%(person)s is not a contact person of %(contact)s.")
            % {
                "person": person.full_name,
                "contact": activity.contact.name if activity.contact else _("the chosen contact"),
            }
        )


def _check_resources(
    activity: Activity, resources: list[Resource], errors: dict[str, list[str]]
) -> None:
    """A resource is booked by one activity at a time (cancelled ones book nothing)."""
    if activity.status == Status.CANCELLED or not resources:
        return
    span = time_range(activity)
    if span is None:
        return
    start, end = span
    zone = company_timezone(activity.company)
    first_day = start.astimezone(zone).date()
    last_day = (
        (end - dt.timedelta(microseconds=1)).astimezone(zone).date() if end > start else first_day
    )
    overlapping = (
        Participant.objects.filter(company_id=activity.company_id, resource__in=resources)
        .exclude(activity_id=activity.id)
        .exclude(activity__status=Status.CANCELLED)
        .filter(
            Q(activity__all_day=False, activity__start__lt=end, activity__end__gt=start)
            | Q(activity__all_day=False, activity__start__gte=start, activity__start__lt=end)
            | Q(
                activity__all_day=True,
                activity__start_date__lte=last_day,
                activity__end_date__gte=first_day,
            )
        )
        .select_related("resource", "activity")
        .order_by("activity__start", "activity__start_date")
    )
    for participation in overlapping[:5]:
        other = participation.activity
        other_span = time_range(other)
        when = ""
        if other_span:
            local = [moment.astimezone(zone) for moment in other_span]
            when = f"{local[0]:%Y-%m-%d %H:%M}–{local[1]:%H:%M}"  # noqa: RUF001
        errors.setdefault("resources", []).append(
            _("%(resource)s is already booked then (%(when)s).")
            % {
                "resource": participation.resource.name if participation.resource else "",
                "when": when,
            }
        )


def _participants_wanted(
    access: CompanyAccess,
    employees: Iterable[str] | None,
    resources: Iterable[Resource] | None,
    errors: dict[str, list[str]],
) -> tuple[list[str] | None, list[Resource] | None]:
    wanted_employees = None
    if employees is not None:
        wanted_employees = sorted({email.strip().lower() for email in employees if email.strip()})
        unknown = set(wanted_employees) - _members(access.company, wanted_employees)
        for email in sorted(unknown):
            errors.setdefault("employees", []).append(
                _("%(email)s is not an employee of the company.") % {"email": email}
            )
    wanted_resources = None
    if resources is not None:
        wanted_resources = list({resource.id: resource for resource in resources}.values())
        for resource in wanted_resources:
            if resource.company_id != access.company.id:
                errors.setdefault("resources", []).append(_("Choose the company's resources."))
    return wanted_employees, wanted_resources


def _set_participants(
    activity: Activity, employees: list[str] | None, resources: list[Resource] | None
) -> None:
    """Add and remove participants so the activity has exactly the ones wanted; rows of
    participants who stay are left alone (nothing to sync)."""
    current = list(Participant.objects.filter(activity=activity))
    remove: list[uuid.UUID] = []
    if employees is not None:
        have = {p.employee for p in current if p.employee}
        remove += [p.id for p in current if p.employee and p.employee not in employees]
        Participant.objects.bulk_create(
            Participant(company_id=activity.company_id, activity=activity, employee=email)
            for email in employees
            if email not in have
        )
    if resources is not None:
        wanted = {resource.id for resource in resources}
        have_ids = {p.resource_id for p in current if p.resource_id}
        remove += [p.id for p in current if p.resource_id and p.resource_id not in wanted]
        Participant.objects.bulk_create(
            Participant(company_id=activity.company_id, activity=activity, resource=resource)
            for resource in resources
            if resource.id not in have_ids
        )
    if remove:
        Participant.objects.filter(id__in=remove).delete()


def _current_resources(activity: Activity) -> list[Resource]:
    return [
        p.resource
        for p in Participant.objects.filter(
            activity=activity, resource__isnull=False
        ).select_related("resource")
        if p.resource is not None
    ]


def _finish(
    access: CompanyAccess,
    activity: Activity,
    errors: dict[str, list[str]],
    employees: list[str] | None,
    resources: list[Resource] | None,
) -> None:
    _check_times(activity, errors)
    _check_contact_person(activity, errors)
    _check_resources(
        activity, resources if resources is not None else _current_resources(activity), errors
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(
    *,
    access: CompanyAccess,
    employees: Iterable[str] | None = None,
    resources: Iterable[Resource] | None = None,
    activity_id: uuid.UUID | None = None,
    **values: Any,
) -> Activity:
    """Create an activity with its participants (employees by e-mail, and resources).

    `activity_id` is for an import that derives the id from the file (so a re-import finds
    it); otherwise a new id is made."""
    access.require("activities", "change")
    errors: dict[str, list[str]] = {}
    cleaned = _prepare_activity(access, values, errors)
    if cleaned.get("type") is None:
        errors.setdefault("type", []).append(_("Choose the type of activity."))
    if not cleaned.get("subject"):
        errors.setdefault("subject", []).append(_("An activity needs a subject."))
    wanted_employees, wanted_resources = _participants_wanted(access, employees, resources, errors)
    if errors:
        raise ValidationError(errors)
    cleaned.setdefault("responsible", access.user.email.lower())
    activity = Activity(company=access.company, **cleaned)
    if activity_id is not None:
        activity.id = activity_id
    if activity.all_day and activity.start_date and not activity.end_date:
        activity.end_date = activity.start_date
    if not activity.all_day and activity.start and not activity.end:
        activity.end = activity.start
    if activity.status == Status.DONE:
        activity.done_at = timezone.now()
    _finish(access, activity, errors, wanted_employees, wanted_resources or [])
    _full_clean(activity, exclude=["company", "type", "contact", "contact_person"])
    activity.save()
    _set_participants(activity, wanted_employees, wanted_resources)
    return activity


@transaction.atomic
def activity_update(
    *,
    access: CompanyAccess,
    activity: Activity,
    employees: Iterable[str] | None = None,
    resources: Iterable[Resource] | None = None,
    **values: Any,
) -> Activity:
    """Change the given fields only (a PATCH); participants only when given."""
    access.require("activities", "change")
    _check_company(access, activity, "activity")
    _require_details(access, activity)
    errors: dict[str, list[str]] = {}
    cleaned = _prepare_activity(access, values, errors)
    wanted_employees, wanted_resources = _participants_wanted(access, employees, resources, errors)
    if errors:
        raise ValidationError(errors)
    if cleaned.get("all_day") is True:
        # Switching to all day drops the times unless new ones were given (then: an error).
        cleaned.setdefault("start", None)
        cleaned.setdefault("end", None)
    elif cleaned.get("all_day") is False:
        cleaned.setdefault("start_date", None)
        cleaned.setdefault("end_date", None)
    if "status" in cleaned and cleaned["status"] != activity.status:
        cleaned["done_at"] = timezone.now() if cleaned["status"] == Status.DONE else None
    changed = [name for name, value in cleaned.items() if getattr(activity, name) != value]
    for name in changed:
        setattr(activity, name, cleaned[name])
    if activity.all_day and activity.start_date and not activity.end_date:
        activity.end_date = activity.start_date
        changed.append("end_date")
    _finish(access, activity, errors, wanted_employees, wanted_resources)
    if changed:
        _full_clean(activity, exclude=["company", "type", "contact", "contact_person"])
        activity.updated_at = timezone.now()
        activity.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    _set_participants(activity, wanted_employees, wanted_resources)
    return activity


def activity_mark_done(*, access: CompanyAccess, activity: Activity) -> Activity:
    return activity_update(access=access, activity=activity, status=Status.DONE)


@transaction.atomic
def activity_delete(*, access: CompanyAccess, activity: Activity) -> None:
    access.require("activities", "change")
    _check_company(access, activity, "activity")
    _require_details(access, activity)
    activity.delete()  # its participants with it


# --- Working hours ----------------------------------------------------------------------------

WORKING_HOURS_NAMESPACE = uuid.UUID("6a1d2c3e-8b4f-5d7a-9e0c-1f2a3b4c5d6e")
WORKING_HOURS_FIELDS = ("weekdays", "day_start", "day_end", "lunch_start", "lunch_end")


def working_hours_id(company: Company) -> uuid.UUID:
    """The id of a company's working-hours row: the same for its office and online copy
    (derived like the default types' ids), so rows made on both nodes merge at the sync."""
    identity = company.org_number.replace("-", "").strip() or company.name.strip().lower()
    return uuid.uuid5(WORKING_HOURS_NAMESPACE, identity)


def _prepare_working_hours(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(WORKING_HOURS_FIELDS)
    if unknown:
        raise ValueError(f"Unknown working hours fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    if "weekdays" in cleaned:
        days = cleaned["weekdays"]
        digits = sorted({int(day) for day in (days if not isinstance(days, str) else list(days))})
        if not digits or any(day < 1 or day > 7 for day in digits):
            errors.setdefault("weekdays", []).append(_("Choose at least one working day."))
        cleaned["weekdays"] = "".join(str(day) for day in digits)
    for name in ("day_start", "day_end", "lunch_start", "lunch_end"):
        value = cleaned.get(name)
        if isinstance(value, dt.time):
            cleaned[name] = time_minutes(value)
        elif name in cleaned and value is None and name.startswith("day"):
            errors.setdefault(name, []).append(_("Give the time."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_working_hours(row: WorkingHours) -> None:
    errors: dict[str, list[str]] = {}
    if row.day_start is None or row.day_end is None or row.day_end <= row.day_start:
        errors.setdefault("day_end", []).append(_("The day must end after it starts."))
    if (row.lunch_start is None) != (row.lunch_end is None):
        errors.setdefault("lunch_end", []).append(
            _("Give both the start and the end of lunch, or neither.")
        )
    elif row.lunch_start is not None and row.lunch_end is not None:
        if row.lunch_end <= row.lunch_start:
            errors.setdefault("lunch_end", []).append(_("Lunch must end after it starts."))
        elif row.day_start is not None and not (
            row.day_start < row.lunch_start and row.lunch_end < row.day_end
        ):
            errors.setdefault("lunch_start", []).append(_("Lunch must lie inside the working day."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def working_hours_set(*, access: CompanyAccess, **values: Any) -> WorkingHours:
    """Set the company's working hours (administrators: the "configure" right): `weekdays`
    (ISO numbers 1-7, or their digits as a string), `day_start`, `day_end`, `lunch_start`,
    `lunch_end` (times of day; lunch may be None). The first
    call makes the row, with the id derived from the company; later calls change only the
    fields whose values change."""
    access.require("activities", "configure")
    cleaned = _prepare_working_hours(values)
    row = WorkingHours.objects.filter(company=access.company).first()
    if row is None:
        row_id = working_hours_id(access.company)
        if WorkingHours.objects.filter(id=row_id).exists():
            # Another company of this database shares the number or the name.
            row_id = uuid.uuid4()
        row = WorkingHours(id=row_id, company=access.company, **cleaned)
        _check_working_hours(row)
        _full_clean(row, exclude=["company"])
        row.save()
        return row
    probe = WorkingHours(**{name: getattr(row, name) for name in WORKING_HOURS_FIELDS})
    for name, value in cleaned.items():
        setattr(probe, name, value)
    _check_working_hours(probe)
    _write(row, cleaned, exclude=["company"])
    return row


def activity_move(
    *, access: CompanyAccess, activity: Activity, start: dt.datetime, end: dt.datetime
) -> Activity:
    """Move or resize an activity with times (the calendar's drag and drop): a change of its
    start and end through activity_update, so the same rules hold (a resource booked by
    another activity then refuses it, and nothing is saved)."""
    if activity.all_day or activity.start is None:
        raise ValidationError(
            {"start": [_("Only an activity with a start and an end can be moved in the calendar.")]}
        )
    return activity_update(access=access, activity=activity, start=start, end=end)
