"""Activities of a company: list with filters, create, get, change, delete.

Rights are the contacts API's: a company the caller is not a member of answers 404, a
read-only member who tries to write 403. Reads go through the activities selectors and writes
through its services. Another person's private activity reads as "busy" (times only) and
cannot be changed (403).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from skrivbord.activities import selectors, services
from skrivbord.activities.models import Activity, Priority
from skrivbord.activities.models import Status as ActivityStatus
from skrivbord.activities.timezones import company_timezone
from skrivbord.api.auth import TOKEN
from skrivbord.api.pagination import page_urls
from skrivbord.api.schemas import ErrorOut, ValidationErrorOut
from skrivbord.contacts import selectors as contact_selectors
from skrivbord.contacts.models import ContactPerson
from skrivbord.core.access import CompanyAccess, company_access

router = Router(tags=["Activities"])

COMPANY = "/companies/{company_id}/activities"
ACTIVITY = COMPANY + "/{activity_id}"
READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}

StatusName = Literal["planned", "done", "cancelled"]
PriorityName = Literal["low", "normal", "high"]


class ActivityOut(Schema):
    id: uuid.UUID
    type: str = Field(description="The type's stable key: `meeting`, `call`, `email`, `task`, …")
    type_name: str = Field(description="The type's name in the caller's language.")
    subject: str = Field(description='"Busy" (translated) for another person\'s private activity.')
    description: str
    all_day: bool
    start: dt.datetime | None = Field(
        description="ISO 8601 with the time zone. For an all-day activity, midnight of its "
        "first day in the company's time zone."
    )
    end: dt.datetime | None = Field(
        description="For an all-day activity, midnight after its last day (exclusive)."
    )
    start_date: dt.date | None = Field(description="An all-day activity's first day.")
    end_date: dt.date | None = Field(description="An all-day activity's last day (inclusive).")
    due_date: dt.date | None
    status: StatusName
    priority: PriorityName
    responsible: str = Field(description="The responsible employee's e-mail address.")
    contact: uuid.UUID | None
    contact_person: uuid.UUID | None
    location: str
    private: bool
    busy_only: bool = Field(description="True when the details are hidden from the caller.")
    employees: list[str] = Field(description="Participating employees' e-mail addresses.")
    resources: list[uuid.UUID] = Field(description="Booked resources.")
    created_at: dt.datetime
    updated_at: dt.datetime


class ActivityPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[ActivityOut]


class ActivityListQuery(Schema):
    limit: int = Field(default=50, ge=1, le=settings.API_PAGE_SIZE_MAX)
    offset: int = Field(default=0, ge=0)
    q: str = Field(
        default="", max_length=200, description="Search subject, description, place, contact."
    )
    date_from: dt.date | None = Field(
        default=None, alias="from", description="First day of the period."
    )
    date_to: dt.date | None = Field(default=None, alias="to", description="Last day of the period.")
    status: StatusName | None = None
    type: str | None = Field(default=None, max_length=40, description="A type key.")
    responsible: str | None = Field(default=None, max_length=254, description="An e-mail address.")
    contact: uuid.UUID | None = None
    view: Literal["mine", "overdue", "today"] | None = Field(
        default=None, description="A quick view: the caller's, overdue or today's activities."
    )


class ActivityPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(default=None, max_length=40, description="A type key.")
    subject: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    all_day: bool | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    due_date: dt.date | None = None
    status: StatusName | None = None
    priority: PriorityName | None = None
    responsible: str | None = Field(default=None, max_length=254)
    contact: uuid.UUID | None = None
    contact_person: uuid.UUID | None = None
    location: str | None = Field(default=None, max_length=200)
    private: bool | None = None
    employees: list[str] | None = None
    resources: list[uuid.UUID] | None = None


class ActivityIn(ActivityPatch):
    type: str = Field(max_length=40, description="A type key.")
    subject: str = Field(max_length=200)


def _access(request: HttpRequest, company_id: uuid.UUID, *, write: bool = False) -> CompanyAccess:
    return company_access(request.auth, company_id, module="activities", write=write)  # type: ignore[attr-defined]


def _out(activity: Activity, access: CompanyAccess) -> dict[str, Any]:
    visible = selectors.can_see(activity, access)
    participants = list(activity.participants.all())
    start, end = activity.start, activity.end
    if activity.all_day:
        span = services.time_range(activity)
        start, end = span if span else (None, None)
    zone = company_timezone(access.company)
    return {
        "id": activity.id,
        "type": activity.type.key,
        "type_name": activity.type.display_name,
        "subject": activity.subject if visible else _("Busy"),
        "description": activity.description if visible else "",
        "all_day": activity.all_day,
        "start": start.astimezone(zone) if start else None,
        "end": end.astimezone(zone) if end else None,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
        "due_date": activity.due_date,
        "status": activity.status,
        "priority": activity.priority,
        "responsible": activity.responsible,
        "contact": activity.contact_id if visible else None,
        "contact_person": activity.contact_person_id if visible else None,
        "location": activity.location if visible else "",
        "private": activity.private,
        "busy_only": not visible,
        "employees": sorted(p.employee for p in participants if p.employee) if visible else [],
        "resources": [p.resource_id for p in participants if p.resource_id] if visible else [],
        "created_at": activity.created_at,
        "updated_at": activity.updated_at,
    }


def _values(access: CompanyAccess, payload: ActivityPatch) -> dict[str, Any]:
    """The payload as the services' arguments: keys to rows of this company."""
    given = payload.model_dump(exclude_unset=True)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, value in given.items():
        if name == "type":
            found = selectors.activity_type_by_key(access=access, key=value or "")
            if found is None:
                errors["type"] = [_("Unknown activity type: %(key)s.") % {"key": value}]
            values["type"] = found
        elif name == "contact":
            values["contact"] = (
                contact_selectors.contact_list(access=access, active=None).filter(id=value).first()
                if value
                else None
            )
            if value and values["contact"] is None:
                errors["contact"] = [_("No such contact.")]
        elif name == "contact_person":
            values["contact_person"] = (
                ContactPerson.objects.filter(company=access.company, id=value).first()
                if value
                else None
            )
            if value and values["contact_person"] is None:
                errors["contact_person"] = [_("No such contact person.")]
        elif name == "resources":
            wanted = set(value or [])
            found_resources = list(
                selectors.resource_list(access=access, active=None).filter(id__in=wanted)
            )
            if len(found_resources) != len(wanted):
                errors["resources"] = [_("No such resource.")]
            values["resources"] = found_resources
        elif name in {"subject", "description", "location", "responsible", "all_day", "private"}:
            if value is None:
                errors[name] = [_("This field may not be null.")]
            values[name] = value
        elif name in {"status", "priority"}:
            values[name] = (
                value
                if value is not None
                else (ActivityStatus.PLANNED if name == "status" else Priority.NORMAL)
            )
        else:
            values[name] = value
    if errors:
        raise ValidationError(errors)
    return values


@router.get(
    COMPANY,
    response={200: ActivityPage, **READ_ERRORS},
    operation_id="activity_list",
    summary="List activities",
    description=(
        "The company's activities, soonest first, a page at a time. Filter by period "
        "(`from`, `to`), `status`, `type` (key), `responsible` (e-mail), `contact`, a quick "
        "`view` (mine, overdue, today) and `q`; follow `next` for the next page."
    ),
)
def list_activities(
    request: HttpRequest, company_id: uuid.UUID, filters: Query[ActivityListQuery]
) -> dict[str, object]:
    access = _access(request, company_id)
    activities = selectors.activity_order(
        selectors.activity_list(
            access=access,
            filters=selectors.ActivityFilters(
                search=filters.q,
                date_from=filters.date_from,
                date_to=filters.date_to,
                status=filters.status or "",
                type_key=filters.type or "",
                responsible=filters.responsible or "",
                contact_id=filters.contact,
                view=filters.view or "",
            ),
        )
    )
    count = activities.count()
    page = activities[filters.offset : filters.offset + filters.limit]
    next_url, previous_url = page_urls(request, count, filters.offset, filters.limit)
    return {
        "count": count,
        "next": next_url,
        "previous": previous_url,
        "items": [_out(activity, access) for activity in page],
    }


@router.post(
    COMPANY,
    response={201: ActivityOut, **WRITE_ERRORS},
    operation_id="activity_create",
    auth=TOKEN,
    summary="Create an activity",
    description=(
        "A timed activity has `start` and `end`; an all-day one `all_day: true` with "
        "`start_date` (and `end_date`); a task may have only a `due_date`. End before start, "
        "an all-day activity with times, a contact person not of the contact and a resource "
        "already booked then are refused (422), and nothing is saved."
    ),
)
def create_activity(request: HttpRequest, company_id: uuid.UUID, payload: ActivityIn) -> Status:
    access = _access(request, company_id, write=True)
    activity = services.activity_create(access=access, **_values(access, payload))
    return Status(201, _out(selectors.activity_get(access=access, activity_id=activity.id), access))


@router.get(
    ACTIVITY,
    response={200: ActivityOut, **READ_ERRORS},
    operation_id="activity_get",
    summary="Get an activity",
)
def get_activity(
    request: HttpRequest, company_id: uuid.UUID, activity_id: uuid.UUID
) -> dict[str, Any]:
    access = _access(request, company_id)
    return _out(selectors.activity_get(access=access, activity_id=activity_id), access)


@router.patch(
    ACTIVITY,
    response={200: ActivityOut, **WRITE_ERRORS},
    operation_id="activity_update",
    auth=TOKEN,
    summary="Change an activity",
    description="Changes only the fields given; `employees` and `resources` replace the lists.",
)
def update_activity(
    request: HttpRequest, company_id: uuid.UUID, activity_id: uuid.UUID, payload: ActivityPatch
) -> dict[str, Any]:
    access = _access(request, company_id, write=True)
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    services.activity_update(access=access, activity=activity, **_values(access, payload))
    return _out(selectors.activity_get(access=access, activity_id=activity_id), access)


@router.delete(
    ACTIVITY,
    response={204: None, **WRITE_ERRORS},
    operation_id="activity_delete",
    auth=TOKEN,
    summary="Delete an activity",
)
def delete_activity(request: HttpRequest, company_id: uuid.UUID, activity_id: uuid.UUID) -> Status:
    access = _access(request, company_id, write=True)
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    services.activity_delete(access=access, activity=activity)
    return Status(204, None)


class CalendarFeedOut(Schema):
    url: str = Field(
        description="The caller's secret iCalendar feed URL for this company: subscribe to it "
        "from a calendar program. Anyone with the URL can read the feed."
    )


@router.get(
    "/companies/{company_id}/calendar-feed",
    response={200: CalendarFeedOut, 401: ErrorOut, 404: ErrorOut},
    operation_id="calendar_feed",
    summary="My calendar feed URL",
    description=(
        "The calling user's personal feed URL (made on the first call, the same URL after): "
        "the user's activities — responsible or participant — from a year back, as iCalendar "
        "events and to-dos. It keeps working until the user revokes or replaces it on the "
        "Calendar feeds page; then the old URL answers 404."
    ),
)
def calendar_feed(request: HttpRequest, company_id: uuid.UUID) -> dict[str, str]:
    from skrivbord.activities import ical

    access = _access(request, company_id)
    feed = ical.feed_get_or_create(access=access)
    return {"url": ical.feed_url(feed, base=request.build_absolute_uri("/"))}
