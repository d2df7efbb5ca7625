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
from skrivbord.activities.availability import WorkingHours
from skrivbord.activities.models import time_minutes
from skrivbord.activities.timezones import company_timezone
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page

#: How many events a day of the month view lists before "+ n more".
MONTH_DAY_LIMIT = 4
#: The most people and resources a common calendar shows at once (each is a column of the
#: day view; the query is one whatever the number).
MAX_CHOSEN = 40


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
    page = _Page(request, access)
    context = page.common_context()
    context |= page.month() if page.view == "month" else page.grid()
    return render_page(request, "activities/calendar.html", context)


class _Page:
    """One calendar page: what was asked (view, day, whose), the events of its window, and
    the links and labels the template draws."""

    def __init__(self, request: HttpRequest, access: CompanyAccess) -> None:
        self.access = access
        self.zone = company_timezone(access.company)
        self.today = selectors.today(access)
        view = request.GET.get("view") or "week"
        self.view = view if view in calendar.VIEWS else "week"
        self.day = _day(request.GET.get("date"), self.today)
        self.full = request.GET.get("full") == "1"
        self.common = request.GET.get("common") == "1"
        self.me = access.user.email.lower()
        self.people = {user.email.lower(): user for user in selectors.employees(access=access)}
        self.resources = {str(r.id): r for r in selectors.resource_list(access=access)}
        if self.common:
            self.chosen_people, self.chosen_resources = _chosen(
                request, access, self.people, self.resources
            )
        else:
            self.chosen_people, self.chosen_resources = [self.me], []
        self.days = calendar.shown_days(self.view, self.day, full=self.full)
        self.events = selectors.calendar_events(
            access=access,
            first=self.days[0],
            last=self.days[-1],
            employees=self.chosen_people,
            resource_ids=[uuid.UUID(r) for r in self.chosen_resources],
        )
        self.holidays = calendar.holiday_names(self.days, translation.get_language() or "sv")
        self.query: dict[str, Any] = {"view": self.view}
        if self.full:
            self.query["full"] = "1"
        if self.common:
            self.query |= {"common": "1", "p": self.chosen_people, "r": self.chosen_resources}
        company_id = access.company.id
        self.base = reverse("activities:calendar", kwargs={"company_id": company_id})
        self.here = self.url(date=self.day.isoformat())
        self.can_write = access.can_write("activities")
        self.create_base = reverse("activities:create", kwargs={"company_id": company_id})
        self.placeholder = str(uuid.UUID(int=0))
        ids = {"company_id": company_id, "activity_id": self.placeholder}
        self.detail = reverse("activities:detail", kwargs=ids)
        self.move = reverse("activities:move", kwargs=ids)
        self.infos: dict[str, dict[str, Any]] = {}

    def url(self, **changes: Any) -> str:
        values = {**self.query, **changes}
        return f"{self.base}?{urlencode({k: v for k, v in values.items() if v}, doseq=True)}"

    def labelled(self, key: str) -> str:
        """A column's or an owner's name: a person (by e-mail) or a resource ("r:<id>")."""
        if key.startswith("r:"):
            resource = self.resources.get(key[2:])
            return str(resource) if resource else key
        user = self.people.get(key)
        return (user.full_name or user.email) if user else key

    def day_info(self, day: dt.date) -> dict[str, Any]:
        return {
            "date": day,
            "iso": day.isoformat(),
            "is_today": day == self.today,
            "holiday": self.holidays.get(day, ""),
            "weekend": day.weekday() >= 5,
            "day_url": self.url(view="day", date=day.isoformat()),
        }

    def event_info(self, event: calendar.Event) -> dict[str, Any]:
        # An event shows in several places (grid, band, agenda): described once.
        if event.key in self.infos:
            return self.infos[event.key]
        info: dict[str, Any] = {
            "event": event,
            "href": self.detail.replace(self.placeholder, event.key),
            "move_url": self.move.replace(self.placeholder, event.key) if event.movable else "",
            "time": "",
        }
        if event.start is not None:
            start = event.start.astimezone(self.zone)
            end = (event.end or event.start).astimezone(self.zone)
            info["time"] = f"{start:%H:%M}–{end:%H:%M}"  # noqa: RUF001
            info["start"] = _local_iso(start)
            info["end"] = _local_iso(end)
        if self.common and self.view != "day":
            # Whose it is, in a week or month of several people's and resources' activities.
            info["who"] = ", ".join(sorted(self.labelled(key) for key in event.columns))
        info["html"] = _event_html(info)
        self.infos[event.key] = info
        return info

    def common_context(self) -> dict[str, Any]:
        day, view = self.day.isoformat(), self.view
        return {
            "company": self.access.company,
            "view": view,
            "full": self.full,
            "common": self.common,
            "day": self.day,
            "today_url": self.url(date=self.today.isoformat()),
            "previous_url": self.url(date=calendar.step(view, self.day, -1).isoformat()),
            "next_url": self.url(date=calendar.step(view, self.day, 1).isoformat()),
            "view_urls": {v: self.url(view=v, date=day) for v in calendar.VIEWS},
            "week_toggle_url": self.url(date=day, full="" if self.full else "1"),
            "mine_url": f"{self.base}?{urlencode({'view': view, 'date': day})}",
            "common_url": f"{self.base}?{urlencode({'view': view, 'date': day, 'common': 1})}",
            "people": sorted(self.people.values(), key=lambda u: (u.full_name or u.email).lower()),
            "resources": list(self.resources.values()),
            "chosen_people": self.chosen_people,
            "chosen_resources": self.chosen_resources,
            "chosen_count": len(self.chosen_people) + len(self.chosen_resources),
            "can_write": self.can_write,
            "here": self.here,
            "agenda": [
                {**self.day_info(d), "events": [self.event_info(e) for e in items]}
                for d, items in calendar.by_day(self.events, self.days, self.zone).items()
                if items or d == self.today
            ],
        }

    def month(self) -> dict[str, Any]:
        per_day = calendar.by_day(self.events, self.days, self.zone)
        weeks = [
            {
                "number": week.number,
                "url": self.url(view="week", date=week.days[0].isoformat()),
                "days": [
                    {
                        **self.day_info(d),
                        "other_month": d.month != self.day.month,
                        "events": [self.event_info(e) for e in per_day[d][:MONTH_DAY_LIMIT]],
                        "more": max(0, len(per_day[d]) - MONTH_DAY_LIMIT),
                    }
                    for d in week.days
                ],
            }
            for week in calendar.month_weeks(self.day)
        ]
        return {"title": formats.date_format(self.day, "F Y").capitalize(), "weeks": weeks}

    def grid(self) -> dict[str, Any]:
        """Day and week: columns (the days; in a common day view the people and resources)
        of hours with the timed events in lanes, and a band of all-day events and tasks."""
        if self.view == "week":
            year, week = calendar.iso_week(self.day)
            title = _("Week %(week)s, %(year)s") % {"week": week, "year": year}
            keys = [("", d) for d in self.days]
        else:
            title = formats.date_format(self.day, "l j F Y").capitalize()
            keys = [("", self.day)]
            if self.common:
                chosen = self.chosen_people + [f"r:{r}" for r in self.chosen_resources]
                keys = [(key, self.day) for key in chosen]
        columns = [calendar.day_column(key, d, self._of(key), self.zone) for key, d in keys]
        working = selectors.working_hours(self.access)
        first_hour, last_hour = calendar.hours_shown(columns, working)
        self.first_minute, self.total = first_hour * 60, (last_hour - first_hour) * 60
        band = self._band(keys)
        return {
            "title": title,
            "columns": [
                self._column(key, d, column, working)
                for (key, d), column in zip(keys, columns, strict=True)
            ],
            "hours": [
                {"label": f"{hour:02d}:00", "top": self._percent(hour * 60)}
                for hour in range(first_hour, last_hour)
            ],
            "first_minute": self.first_minute,
            "total_minutes": self.total,
            "band": band,
            "band_rows": max((item["row"] for item in band), default=0),
            "snap": calendar.SNAP_MINUTES,
        }

    def _of(self, key: str) -> list[calendar.Event]:
        return [e for e in self.events if not key or key in e.columns]

    def _percent(self, minutes: int) -> str:
        return f"{100 * (minutes - self.first_minute) / self.total:.4f}%"

    def _band(self, keys: list[tuple[str, dt.date]]) -> list[dict[str, Any]]:
        if self.view == "week":  # one band over the days
            spans = [(0, calendar.band(self.events, self.days, self.zone))]
        else:  # a band per column
            spans = [
                (index, calendar.band(self._of(key), [d], self.zone))
                for index, (key, d) in enumerate(keys)
            ]
        return [
            {
                **self.event_info(p.event),
                "column": index + p.first + 1,
                "span": p.span,
                "row": p.row + 1,
            }
            for index, placed in spans
            for p in placed
        ]

    def _column(
        self, key: str, day: dt.date, column: calendar.Column, working: WorkingHours
    ) -> dict[str, Any]:
        # The slots' links share all but their times: encoded once per column.
        slot_query: dict[str, str] = {"next": self.here}
        if key.startswith("r:"):
            slot_query["resource"] = key[2:]
        elif key:
            slot_query["responsible"] = key
        shared = urlencode(slot_query)
        heading = f"{_('New activity')} {formats.date_format(day, 'SHORT_DATE_FORMAT')}"
        if key:
            heading = f"{heading}, {self.labelled(key)}"
        last_minute = self.first_minute + self.total
        slots = []
        for minute in range(self.first_minute, last_minute, calendar.SLOT_MINUTES):
            end_minute = min(minute + calendar.SLOT_MINUTES, last_minute)
            end_day = day if end_minute < calendar.DAY_MINUTES else day + dt.timedelta(days=1)
            end = f"{end_day.isoformat()}T{_time(end_minute % calendar.DAY_MINUTES)}"
            slots.append(
                {
                    "minute": minute,
                    "label": f"{_time(minute)}, {heading}",
                    "href": f"{self.create_base}?start={day.isoformat()}T{_time(minute)}"
                    f"&end={end}&{shared}",
                }
            )
        events = []
        for part in column.placed:
            info = self.event_info(part.event)
            style = (
                f"top:{self._percent(part.top)};"
                f"height:{100 * (part.bottom - part.top) / self.total:.4f}%;"
                f"left:{100 * part.lane / part.lanes:.4f}%;width:{100 / part.lanes:.4f}%"
            )
            html = _event_html(
                info,
                style=style,
                move_url=info["move_url"],
                starts_before=part.starts_before,
                ends_after=part.ends_after,
            )
            events.append({"html": html})
        return {
            **self.day_info(day),
            "key": key,
            "label": self.labelled(key) if key else "",
            # Outside the working hours the column is shaded.
            "work": (
                f"--work-top:{self._percent(time_minutes(working.day_start))};"
                f"--work-bottom:{self._percent(time_minutes(working.day_end))}"
            ),
            "slots": slots,
            "events": events,
        }


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
