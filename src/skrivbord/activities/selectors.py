"""Reads of activities. Every function takes a CompanyAccess, so no query leaves the company.

Private activities: the details of an activity marked private are for its responsible
employee and its participants. Lists carry `is_mine` (annotated here) so templates and the
API show everyone else only "busy"; a search never matches another person's private text.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.activities import availability, calendar
from skrivbord.activities.models import (
    Activity,
    ActivityType,
    Participant,
    Resource,
    ShowsIn,
    Status,
    WorkingHours,
    minutes_time,
)
from skrivbord.activities.timezones import company_timezone
from skrivbord.contacts.models import Contact
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import User

QUICK_VIEWS = ("mine", "overdue", "today")


@dataclass(frozen=True)
class ActivityFilters:
    search: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = ""
    type_key: str = ""
    responsible: str = ""
    contact_id: uuid.UUID | None = None
    view: str = ""


def _mine(email: str) -> Q:
    return Q(responsible=email) | Q(
        Exists(Participant.objects.filter(activity=OuterRef("pk"), employee=email))
    )


def _with_mine(activities: QuerySet[Activity], email: str) -> QuerySet[Activity]:
    return activities.annotate(
        is_mine=Exists(Participant.objects.filter(activity=OuterRef("pk"), employee=email))
    )


def _day_bounds(day: dt.date, access: CompanyAccess) -> tuple[dt.datetime, dt.datetime]:
    zone = company_timezone(access.company)
    start = dt.datetime.combine(day, dt.time(), zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)


def _period(date_from: dt.date | None, date_to: dt.date | None, access: CompanyAccess) -> Q:
    """Activities that touch the period: timed ones by their times, all-day ones by their
    days, tasks by their due date (the days are the company's)."""
    timed = Q(all_day=False, start__isnull=False)
    days = Q(all_day=True)
    due = Q(all_day=False, start__isnull=True, due_date__isnull=False)
    if date_from:
        start, _end = _day_bounds(date_from, access)
        timed &= Q(end__gte=start)
        days &= Q(end_date__gte=date_from)
        due &= Q(due_date__gte=date_from)
    if date_to:
        _start, end = _day_bounds(date_to, access)
        timed &= Q(start__lt=end)
        days &= Q(start_date__lte=date_to)
        due &= Q(due_date__lte=date_to)
    return timed | days | due


def today(access: CompanyAccess) -> dt.date:
    return timezone.now().astimezone(company_timezone(access.company)).date()


def _overdue(access: CompanyAccess) -> Q:
    """Planned, and its time is past: ended before now, or a day or due date before today."""
    now = timezone.now()
    day = today(access)
    return Q(status=Status.PLANNED) & (
        Q(all_day=False, end__lt=now)
        | Q(all_day=True, end_date__lt=day)
        | Q(all_day=False, start__isnull=True, due_date__lt=day)
    )


def activity_list(
    *, access: CompanyAccess, filters: ActivityFilters | None = None
) -> QuerySet[Activity]:
    access.require("activities", "view")
    filters = filters or ActivityFilters()
    email = access.user.email.lower()
    activities = _with_mine(Activity.objects.filter(company=access.company), email)
    search = filters.search.strip()
    if search:
        text = Q(subject__icontains=search) | Q(description__icontains=search)
        text |= Q(location__icontains=search) | Q(contact__name__icontains=search)
        # Another person's private activity is "busy": its text must not be findable.
        activities = activities.filter(text & (Q(private=False) | _mine(email)))
    if filters.date_from or filters.date_to:
        activities = activities.filter(_period(filters.date_from, filters.date_to, access))
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.type_key:
        activities = activities.filter(type__key=filters.type_key)
    if filters.responsible:
        activities = activities.filter(responsible=filters.responsible.lower())
    if filters.contact_id:
        activities = activities.filter(contact_id=filters.contact_id)
    if filters.view == "mine":
        activities = activities.filter(_mine(email))
    elif filters.view == "overdue":
        activities = activities.filter(_overdue(access))
    elif filters.view == "today":
        day = today(access)
        activities = activities.filter(_period(day, day, access))
    return activities.select_related("type", "contact", "contact_person").prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("resource").order_by("employee"),
        )
    )


def activity_order(
    activities: QuerySet[Activity], *, newest_first: bool = False
) -> QuerySet[Activity]:
    """By when: a timed activity by its start, an all-day one by its day, a task by its due
    date (all sort among each other by the day; a timed start sorts by its UTC time)."""
    from django.db.models.functions import Coalesce, TruncDate

    day = Coalesce("start_date", TruncDate("start"), "due_date")
    if newest_first:
        return activities.order_by(day.desc(nulls_last=True), "-start", "-id")
    return activities.order_by(day.asc(nulls_last=True), "start", "id")


def activity_get(*, access: CompanyAccess, activity_id: uuid.UUID | str) -> Activity:
    """The company's activity, or 404 — also for another company's id or a malformed one."""
    access.require("activities", "view")
    try:
        return (
            _with_mine(Activity.objects.filter(company=access.company), access.user.email.lower())
            .select_related("type", "contact", "contact_person")
            .prefetch_related(
                Prefetch("participants", queryset=Participant.objects.select_related("resource"))
            )
            .get(id=activity_id)
        )
    except (Activity.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def can_see(activity: Activity, access: CompanyAccess) -> bool:
    """Whether this user sees the activity's details (not just "busy")."""
    if not activity.private:
        return True
    email = access.user.email.lower()
    return (
        activity.responsible == email
        or bool(getattr(activity, "is_mine", False))
        or any(p.employee == email for p in activity.participants.all())
    )


def activity_type_list(
    *, access: CompanyAccess, active: bool | None = True
) -> QuerySet[ActivityType]:
    access.require("activities", "view")
    types = ActivityType.objects.filter(company=access.company)
    if not types.exists():
        # An online copy removed at a disconnect takes the default types with it; they come
        # back the same (same ids) rather than leave the company unable to plan.
        from skrivbord.activities.services import activity_types_seed

        activity_types_seed(company=access.company)
    if active is not None:
        types = types.filter(is_active=active)
    return types.order_by("order", "key")


def activity_type_by_key(*, access: CompanyAccess, key: str) -> ActivityType | None:
    activity_type_list(access=access, active=None)  # the defaults, if they went
    return ActivityType.objects.filter(company=access.company, key=key).first()


def activity_type_get(*, access: CompanyAccess, type_id: uuid.UUID | str) -> ActivityType:
    access.require("activities", "view")
    try:
        return ActivityType.objects.get(company=access.company, id=type_id)
    except (ActivityType.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def resource_list(*, access: CompanyAccess, active: bool | None = True) -> QuerySet[Resource]:
    access.require("activities", "view")
    resources = Resource.objects.filter(company=access.company)
    if active is not None:
        resources = resources.filter(is_active=active)
    return resources.order_by("name")


def resource_get(*, access: CompanyAccess, resource_id: uuid.UUID | str) -> Resource:
    access.require("activities", "view")
    try:
        return Resource.objects.get(company=access.company, id=resource_id)
    except (Resource.DoesNotExist, ValidationError, ValueError, TypeError) as error:
        raise Http404 from error


def employees(*, access: CompanyAccess) -> list[User]:
    """The company's people who can be responsible or take part, by name."""
    return list(
        User.objects.filter(memberships__company=access.company, is_active=True).order_by(
            "full_name", "email"
        )
    )


def contact_activities(
    *, access: CompanyAccess, contact: Contact, limit: int = 20
) -> dict[str, list[Activity]]:
    """A contact's planned activities (soonest first) and its history (newest first)."""
    access.require("activities", "view")
    activities = activity_list(access=access, filters=ActivityFilters(contact_id=contact.id))
    planned = activity_order(activities.filter(status=Status.PLANNED))[:limit]
    history = activity_order(activities.exclude(status=Status.PLANNED), newest_first=True)[:limit]
    return {"planned": list(planned), "history": list(history)}


def status_activities(*, access: CompanyAccess, limit: int = 10) -> dict[str, list[Activity]]:
    """For the Status page: the user's activities today and the user's overdue ones, in one
    query (the page's query count is pinned)."""
    access.require("activities", "view")
    mine = activity_list(access=access, filters=ActivityFilters(view="mine"))
    day = today(access)
    on_today = _period(day, day, access)
    overdue = _overdue(access)
    found = activity_order(
        mine.filter(on_today | overdue).annotate(
            is_today=ExpressionWrapper(on_today, output_field=BooleanField())
        )
    )[: 2 * limit]
    todays = [activity for activity in found if getattr(activity, "is_today", False)][:limit]
    late = [activity for activity in found if not getattr(activity, "is_today", False)][:limit]
    return {"today": todays, "overdue": late}


# --- Working hours and availability -----------------------------------------------------------


def working_hours_row(*, access: CompanyAccess) -> WorkingHours | None:
    """The company's stored working hours, if it has set them (the settings form)."""
    access.require("activities", "view")
    return WorkingHours.objects.filter(company=access.company).first()


def working_hours_of(row: WorkingHours | None, zone: str) -> availability.WorkingHours:
    """The pure value of a stored row. A row the services would refuse (a merge of two
    nodes' edits can combine them so: a day ending before it starts, no working day) reads
    as the default hours; a lunch outside the day as no lunch (`WorkingHours.has_lunch`)."""
    weekdays = frozenset(int(day) - 1 for day in row.weekdays if day in "1234567") if row else None
    if row is None or not weekdays or row.day_end <= row.day_start:
        return availability.WorkingHours(time_zone=zone)
    return availability.WorkingHours(
        weekdays=weekdays,
        day_start=minutes_time(row.day_start),
        day_end=minutes_time(row.day_end),
        lunch_start=None if row.lunch_start is None else minutes_time(row.lunch_start),
        lunch_end=None if row.lunch_end is None else minutes_time(row.lunch_end),
        time_zone=zone,
    )


def working_hours(access: CompanyAccess) -> availability.WorkingHours:
    """The company's working hours as a pure value (08:00-17:00 Monday to Friday when it has
    set none), in its time zone. Public holidays come from `availability.swedish_days_off`."""
    return working_hours_of(working_hours_row(access=access), company_timezone(access.company).key)


@dataclass(frozen=True)
class BusyBlock:
    """A span in which someone or something is booked. `subject` is None when the viewer may
    not see the activity's details (another person's private activity): only "busy"."""

    start: dt.datetime
    end: dt.datetime
    activity_id: uuid.UUID
    subject: str | None


def busy_blocks(
    *,
    access: CompanyAccess,
    employees: Iterable[str] = (),
    resources: Iterable[uuid.UUID | str] = (),
    start: dt.datetime,
    end: dt.datetime,
    exclude: uuid.UUID | None = None,
    details: bool = True,
) -> dict[str, list[BusyBlock]]:
    """What keeps the given employees (responsible or participant; by e-mail) and resources
    (by id, as a string key) busy between `start` and `end`: planned and done timed
    activities, all-day ones as their whole days in the company's zone; cancelled ones book
    nothing. Private activities count (as "busy" for everyone else). One query: activities
    joined to their participants, each row telling whose it is. `exclude`: an activity not
    to count (the one being moved or edited). `details=False`: times only (every subject
    None), without the per-row check whose private activity the viewer may read."""
    access.require("activities", "view")
    emails = sorted({email.strip().lower() for email in employees if email.strip()})
    resource_ids = sorted({str(resource) for resource in resources})
    found: dict[str, list[BusyBlock]] = {key: [] for key in [*emails, *resource_ids]}
    if not found:
        return found
    zone = company_timezone(access.company)
    first_day = start.astimezone(zone).date()
    last_day = (end - dt.timedelta(microseconds=1)).astimezone(zone).date()
    me = access.user.email.lower()
    whose = Q(responsible__in=emails) | Q(participants__employee__in=emails)
    if resource_ids:
        whose |= Q(participants__resource_id__in=resource_ids)
    activities = Activity.objects.filter(company=access.company)
    if exclude is not None:
        activities = activities.exclude(id=exclude)
    rows = (
        activities.exclude(status=Status.CANCELLED)
        .filter(
            Q(all_day=False, start__lt=end, end__gt=start)
            | Q(all_day=True, start_date__lte=last_day, end_date__gte=first_day)
        )
        .filter(whose)
        .annotate(
            is_mine=Exists(Participant.objects.filter(activity=OuterRef("pk"), employee=me))
            if details
            else Value(False)
        )
        .values_list(
            "id",
            "subject",
            "private",
            "is_mine",
            "all_day",
            "start",
            "end",
            "start_date",
            "end_date",
            "responsible",
            "participants__employee",
            "participants__resource_id",
        )
        .order_by()
    )
    seen: set[tuple[str, uuid.UUID]] = set()
    for row in rows:
        (activity_id, subject, private, is_mine, all_day, a_start, a_end) = row[:7]
        (start_date, end_date, responsible, employee, resource_id) = row[7:]
        if all_day and start_date is not None:
            a_start = dt.datetime.combine(start_date, dt.time(), zone)
            a_end = dt.datetime.combine(
                (end_date or start_date) + dt.timedelta(days=1), dt.time(), zone
            )
        if a_start is None or a_end is None:
            continue
        visible = details and (not private or responsible == me or is_mine)
        block = BusyBlock(a_start, a_end, activity_id, subject if visible else None)
        keys = [responsible, employee, str(resource_id) if resource_id else None]
        for key in keys:
            if key in found and (key, activity_id) not in seen:
                seen.add((key, activity_id))
                found[key].append(block)
    for blocks in found.values():
        blocks.sort(key=lambda block: (block.start, block.end))
    return found


def busy_intervals(
    *,
    access: CompanyAccess,
    employees: Iterable[str] = (),
    resources: Iterable[uuid.UUID | str] = (),
    start: dt.datetime,
    end: dt.datetime,
    exclude: uuid.UUID | None = None,
) -> dict[str, list[availability.Interval]]:
    """`busy_blocks` as plain (start, end) intervals, merged per employee or resource."""
    blocks = busy_blocks(
        access=access,
        employees=employees,
        resources=resources,
        start=start,
        end=end,
        exclude=exclude,
        details=False,
    )
    return {
        key: availability.merge((block.start, block.end) for block in found)
        for key, found in blocks.items()
    }


def free_slot(
    *,
    access: CompanyAccess,
    employees: Iterable[str] = (),
    resources: Iterable[uuid.UUID | str] = (),
    duration: dt.timedelta,
    after: dt.datetime,
    horizon: dt.timedelta = availability.HORIZON,
    exclude: uuid.UUID | None = None,
) -> availability.Slot | None:
    """The first slot of `duration` from `after` (on the quarter hour, within the company's
    working hours, not on a holiday) when all the given employees and resources are free,
    or None within the horizon. Raises availability.DurationTooLong."""
    hours = working_hours(access)
    busy = busy_intervals(
        access=access,
        employees=employees,
        resources=resources,
        start=after,
        end=after + horizon + duration,
        exclude=exclude,
    )
    zone = company_timezone(access.company)
    years = range(after.astimezone(zone).year, (after + horizon).astimezone(zone).year + 1)
    return availability.next_free_slot(
        busy, duration, after, hours, availability.swedish_days_off(years), horizon
    )


# --- The calendar (issue 5, part 2b) ----------------------------------------------------------


def calendar_events(
    *,
    access: CompanyAccess,
    first: dt.date,
    last: dt.date,
    employees: Sequence[str],
    resource_ids: Sequence[uuid.UUID],
) -> list[calendar.Event]:
    """What the calendar shows from `first` to `last` (company days) for the chosen people
    (responsible or participant) and resources, in two queries whatever the number.

    Types that show in the calendar come by their times or days (or their due date if they
    have no times); types of the task list by their due date only. Cancelled ones come too,
    marked (the page strikes them through). Another person's private activity is "Busy"
    with no details, and cannot be moved."""
    access.require("activities", "view")
    emails = sorted({email.strip().lower() for email in employees if email.strip()})
    resources = sorted(set(resource_ids))
    if not emails and not resources:
        return []
    window_start, _end = _day_bounds(first, access)
    _start, window_end = _day_bounds(last, access)
    timed = Q(all_day=False, start__isnull=False, start__lt=window_end) & (
        Q(end__gt=window_start) | Q(start__gte=window_start)
    )
    days = Q(all_day=True, start_date__lte=last, end_date__gte=first)
    due = Q(due_date__gte=first, due_date__lte=last) & (
        Q(type__shows_in=ShowsIn.TASKS) | Q(all_day=False, start__isnull=True)
    )
    period = (Q(type__shows_in=ShowsIn.CALENDAR) & (timed | days)) | due
    taking_part = Participant.objects.filter(activity=OuterRef("pk")).filter(
        Q(employee__in=emails) | Q(resource_id__in=resources)
    )
    found = (
        Activity.objects.filter(company=access.company)
        .filter(period)
        .filter(Q(responsible__in=emails) | Q(Exists(taking_part)))
        .select_related("type")
        .only(
            "id",
            "subject",
            "all_day",
            "start",
            "end",
            "start_date",
            "end_date",
            "due_date",
            "status",
            "responsible",
            "private",
            "type__shows_in",
            "type__colour",
        )
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.only("id", "activity_id", "employee", "resource_id"),
                to_attr="taking_part",  # a plain list: no queryset per activity
            )
        )
        # No ORDER BY: the layout orders them, and sorting here made SQLite walk the start
        # index instead (twice the time at 20,000 activities).
        .order_by()
    )
    me = access.user.email.lower()
    may_move = access.can_write("activities")
    chosen_emails, chosen_resources = set(emails), set(resources)
    events = []
    for activity in found:
        participants: list[Participant] = activity.taking_part
        people = {p.employee for p in participants if p.employee}
        columns = {email for email in people | {activity.responsible} if email in chosen_emails}
        columns |= {f"r:{p.resource_id}" for p in participants if p.resource_id in chosen_resources}
        busy = activity.private and me != activity.responsible and me not in people
        is_task = activity.type.shows_in == ShowsIn.TASKS
        has_times = not is_task and not activity.all_day and activity.start is not None
        events.append(
            calendar.Event(
                key=str(activity.id),
                subject=_("Busy") if busy else activity.subject,
                colour=activity.type.colour,
                start=activity.start if has_times else None,
                end=activity.end if has_times else None,
                first_day=activity.start_date if activity.all_day and not is_task else None,
                last_day=activity.end_date if activity.all_day and not is_task else None,
                due=activity.due_date if is_task or not (has_times or activity.all_day) else None,
                columns=frozenset(columns),
                busy=busy,
                cancelled=activity.status == Status.CANCELLED,
                done=activity.status == Status.DONE,
                is_task=is_task or not (has_times or activity.all_day),
                movable=may_move and has_times and not busy,
            )
        )
    return events
