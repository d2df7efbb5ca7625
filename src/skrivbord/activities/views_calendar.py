"""The calendar: day, week and month views of my activities or of the colleagues and resources
the user chooses (the common calendar), and the endpoint that drag and drop posts to.

    /c/<company>/activities/calendar/?view=day|week|month&date=2026-11-27&full=1
        &common=1&p=<e-mail>&p=…&r=<resource id>&r=…

The common calendar's choice is kept in the session per company (and always written into the
page's links, so the address can be shared). The layout is calendar.py's; this module turns
it into what the template draws: percentages of a column, slot links, labels.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skrivbord.activities import calendar, selectors, services
from skrivbord.activities.timezones import company_timezone
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page

#: How many events a day of the month view lists before "+ n more".
MONTH_DAY_LIMIT = 4
#: The most people and resources a common calendar shows at once (each is a column of the
#: day view; the query is one whatever the number).
MAX_CHOSEN = 40


def working_hours(access: CompanyAccess) -> calendar.WorkingHours:
    """The hours the grid shows at least. The company's configured working hours take the
    place of the default here once they exist (the lead wires them in at the merge)."""
    return calendar.DEFAULT_WORKING_HOURS


def _session_key(access: CompanyAccess) -> str:
    return f"calendar.{access.company.id}"


def _day(value: str | None, default: dt.date) -> dt.date:
    """The date asked for; a malformed one, or one so far off that the month around it or
    the next page would leave the calendar (years 1 and 9999), is today."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if 1900 <= day.year <= 2999 else default


def _chosen(
    request: HttpRequest, access: CompanyAccess, people: dict[str, Any], resources: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """The common calendar's people (e-mails) and resources (ids): from the address if it
    names any (and then remembered), else the remembered choice, else the user alone."""
    asked_people = [e.strip().lower() for e in request.GET.getlist("p")]
    asked_resources = [r.strip() for r in request.GET.getlist("r")]
    if asked_people or asked_resources:
        chosen = (
            [e for e in dict.fromkeys(asked_people) if e in people][:MAX_CHOSEN],
            [r for r in dict.fromkeys(asked_resources) if r in resources][:MAX_CHOSEN],
        )
        request.session[_session_key(access)] = {"p": chosen[0], "r": chosen[1]}
        return chosen
    saved = request.session.get(_session_key(access)) or {}
    chosen = (
        [e for e in saved.get("p", []) if e in people],
        [r for r in saved.get("r", []) if r in resources],
    )
    if chosen[0] or chosen[1]:
        return chosen
    return [access.user.email.lower()], []


def _local_iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _event_html(
    info: dict[str, Any],
    *,
    style: str = "",
    move_url: str = "",
    starts_before: bool = False,
    ends_after: bool = False,
) -> SafeString:
    """One event's link. Built here rather than by an include: a busy week draws hundreds,
    and an include each cost more than the rest of the page together."""
    event: calendar.Event = info["event"]
    classes = ["cal-event"]
    for flag, name in (
        (event.busy, "cal-busy"),
        (event.cancelled, "cal-cancelled"),
        (event.done, "cal-done"),
        (event.is_task, "cal-task"),
        (starts_before, "cal-starts-before"),
        (ends_after, "cal-ends-after"),
    ):
        if flag:
            classes.append(name)
    draggable = bool(move_url) and not starts_before and not ends_after
    parts: list[str] = [
        format_html(
            '<a class="{}" href="{}" style="--c: {};{}" data-id="{}"',
            " ".join(classes),
            info["href"],
            event.colour,
            style,
            event.key,
        )
    ]
    if draggable:
        parts.append(
            format_html(
                ' data-move-url="{}" data-start="{}" data-end="{}"'
                ' aria-describedby="calendar-move-hint"',
                move_url,
                info["start"],
                info["end"],
            )
        )
    parts.append(">")
    if info["time"]:
        parts.append(format_html('<span class="cal-time">{}</span>', info["time"]))
    if event.is_task:
        parts.append('<span aria-hidden="true">☐</span> ')
    parts.append(format_html('<span class="cal-subject">{}</span>', event.subject))
    if info.get("who"):
        parts.append(format_html(' <span class="cal-who">{}</span>', info["who"]))
    if event.cancelled:
        parts.append(format_html(' <span class="visually-hidden">({})</span>', _("Cancelled")))
    elif event.done:
        parts.append(format_html(' <span class="visually-hidden">({})</span>', _("Done")))
    if draggable:
        parts.append('<span class="cal-resize" aria-hidden="true"></span>')
    parts.append("</a>")
    return mark_safe("".join(parts))  # noqa: S308 (every part is escaped above)


@company_view(module="calendar")
def calendar_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    zone = company_timezone(access.company)
    today = selectors.today(access)
    view = request.GET.get("view") or "week"
    if view not in calendar.VIEWS:
        view = "week"
    day = _day(request.GET.get("date"), today)
    full = request.GET.get("full") == "1"
    common = request.GET.get("common") == "1"
    me = access.user.email.lower()
    people = {user.email.lower(): user for user in selectors.employees(access=access)}
    resources = {str(r.id): r for r in selectors.resource_list(access=access)}
    if common:
        chosen_people, chosen_resources = _chosen(request, access, people, resources)
    else:
        chosen_people, chosen_resources = [me], []
    days = calendar.shown_days(view, day, full=full)
    events = selectors.calendar_events(
        access=access,
        first=days[0],
        last=days[-1],
        employees=chosen_people,
        resource_ids=[uuid.UUID(r) for r in chosen_resources],
    )
    language = translation.get_language() or "sv"
    holidays = calendar.holiday_names(days, language)

    query: dict[str, Any] = {"view": view}
    if full:
        query["full"] = "1"
    if common:
        query |= {"common": "1", "p": chosen_people, "r": chosen_resources}
    base = reverse("activities:calendar", kwargs={"company_id": access.company.id})

    def url(**changes: Any) -> str:
        values = {**query, **changes}
        return f"{base}?{urlencode({k: v for k, v in values.items() if v}, doseq=True)}"

    here = url(date=day.isoformat())
    can_write = access.can_write("activities")
    create_base = reverse("activities:create", kwargs={"company_id": access.company.id})
    placeholder = str(uuid.UUID(int=0))
    detail = reverse(
        "activities:detail",
        kwargs={"company_id": access.company.id, "activity_id": placeholder},
    )
    move = reverse(
        "activities:move", kwargs={"company_id": access.company.id, "activity_id": placeholder}
    )

    def day_info(d: dt.date) -> dict[str, Any]:
        return {
            "date": d,
            "iso": d.isoformat(),
            "is_today": d == today,
            "holiday": holidays.get(d, ""),
            "weekend": d.weekday() >= 5,
            "day_url": url(view="day", date=d.isoformat()),
        }

    infos: dict[str, dict[str, Any]] = {}

    def event_info(event: calendar.Event) -> dict[str, Any]:
        # An event shows in several places (grid, band, agenda): described once.
        if event.key in infos:
            return infos[event.key]
        info: dict[str, Any] = {
            "event": event,
            "href": detail.replace(placeholder, event.key),
            "move_url": move.replace(placeholder, event.key) if event.movable else "",
            "time": "",
        }
        if event.start is not None:
            start = event.start.astimezone(zone)
            end = (event.end or event.start).astimezone(zone)
            info["time"] = f"{start:%H:%M}–{end:%H:%M}"  # noqa: RUF001
            info["start"] = _local_iso(start)
            info["end"] = _local_iso(end)
            info["minutes"] = int((end - start).total_seconds() // 60)
        if common and view != "day":
            # Whose it is, in a week or month of several people's and resources' activities.
            info["who"] = ", ".join(sorted(labelled(key) for key in event.columns))
        info["html"] = _event_html(info)
        infos[event.key] = info
        return info

    def labelled(key: str) -> str:
        if key.startswith("r:"):
            resource = resources.get(key[2:])
            return str(resource) if resource else key
        user = people.get(key)
        return (user.full_name or user.email) if user else key

    context: dict[str, Any] = {
        "company": access.company,
        "view": view,
        "full": full,
        "common": common,
        "day": day,
        "today_url": url(date=today.isoformat()),
        "previous_url": url(date=calendar.step(view, day, -1).isoformat()),
        "next_url": url(date=calendar.step(view, day, 1).isoformat()),
        "view_urls": {v: url(view=v, date=day.isoformat()) for v in calendar.VIEWS},
        "week_toggle_url": url(date=day.isoformat(), full="" if full else "1"),
        "mine_url": f"{base}?{urlencode({'view': view, 'date': day.isoformat()})}",
        "common_url": f"{base}?{urlencode({'view': view, 'date': day.isoformat(), 'common': 1})}",
        "people": sorted(people.values(), key=lambda u: (u.full_name or u.email).lower()),
        "resources": list(resources.values()),
        "chosen_people": chosen_people,
        "chosen_resources": chosen_resources,
        "chosen_count": len(chosen_people) + len(chosen_resources),
        "can_write": can_write,
        "here": here,
        "days": [day_info(d) for d in days],
        "agenda": [
            {**day_info(d), "events": [event_info(e) for e in items]}
            for d, items in calendar.by_day(events, days, zone).items()
            if items or d == today
        ],
    }
    year, week = calendar.iso_week(day)
    if view == "month":
        context["title"] = formats.date_format(day, "F Y").capitalize()
        per_day = calendar.by_day(events, days, zone)
        context["weeks"] = [
            {
                "number": w.number,
                "url": url(view="week", date=w.days[0].isoformat()),
                "days": [
                    {
                        **day_info(d),
                        "other_month": d.month != day.month,
                        "events": [event_info(e) for e in per_day[d][:MONTH_DAY_LIMIT]],
                        "more": max(0, len(per_day[d]) - MONTH_DAY_LIMIT),
                    }
                    for d in w.days
                ],
            }
            for w in calendar.month_weeks(day)
        ]
        return render_page(request, "activities/calendar.html", context)

    # Day and week: a grid of columns (days, or in a common day view the people and
    # resources), with a band of all-day events and tasks above it.
    if view == "week":
        context["title"] = _("Week %(week)s, %(year)s") % {"week": week, "year": year}
        keys = [("", d) for d in days]
    else:
        context["title"] = formats.date_format(day, "l j F Y").capitalize()
        keys = [(key, day) for key in (chosen_people + [f"r:{r}" for r in chosen_resources])]
        if not common:
            keys = [("", day)]
    columns = [
        calendar.day_column(key, d, [e for e in events if not key or key in e.columns], zone)
        for key, d in keys
    ]
    working = working_hours(access)
    first_hour, last_hour = calendar.hours_shown(columns, working)
    first_minute, total = first_hour * 60, (last_hour - first_hour) * 60

    def percent(minutes: int) -> str:
        return f"{100 * (minutes - first_minute) / total:.4f}%"

    band: list[dict[str, Any]] = []
    for index, (key, d) in enumerate(keys):
        if view == "week" and index:
            break
        mine = [e for e in events if not key or key in e.columns]
        placed = calendar.band(mine, days if view == "week" else [d], zone)
        band += [
            {
                **event_info(p.event),
                "column": (p.first if view == "week" else index) + 1,
                "span": p.span,
                "row": p.row + 1,
                "starts_before": p.starts_before,
                "ends_after": p.ends_after,
            }
            for p in placed
        ]
    grid_columns = []
    new_activity = _("New activity")
    for (key, d), column in zip(keys, columns, strict=True):
        # The slots' links share all but their times: encoded once per column.
        slot_query: dict[str, str] = {"next": here}
        if key.startswith("r:"):
            slot_query["resource"] = key[2:]
        elif key:
            slot_query["responsible"] = key
        shared = urlencode(slot_query)
        heading = f"{new_activity} {formats.date_format(d, 'SHORT_DATE_FORMAT')}"
        if key:
            heading = f"{heading}, {labelled(key)}"
        last_minute = first_minute + total
        slots = []
        for minute in range(first_minute, last_minute, calendar.SLOT_MINUTES):
            end_minute = min(minute + calendar.SLOT_MINUTES, last_minute)
            end_day = d if end_minute < calendar.DAY_MINUTES else d + dt.timedelta(days=1)
            end = f"{end_day.isoformat()}T{_time(end_minute % calendar.DAY_MINUTES)}"
            slots.append(
                {
                    "minute": minute,
                    "label": f"{_time(minute)}, {heading}",
                    "href": f"{create_base}?start={d.isoformat()}T{_time(minute)}"
                    f"&end={end}&{shared}",
                }
            )
        grid_columns.append(
            {
                **day_info(d),
                "key": key,
                "label": labelled(key) if key else "",
                # Outside the working hours the column is shaded.
                "work": (
                    f"--work-top:{percent(working.start.hour * 60 + working.start.minute)};"
                    f"--work-bottom:{percent(working.end.hour * 60 + working.end.minute)}"
                ),
                "slots": slots,
                "events": [
                    {
                        "html": _event_html(
                            info,
                            style=(
                                f"top:{percent(p.top)};"
                                f"height:{100 * (p.bottom - p.top) / total:.4f}%;"
                                f"left:{100 * p.lane / p.lanes:.4f}%;width:{100 / p.lanes:.4f}%"
                            ),
                            move_url=info["move_url"],
                            starts_before=p.starts_before,
                            ends_after=p.ends_after,
                        )
                    }
                    for p in column.placed
                    for info in [event_info(p.event)]
                ],
            }
        )
    context |= {
        "columns": grid_columns,
        "hours": [
            {"label": f"{hour:02d}:00", "top": percent(hour * 60)}
            for hour in range(first_hour, last_hour)
        ],
        "first_minute": first_minute,
        "total_minutes": total,
        "band": band,
        "band_rows": max((item["row"] for item in band), default=0),
        "snap": calendar.SNAP_MINUTES,
        "slot_minutes": calendar.SLOT_MINUTES,
    }
    return render_page(request, "activities/calendar.html", context)


@company_view(module="activities")
@require_POST
def activity_move(
    request: HttpRequest, access: CompanyAccess, activity_id: uuid.UUID
) -> HttpResponse:
    """Drag and drop: a new start and end (the company's local time, YYYY-MM-DDTHH:MM).
    Answers JSON: the stored times, or the reason it was refused (the event snaps back)."""
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    zone = company_timezone(access.company)
    try:
        start = dt.datetime.fromisoformat(request.POST.get("start", ""))
        end = dt.datetime.fromisoformat(request.POST.get("end", ""))
    except ValueError:
        refusal = _("Give the new start and end as dates and times.")
        return JsonResponse({"error": refusal}, status=400)
    start = start if start.tzinfo else start.replace(tzinfo=zone)
    end = end if end.tzinfo else end.replace(tzinfo=zone)
    try:
        services.activity_move(access=access, activity=activity, start=start, end=end)
    except PermissionDenied as error:
        return JsonResponse({"error": str(error)}, status=403)
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    stored = selectors.activity_get(access=access, activity_id=activity_id)
    assert stored.start is not None
    assert stored.end is not None
    return JsonResponse(
        {
            "start": _local_iso(stored.start.astimezone(zone)),
            "end": _local_iso(stored.end.astimezone(zone)),
        }
    )
