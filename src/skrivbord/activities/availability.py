"""Availability: busy and free time within working hours, and the next free slot.

Pure (no Django): the selectors read the busy intervals and the company's working hours and
hand them here as plain values. Instants are timezone-aware datetimes; the working day is
laid out in the company's zone day by day (`datetime.combine` with the zone), so a day of
23 or 25 hours at a daylight-saving change keeps its 08:00-17:00 on the wall clock.

`next_free_slot` is a sweep: the busy intervals of all participants are merged into one
sorted list once, then the working blocks of the days after `after` are walked with one
pointer into that list. The cost is the number of busy intervals plus the number of days,
never minutes.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import holidays
from holidays.constants import DE_FACTO, PUBLIC

UTC = dt.UTC
#: Slots start on the quarter hour.
GRID = dt.timedelta(minutes=15)
#: How far "find next free slot" looks ahead by default.
HORIZON = dt.timedelta(days=30)

Interval = tuple[dt.datetime, dt.datetime]


class DurationTooLong(ValueError):
    """The wanted duration does not fit in any working block of a day."""

    def __init__(self, duration: dt.timedelta, longest: dt.timedelta) -> None:
        super().__init__(f"{duration} is longer than the longest working block ({longest})")
        self.duration = duration
        self.longest = longest


@dataclass(frozen=True)
class WorkingHours:
    """When a company works: the weekdays (0 = Monday … 6 = Sunday), the day's start and
    end on the wall clock of its time zone, and an optional lunch break (not working time:
    nothing is booked across it). Public holidays are never working days."""

    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    day_start: dt.time = dt.time(8, 0)
    day_end: dt.time = dt.time(17, 0)
    lunch_start: dt.time | None = None
    lunch_end: dt.time | None = None
    time_zone: str = "Europe/Stockholm"

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def has_lunch(self) -> bool:
        return (
            self.lunch_start is not None
            and self.lunch_end is not None
            and self.day_start < self.lunch_start < self.lunch_end < self.day_end
        )

    def blocks(self) -> list[tuple[dt.time, dt.time]]:
        """The day's working blocks on the wall clock: one, or two around lunch."""
        if self.has_lunch and self.lunch_start is not None and self.lunch_end is not None:
            return [(self.day_start, self.lunch_start), (self.lunch_end, self.day_end)]
        return [(self.day_start, self.day_end)]

    def longest_block(self) -> dt.timedelta:
        day = dt.date(2001, 1, 1)
        return max(
            (
                dt.datetime.combine(day, end) - dt.datetime.combine(day, start)
                for start, end in self.blocks()
            ),
            default=dt.timedelta(0),
        )

    def is_working_day(self, day: dt.date, days_off: Container[dt.date] = ()) -> bool:
        return day.weekday() in self.weekdays and day not in days_off


DEFAULT_WORKING_HOURS = WorkingHours()


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class DayAvailability:
    """One day for a set of participants: each one's busy blocks within working hours, and
    the free time they share."""

    day: dt.date
    working: list[Interval]
    busy: dict[str, list[Interval]] = field(default_factory=dict)
    free: list[Interval] = field(default_factory=list)


def swedish_days_off(years: Iterable[int], language: str | None = None) -> holidays.HolidayBase:
    """Swedish public holidays and the eves everyone takes off (Midsummer, Christmas and
    New Year's Eve), as the accounting checks count them. Sundays come from the weekdays.
    `language` ("sv" or "en_US") names them."""
    return holidays.Sweden(
        years=list(years),
        include_sundays=False,
        categories=(PUBLIC, DE_FACTO),
        language=language,
    )


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with overlapping and touching intervals joined; empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted(interval for interval in intervals if interval[1] > interval[0]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def working_intervals(
    hours: WorkingHours, first: dt.date, last: dt.date, days_off: Container[dt.date] = ()
) -> list[Interval]:
    """The working blocks of the days `first` to `last` (inclusive), in UTC."""
    found: list[Interval] = []
    day = first
    blocks = hours.blocks()
    while day <= last:
        if hours.is_working_day(day, days_off):
            for start, end in blocks:
                found.append(
                    (
                        dt.datetime.combine(day, start, hours.zone).astimezone(UTC),
                        dt.datetime.combine(day, end, hours.zone).astimezone(UTC),
                    )
                )
        day += dt.timedelta(days=1)
    return found


def clip(intervals: Iterable[Interval], within: Sequence[Interval]) -> list[Interval]:
    """The parts of `intervals` inside the (sorted, disjoint) `within`, merged."""
    busy = merge(intervals)
    clipped: list[Interval] = []
    index = 0
    for start, end in within:
        while index < len(busy) and busy[index][1] <= start:
            index += 1
        probe = index
        while probe < len(busy) and busy[probe][0] < end:
            clipped.append((max(busy[probe][0], start), min(busy[probe][1], end)))
            probe += 1
    return merge(clipped)


def subtract(within: Sequence[Interval], busy: Sequence[Interval]) -> list[Interval]:
    """`within` (sorted, disjoint) minus the merged `busy`."""
    free: list[Interval] = []
    index = 0
    for start, end in within:
        cursor = start
        while index < len(busy) and busy[index][1] <= cursor:
            index += 1
        probe = index
        while probe < len(busy) and busy[probe][0] < end:
            if busy[probe][0] > cursor:
                free.append((cursor, busy[probe][0]))
            cursor = max(cursor, busy[probe][1])
            probe += 1
        if cursor < end:
            free.append((cursor, end))
    return free


def day_availability(
    busy_by_participant: Mapping[str, Iterable[Interval]],
    day: dt.date,
    hours: WorkingHours,
    days_off: Container[dt.date] = (),
) -> DayAvailability:
    """Each participant's busy blocks on `day` within working hours, and the shared free
    time. A day off has no working time (and so nothing busy or free)."""
    working = working_intervals(hours, day, day, days_off)
    busy = {who: clip(intervals, working) for who, intervals in busy_by_participant.items()}
    everyone = merge(interval for intervals in busy.values() for interval in intervals)
    return DayAvailability(day=day, working=working, busy=busy, free=subtract(working, everyone))


def _round_up(moment: dt.datetime, grid: dt.timedelta) -> dt.datetime:
    """Up to the grid, counted from midnight UTC (every zone in use today is a whole number
    of quarter hours from UTC, so the quarter hours agree with the wall clock)."""
    moment = moment.astimezone(UTC)
    midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    steps = -((midnight - moment) // grid)
    return midnight + steps * grid


def next_free_slot(
    busy_by_participant: Mapping[str, Iterable[Interval]],
    duration: dt.timedelta,
    after: dt.datetime,
    working_hours: WorkingHours = DEFAULT_WORKING_HOURS,
    days_off: Container[dt.date] | None = None,
    horizon: dt.timedelta = HORIZON,
    grid: dt.timedelta = GRID,
) -> Slot | None:
    """The first slot of `duration`, starting on the grid at or after `after` and before
    `after + horizon`, inside one working block of a working day, where no participant is
    busy. None when there is none within the horizon.

    Raises DurationTooLong when the duration cannot fit in any working block (a meeting
    longer than the working day, or than the morning and the afternoon around lunch), and
    ValueError for a duration that is not positive or a naive `after`.
    """
    if duration <= dt.timedelta(0):
        raise ValueError("the duration must be positive")
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    longest = working_hours.longest_block()
    if duration > longest:
        raise DurationTooLong(duration, longest)
    zone = working_hours.zone
    first = after.astimezone(zone).date()
    until = after + horizon
    last = until.astimezone(zone).date()
    if days_off is None:
        days_off = swedish_days_off(range(first.year, last.year + 1))
    busy = merge(interval for intervals in busy_by_participant.values() for interval in intervals)
    index = 0
    for block_start, block_end in working_intervals(working_hours, first, last, days_off):
        if block_end <= after:
            continue
        candidate = _round_up(max(block_start, after), grid)
        while candidate + duration <= block_end and candidate < until:
            while index < len(busy) and busy[index][1] <= candidate:
                index += 1
            if index == len(busy) or busy[index][0] >= candidate + duration:
                return Slot(candidate, candidate + duration)
            candidate = _round_up(busy[index][1], grid)
        if candidate >= until:
            return None
    return None
