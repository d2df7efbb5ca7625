"""The pure availability algorithm: working hours, busy and free time, next free slot."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from skrivbord.activities.availability import (
    DurationTooLong,
    WorkingHours,
    day_availability,
    merge,
    next_free_slot,
    swedish_days_off,
    working_intervals,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
HOUR = dt.timedelta(hours=1)
DAYS_OFF = swedish_days_off(range(2026, 2028))


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STOCKHOLM)


def local(slot: object) -> tuple[str, str]:
    start = slot.start.astimezone(STOCKHOLM)  # type: ignore[attr-defined]
    end = slot.end.astimezone(STOCKHOLM)  # type: ignore[attr-defined]
    return f"{start:%Y-%m-%d %H:%M}", f"{end:%H:%M}"


def test_it_offers_the_start_of_the_working_day_when_nobody_is_busy() -> None:
    # Monday 2026-11-30, asked at 06:10 before the office opens.
    slot = next_free_slot({}, HOUR, at(2026, 11, 30, 6, 10), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-11-30 08:00", "09:00")


def test_it_starts_on_the_next_quarter_hour() -> None:
    slot = next_free_slot({}, HOUR, at(2026, 11, 30, 10, 7), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-11-30 10:15", "11:15")


def test_it_finds_the_first_time_all_participants_are_free() -> None:
    busy = {
        "anna@x.se": [(at(2026, 11, 30, 8), at(2026, 11, 30, 10))],
        "bo@x.se": [(at(2026, 11, 30, 10), at(2026, 11, 30, 11, 30))],
        "rummet": [(at(2026, 11, 30, 12), at(2026, 11, 30, 13))],
    }
    slot = next_free_slot(busy, HOUR, at(2026, 11, 30, 7), days_off=DAYS_OFF)
    assert slot is not None
    # 11:30-12:00 is too short for an hour; 13:00 is the first hour everyone has.
    assert local(slot) == ("2026-11-30 13:00", "14:00")


def test_back_to_back_bookings_leave_no_gap_but_touching_the_end_is_free() -> None:
    busy = {
        "anna@x.se": [
            (at(2026, 11, 30, 8), at(2026, 11, 30, 9)),
            (at(2026, 11, 30, 9), at(2026, 11, 30, 10)),
            (at(2026, 11, 30, 10), at(2026, 11, 30, 16)),
        ]
    }
    slot = next_free_slot(busy, HOUR, at(2026, 11, 30, 8), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-11-30 16:00", "17:00")


def test_a_slot_never_runs_past_the_end_of_the_day() -> None:
    busy = {"anna@x.se": [(at(2026, 11, 30, 8), at(2026, 11, 30, 16, 30))]}
    slot = next_free_slot(busy, HOUR, at(2026, 11, 30, 8), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-12-01 08:00", "09:00")


def test_it_skips_weekends_and_swedish_public_holidays() -> None:
    # Wednesday 2026-12-23 at 16:30: Christmas Eve, Christmas Day (Friday), the weekend;
    # the next working morning is Monday the 28th.
    slot = next_free_slot({}, HOUR, at(2026, 12, 23, 16, 30), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-12-28 08:00", "09:00")


def test_holidays_are_looked_up_by_itself_when_not_given() -> None:
    # Friday 2026-06-19 is Midsummer Eve, a day off.
    slot = next_free_slot({}, HOUR, at(2026, 6, 19, 7))
    assert slot is not None
    assert local(slot) == ("2026-06-22 08:00", "09:00")


def test_working_hours_keep_to_the_wall_clock_across_a_daylight_saving_change() -> None:
    # Summer time starts on Sunday 2026-03-29: Friday 08:00 is 07:00 UTC, Monday 08:00 06:00 UTC.
    slot = next_free_slot({}, HOUR, at(2026, 3, 27, 16, 30), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-03-30 08:00", "09:00")
    assert slot.start == dt.datetime(2026, 3, 30, 6, tzinfo=dt.UTC)


def test_a_working_sunday_on_the_daylight_saving_day_keeps_its_hours() -> None:
    every_day = WorkingHours(weekdays=frozenset(range(7)))
    # Winter time on Sunday 2026-10-25: a 25-hour day, still 08:00-17:00 on the clock.
    blocks = working_intervals(every_day, dt.date(2026, 10, 25), dt.date(2026, 10, 25))
    assert [(s.astimezone(STOCKHOLM).hour, e.astimezone(STOCKHOLM).hour) for s, e in blocks] == [
        (8, 17)
    ]
    busy = {"a": [(at(2026, 10, 25, 8), at(2026, 10, 25, 16, 15))]}
    slot = next_free_slot(busy, dt.timedelta(minutes=45), at(2026, 10, 25, 0), every_day, set())
    assert slot is not None
    assert local(slot) == ("2026-10-25 16:15", "17:00")


def test_nothing_is_booked_across_the_lunch_break() -> None:
    hours = WorkingHours(lunch_start=dt.time(12), lunch_end=dt.time(13))
    busy = {"anna@x.se": [(at(2026, 11, 30, 8), at(2026, 11, 30, 11, 30))]}
    slot = next_free_slot(busy, HOUR, at(2026, 11, 30, 8), hours, DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-11-30 13:00", "14:00")
    short = next_free_slot(busy, dt.timedelta(minutes=30), at(2026, 11, 30, 8), hours, DAYS_OFF)
    assert short is not None
    assert local(short) == ("2026-11-30 11:30", "12:00")


def test_it_answers_none_when_nothing_is_free_within_the_horizon() -> None:
    busy = {"anna@x.se": [(at(2026, 11, 30, 0), at(2026, 12, 31, 0))]}
    assert next_free_slot(busy, HOUR, at(2026, 11, 30, 8), days_off=DAYS_OFF) is None
    # A longer horizon reaches past the busy month (31 December is New Year's Eve, a day off).
    found = next_free_slot(
        busy, HOUR, at(2026, 11, 30, 8), days_off=DAYS_OFF, horizon=dt.timedelta(days=60)
    )
    assert found is not None
    assert local(found) == ("2027-01-04 08:00", "09:00")


def test_a_duration_longer_than_the_working_day_is_refused() -> None:
    with pytest.raises(DurationTooLong) as refused:
        next_free_slot({}, dt.timedelta(hours=10), at(2026, 11, 30, 8), days_off=DAYS_OFF)
    assert refused.value.longest == dt.timedelta(hours=9)
    with_lunch = WorkingHours(lunch_start=dt.time(12), lunch_end=dt.time(13))
    with pytest.raises(DurationTooLong):
        next_free_slot({}, dt.timedelta(hours=5), at(2026, 11, 30, 8), with_lunch, DAYS_OFF)
    with pytest.raises(ValueError, match="positive"):
        next_free_slot({}, dt.timedelta(0), at(2026, 11, 30, 8), days_off=DAYS_OFF)


def test_it_walks_a_busy_month_of_many_participants_correctly() -> None:
    # Five people, each busy 08:00-16:00 every day of December but one (a different day
    # each): the hour after 16:00 is free for all of them every day, two hours never are.
    busy = {
        f"p{n}": [
            (at(2026, 12, day, 8), at(2026, 12, day, 16)) for day in range(1, 32) if day != n + 3
        ]
        for n in range(5)
    }
    slot = next_free_slot(busy, HOUR, at(2026, 12, 1, 8), days_off=DAYS_OFF)
    assert slot is not None
    assert local(slot) == ("2026-12-01 16:00", "17:00")
    two_hours = next_free_slot(busy, 2 * HOUR, at(2026, 12, 1, 8), days_off=DAYS_OFF)
    assert two_hours is None


def test_merge_joins_overlapping_and_touching_intervals() -> None:
    a, b, c, d = (at(2026, 12, 1, h) for h in (8, 9, 10, 11))
    assert merge([(c, d), (a, b), (b, c)]) == [(a, d)]
    assert merge([(a, b), (c, d), (b, b)]) == [(a, b), (c, d)]


def test_a_day_shows_each_participants_busy_blocks_within_working_hours() -> None:
    busy = {
        "anna@x.se": [
            (at(2026, 11, 30, 7), at(2026, 11, 30, 9)),
            (at(2026, 11, 30, 16), at(2026, 11, 30, 19)),
        ],
        "bo@x.se": [(at(2026, 11, 29, 0), at(2026, 12, 1, 0))],
    }
    day = day_availability(busy, dt.date(2026, 11, 30), WorkingHours(), DAYS_OFF)
    assert day.busy["anna@x.se"] == [
        (at(2026, 11, 30, 8), at(2026, 11, 30, 9)),
        (at(2026, 11, 30, 16), at(2026, 11, 30, 17)),
    ]
    assert day.busy["bo@x.se"] == [(at(2026, 11, 30, 8), at(2026, 11, 30, 17))]
    assert day.free == []
    off = day_availability(busy, dt.date(2026, 12, 25), WorkingHours(), DAYS_OFF)
    assert off.working == []
    assert off.busy == {"anna@x.se": [], "bo@x.se": []}
