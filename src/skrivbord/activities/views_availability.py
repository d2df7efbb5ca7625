"""Availability in the activity form: "Check availability" (each participant's busy time on
the chosen day, within working hours) and "Find next free slot" (fills in start and end).

Both read the form's current values (htmx sends the form with a GET) and answer a fragment;
without JavaScript the buttons open the same answer as a page of its own. Busy blocks of
another person's private activity say only "Busy"."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from skrivbord.activities import availability, selectors
from skrivbord.activities.forms import ActivityForm
from skrivbord.activities.timezones import company_timezone
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, is_htmx, render_page

DEFAULT_DURATION = dt.timedelta(hours=1)


def too_long_message(error: availability.DurationTooLong) -> str:
    minutes = int(error.longest.total_seconds() // 60)
    return _(
        "That is longer than the working day allows: at most %(hours)d h %(minutes)02d min "
        "in one go."
    ) % {"hours": minutes // 60, "minutes": minutes % 60}


def no_slot_message(days: int) -> str:
    return ngettext(
        "Nobody is free at the same time for that long within %(days)d day.",
        "Nobody is free at the same time for that long within %(days)d days.",
        days,
    ) % {"days": days}


@dataclass(frozen=True)
class Wanted:
    """Who and what the form names, and when."""

    employees: list[str]
    resources: list[Any]
    start: dt.datetime | None
    end: dt.datetime | None
    day: dt.date | None
    activity_id: uuid.UUID | None


def _wanted(request: HttpRequest, access: CompanyAccess) -> Wanted:
    """The form's values as far as they are valid (a subject is not needed to ask)."""
    form = ActivityForm(request.GET, access=access)
    form.is_valid()
    data = form.cleaned_data
    zone = company_timezone(access.company)
    employees = [data["responsible"]] if data.get("responsible") else []
    employees += [email for email in data.get("employees") or [] if email not in employees]
    start, end = data.get("start"), data.get("end")
    if start is not None and timezone.is_naive(start):
        start = start.replace(tzinfo=zone)
    if end is not None and timezone.is_naive(end):
        end = end.replace(tzinfo=zone)
    day = start.astimezone(zone).date() if start else data.get("start_date")
    try:
        activity_id = uuid.UUID(request.GET.get("activity") or "")
    except ValueError:
        activity_id = None
    return Wanted(
        employees=[email.lower() for email in employees],
        resources=list(data.get("resources") or []),
        start=start,
        end=end,
        day=day,
        activity_id=activity_id,
    )


def _names(access: CompanyAccess, wanted: Wanted) -> dict[str, str]:
    people = {
        user.email.lower(): user.full_name or user.email
        for user in selectors.employees(access=access)
    }
    names = {email: people.get(email, email) for email in wanted.employees}
    names.update({str(resource.id): resource.name for resource in wanted.resources})
    return names


@company_view(module="activities")
def check(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """Each participant's busy blocks on the chosen day within working hours, and the time
    free for all of them."""
    wanted = _wanted(request, access)
    zone = company_timezone(access.company)
    day = wanted.day or selectors.today(access)
    hours = selectors.working_hours(access)
    language = "sv" if (translation.get_language() or "sv").startswith("sv") else "en_US"
    days_off = availability.swedish_days_off([day.year], language)
    start = dt.datetime.combine(day, dt.time(), zone)
    blocks = selectors.busy_blocks(
        access=access,
        employees=wanted.employees,
        resources=[resource.id for resource in wanted.resources],
        start=start,
        end=dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone),
        exclude=wanted.activity_id,
    )
    working = availability.working_intervals(hours, day, day, days_off)
    names = _names(access, wanted)
    rows = []
    for key, found in blocks.items():
        within = []
        for block in found:
            clipped = availability.clip([(block.start, block.end)], working)
            for piece_start, piece_end in clipped:
                within.append(_placed(piece_start, piece_end, working, zone, block.subject))
        rows.append({"name": names.get(key, key), "blocks": within})
    shared = availability.day_availability(
        {key: [(b.start, b.end) for b in found] for key, found in blocks.items()},
        day,
        hours,
        days_off,
    )
    context = {
        "company": access.company,
        "day": day,
        "rows": rows,
        "working": [_local(s, e, zone) for s, e in working],
        "free": [_local(s, e, zone) for s, e in shared.free],
        "day_off": not working,
        "holiday": days_off.get(day),
        "hours": hours,
    }
    return render_page(request, "activities/_availability.html", context, partial="check")


def _local(start: dt.datetime, end: dt.datetime, zone: Any) -> dict[str, dt.datetime]:
    return {"start": start.astimezone(zone), "end": end.astimezone(zone)}


def _placed(
    start: dt.datetime,
    end: dt.datetime,
    working: list[availability.Interval],
    zone: Any,
    subject: str | None,
) -> dict[str, Any]:
    """A busy block with its place on the day's bar (percent of the working time)."""
    total = sum(((e - s).total_seconds() for s, e in working), 0.0) or 1.0
    before = 0.0
    for s, e in working:
        if e <= start:
            before += (e - s).total_seconds()
        elif s < start:
            before += (start - s).total_seconds()
    return {
        "start": start.astimezone(zone),
        "end": end.astimezone(zone),
        "subject": subject,
        "left": round(100 * before / total, 2),
        "width": round(100 * (end - start).total_seconds() / total, 2),
    }


def _duration(request: HttpRequest, wanted: Wanted) -> dt.timedelta:
    try:
        minutes = int(request.GET.get("slot_duration") or 0)
    except ValueError:
        minutes = 0
    if 0 < minutes <= 24 * 60:
        return dt.timedelta(minutes=minutes)
    if wanted.start and wanted.end and wanted.end > wanted.start:
        return wanted.end - wanted.start
    return DEFAULT_DURATION


@company_view(module="activities")
def free_slot(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """The first slot from the chosen start (or now) when the responsible person, every
    participant and every resource are free, for the activity's duration; htmx gets the
    start and end fields back filled in."""
    wanted = _wanted(request, access)
    zone = company_timezone(access.company)
    duration = _duration(request, wanted)
    now = timezone.now()
    after = wanted.start if wanted.start and wanted.start > now else now
    employees = wanted.employees or [access.user.email.lower()]
    slot = None
    message = ""
    try:
        slot = selectors.free_slot(
            access=access,
            employees=employees,
            resources=[resource.id for resource in wanted.resources],
            duration=duration,
            after=after,
            exclude=wanted.activity_id,
        )
    except availability.DurationTooLong as error:
        message = too_long_message(error)
    else:
        if slot is None:
            message = no_slot_message(availability.HORIZON.days)
    context = {
        "company": access.company,
        "htmx": is_htmx(request),
        "slot": _local(slot.start, slot.end, zone) if slot else None,
        "message": message,
        "duration_minutes": int(duration.total_seconds() // 60),
    }
    return render_page(request, "activities/_availability.html", context, partial="slot")
