"""The calendar's grids, without Django: which days a day, week or month view shows, ISO week
numbers, Swedish public holidays by name, and where events go — timed ones side by side in
lanes of a day column, all-day and multi-day ones (and tasks on their due date) in a band above.

Events carry aware datetimes (any zone); everything here is laid out in the zone it is given
(the company's). Positions in a day column are wall-clock minutes after local midnight, so the
hour lines stay where the clock says even on the days daylight saving time begins or ends (an
event in the repeated hour of October keeps a minimum height instead of vanishing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from skrivbord.activities.availability import WorkingHours, swedish_days_off

VIEWS = ("day", "week", "month")
#: Drag and resize snap to this, and clicking a slot creates an activity of SLOT_MINUTES.
SNAP_MINUTES = 15
SLOT_MINUTES = 30
#: The least height an event is drawn with, so a zero-length one can still be clicked.
MIN_MINUTES = 15
DAY_MINUTES = 24 * 60


#: Used until the company's working hours are configured (08:00 to 17:00, Monday to Friday).
DEFAULT_WORKING_HOURS = WorkingHours()


@dataclass(frozen=True)
class Event:
    """Something shown in the calendar: timed (`start`/`end`), all day (`first_day` to
    `last_day`, inclusive) or a task on its `due` day."""

    key: str
    subject: str
    colour: str = "#2f6fb0"
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    due: dt.date | None = None
    #: The chosen people (e-mail) and resources ("r:<id>") it belongs to: the day view's columns.
    columns: frozenset[str] = frozenset()
    #: Another person's private activity: shown as "busy", no details, not movable.
    busy: bool = False
    cancelled: bool = False
    done: bool = False
    is_task: bool = False
    movable: bool = False

    @property
    def timed(self) -> bool:
        return self.start is not None

    def days(self, zone: dt.tzinfo) -> tuple[dt.date, dt.date] | None:
        """The first and last local day it touches (an end at midnight ends the day before)."""
        if self.start is not None:
            start = self.start.astimezone(zone)
            end = (self.end or self.start).astimezone(zone)
            last = (end - dt.timedelta(microseconds=1)).date() if end > start else start.date()
            return start.date(), last
        if self.first_day is not None:
            return self.first_day, max(self.last_day or self.first_day, self.first_day)
        if self.due is not None:
            return self.due, self.due
        return None

    def in_band(self) -> bool:
        """All-day, multi-day and dated tasks go to the band; timed ones of 24 hours or more
        too (a column cannot hold them); shorter ones crossing midnight are split."""
        if self.start is None:
            return True
        end = self.end or self.start
        return end - self.start >= dt.timedelta(hours=24)


@dataclass(frozen=True)
class Placed:
    """A timed event's part on one day, in minutes after local midnight, in lane `lane` of
    `lanes` side by side."""

    event: Event
    day: dt.date
    top: int
    bottom: int
    lane: int = 0
    lanes: int = 1
    starts_before: bool = False
    ends_after: bool = False


@dataclass(frozen=True)
class BandPlaced:
    """An event in the band: from column `first` (0-based day index), `span` days, on `row`."""

    event: Event
    first: int
    span: int
    row: int
    starts_before: bool = False
    ends_after: bool = False


@dataclass(frozen=True)
class Week:
    year: int
    number: int
    days: list[dt.date]


@dataclass
class Column:
    """One column of a day or week grid: a day (week view) or a person or resource (day
    view), with its timed events laid out in lanes."""

    key: str
    day: dt.date
    placed: list[Placed] = field(default_factory=list)


# --- Days, weeks, months ----------------------------------------------------------------------


def iso_week(day: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week): 2026-12-31 is in week 53 of 2026, 2027-01-01 too."""
    year, week, _weekday = day.isocalendar()
    return year, week


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_days(day: dt.date, *, full: bool = False) -> list[dt.date]:
    """The working week (Monday to Friday) or the full week around `day`."""
    first = monday(day)
    return [first + dt.timedelta(days=n) for n in range(7 if full else 5)]


def month_weeks(day: dt.date) -> list[Week]:
    """The weeks (Monday to Sunday) that hold a day of `day`'s month."""
    first = day.replace(day=1)
    next_month = (first + dt.timedelta(days=32)).replace(day=1)
    last = next_month - dt.timedelta(days=1)
    weeks = []
    start = monday(first)
    while start <= last:
        days = [start + dt.timedelta(days=n) for n in range(7)]
        year, number = iso_week(start)
        weeks.append(Week(year=year, number=number, days=days))
        start += dt.timedelta(days=7)
    return weeks


def shown_days(view: str, day: dt.date, *, full: bool = False) -> list[dt.date]:
    if view == "day":
        return [day]
    if view == "week":
        return week_days(day, full=full)
    return [d for week in month_weeks(day) for d in week.days]


def step(view: str, day: dt.date, direction: int) -> dt.date:
    """The date the previous (-1) or next (+1) page of a view shows."""
    if view == "day":
        return day + dt.timedelta(days=direction)
    if view == "week":
        return monday(day) + dt.timedelta(days=7 * direction)
    month = day.month - 1 + direction
    year = day.year + month // 12
    return dt.date(year, month % 12 + 1, 1)


# --- Holidays ---------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _holidays_of(year: int, language: str) -> dict[dt.date, str]:
    # Public holidays and the eves everyone takes off (midsommarafton, julafton, nyårsafton);
    # Sundays are not holidays here.
    return dict(swedish_days_off([year], language).items())


def holiday_names(days: Iterable[dt.date], language: str = "sv") -> dict[dt.date, str]:
    """The Swedish public holidays among `days`, by name in `language` ("sv" or "en")."""
    code = "sv" if language.startswith("sv") else "en_US"
    names: dict[dt.date, str] = {}
    for day in days:
        name = _holidays_of(day.year, code).get(day)
        if name:
            names[day] = name
    return names


# --- Layout -----------------------------------------------------------------------------------


def _minutes(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def segment(event: Event, day: dt.date, zone: dt.tzinfo) -> Placed | None:
    """A timed event's part on `day` (local), or None if it does not touch the day."""
    if event.start is None:
        return None
    start = event.start.astimezone(zone)
    end = (event.end or event.start).astimezone(zone)
    span = event.days(zone)
    if span is None or not span[0] <= day <= span[1]:
        return None
    starts_before = start.date() < day
    ends_after = end.date() > day and not (
        end.date() == day + dt.timedelta(days=1) and _minutes(end) == 0 and end.second == 0
    )
    top = 0 if starts_before else _minutes(start)
    bottom = DAY_MINUTES if end.date() > day else _minutes(end)
    top = min(top, DAY_MINUTES - MIN_MINUTES)
    bottom = min(max(bottom, top + MIN_MINUTES), DAY_MINUTES)
    return Placed(
        event=event,
        day=day,
        top=top,
        bottom=bottom,
        starts_before=starts_before,
        ends_after=ends_after,
    )


def lanes(parts: Iterable[Placed]) -> list[Placed]:
    """Overlapping parts side by side: each goes to the first lane free at its start, and
    every part of a group of (transitively) overlapping ones gets the group's lane count."""
    ordered = sorted(parts, key=lambda p: (p.top, -p.bottom, p.event.key))
    result: list[Placed] = []
    group: list[Placed] = []
    lane_ends: list[int] = []
    group_end = -1

    def close() -> None:
        result.extend(
            Placed(
                event=p.event,
                day=p.day,
                top=p.top,
                bottom=p.bottom,
                lane=p.lane,
                lanes=len(lane_ends),
                starts_before=p.starts_before,
                ends_after=p.ends_after,
            )
            for p in group
        )

    for part in ordered:
        if group and part.top >= group_end:
            close()
            group, lane_ends, group_end = [], [], -1
        lane = next((n for n, end in enumerate(lane_ends) if end <= part.top), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(part.bottom)
        else:
            lane_ends[lane] = part.bottom
        group_end = max(group_end, part.bottom)
        group.append(
            Placed(
                event=part.event,
                day=part.day,
                top=part.top,
                bottom=part.bottom,
                lane=lane,
                starts_before=part.starts_before,
                ends_after=part.ends_after,
            )
        )
    if group:
        close()
    return result


def day_column(key: str, day: dt.date, events: Iterable[Event], zone: dt.tzinfo) -> Column:
    """The timed events of `day` (not the band's) laid out in lanes."""
    parts = [
        part
        for event in events
        if not event.in_band()
        for part in [segment(event, day, zone)]
        if part is not None
    ]
    return Column(key=key, day=day, placed=lanes(parts))


def band(events: Iterable[Event], days: Sequence[dt.date], zone: dt.tzinfo) -> list[BandPlaced]:
    """All-day, multi-day and task events over consecutive `days`, each on the first row
    where its days are free (the longest first, so they stay on top)."""
    if not days:
        return []
    first_day, last_day = days[0], days[-1]
    spans = []
    for event in events:
        if not event.in_band():
            continue
        touched = event.days(zone)
        if touched is None or touched[1] < first_day or touched[0] > last_day:
            continue
        shown_first = max(touched[0], first_day)
        shown_last = min(touched[1], last_day)
        spans.append(
            (event, (shown_first - first_day).days, (shown_last - shown_first).days + 1, touched)
        )
    spans.sort(key=lambda s: (s[1], -s[2], s[0].is_task, s[0].subject, s[0].key))
    rows: list[set[int]] = []
    placed = []
    for event, first, span, touched in spans:
        wanted = set(range(first, first + span))
        row = next((n for n, used in enumerate(rows) if not used & wanted), len(rows))
        if row == len(rows):
            rows.append(set())
        rows[row] |= wanted
        placed.append(
            BandPlaced(
                event=event,
                first=first,
                span=span,
                row=row,
                starts_before=touched[0] < first_day,
                ends_after=touched[1] > last_day,
            )
        )
    return placed


def by_day(
    events: Iterable[Event], days: Sequence[dt.date], zone: dt.tzinfo
) -> dict[dt.date, list[Event]]:
    """Each day's events, for the month view and the agenda list: the band's first, then the
    timed ones by their start."""
    wanted = set(days)
    result: dict[dt.date, list[Event]] = {day: [] for day in days}
    for event in events:
        touched = event.days(zone)
        if touched is None:
            continue
        day = max(touched[0], days[0]) if days else touched[0]
        while day <= touched[1] and day in wanted:
            result[day].append(event)
            day += dt.timedelta(days=1)

    def order(event: Event) -> tuple[int, dt.datetime, str, str]:
        start = event.start or dt.datetime.min.replace(tzinfo=dt.UTC)
        return (0 if event.in_band() else 1, start, event.subject, event.key)

    for items in result.values():
        items.sort(key=order)
    return result


def hours_shown(
    columns: Iterable[Column], working: WorkingHours = DEFAULT_WORKING_HOURS
) -> tuple[int, int]:
    """The hours a grid shows: the working hours, widened to hold every event."""
    first = working.day_start.hour
    last = working.day_end.hour + (1 if working.day_end.minute else 0)
    for column in columns:
        for part in column.placed:
            first = min(first, part.top // 60)
            last = max(last, -(-part.bottom // 60))
    return first, max(last, first + 1)
