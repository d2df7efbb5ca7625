"""The calendar's layout, without a database: days and ISO weeks, holidays, lanes, the band."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from unittest import TestCase

from skrivbord.activities import calendar
from skrivbord.activities.calendar import Event

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
UTC = dt.UTC


def at(day: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=STOCKHOLM)


def timed(key: str, day: str, start: str, end: str, end_day: str | None = None) -> Event:
    return Event(key=key, subject=key, start=at(day, start), end=at(end_day or day, end))


class WeeksTest(TestCase):
    def test_it_numbers_weeks_the_iso_way_across_the_new_year(self) -> None:
        self.assertEqual(calendar.iso_week(dt.date(2026, 11, 27)), (2026, 48))
        # 2026 has 53 weeks: its last days and the first days of 2027 are week 53 of 2026.
        self.assertEqual(calendar.iso_week(dt.date(2026, 12, 31)), (2026, 53))
        self.assertEqual(calendar.iso_week(dt.date(2027, 1, 3)), (2026, 53))
        self.assertEqual(calendar.iso_week(dt.date(2027, 1, 4)), (2027, 1))
        # 2024-12-30 (a Monday) is already week 1 of 2025.
        self.assertEqual(calendar.iso_week(dt.date(2024, 12, 30)), (2025, 1))

    def test_it_shows_the_working_week_or_the_full_week(self) -> None:
        days = calendar.week_days(dt.date(2026, 11, 27))
        self.assertEqual(days[0], dt.date(2026, 11, 23))
        self.assertEqual(len(days), 5)
        self.assertEqual(
            calendar.week_days(dt.date(2026, 11, 29), full=True)[-1], dt.date(2026, 11, 29)
        )

    def test_a_month_is_whole_weeks_monday_to_sunday_with_their_numbers(self) -> None:
        weeks = calendar.month_weeks(dt.date(2026, 12, 15))
        self.assertEqual(weeks[0].days[0], dt.date(2026, 11, 30))
        self.assertEqual(weeks[-1].days[-1], dt.date(2027, 1, 3))
        self.assertEqual([w.number for w in weeks], [49, 50, 51, 52, 53])
        self.assertTrue(all(len(w.days) == 7 for w in weeks))
        # February 2027 begins on a Monday and fills exactly four weeks.
        self.assertEqual(len(calendar.month_weeks(dt.date(2027, 2, 1))), 4)

    def test_previous_and_next_pages(self) -> None:
        self.assertEqual(calendar.step("week", dt.date(2026, 12, 30), 1), dt.date(2027, 1, 4))
        self.assertEqual(calendar.step("month", dt.date(2026, 12, 31), 1), dt.date(2027, 1, 1))
        self.assertEqual(calendar.step("month", dt.date(2027, 1, 31), -1), dt.date(2026, 12, 1))
        self.assertEqual(calendar.step("day", dt.date(2027, 1, 1), -1), dt.date(2026, 12, 31))


class HolidaysTest(TestCase):
    def test_it_names_swedish_holidays_and_eves_in_swedish_and_english(self) -> None:
        days = calendar.shown_days("month", dt.date(2026, 6, 1))
        names = calendar.holiday_names(days, "sv")
        self.assertEqual(names[dt.date(2026, 6, 19)], "Midsommarafton")
        self.assertEqual(names[dt.date(2026, 6, 20)], "Midsommardagen")
        self.assertEqual(names[dt.date(2026, 6, 6)], "Nationaldagen")
        december = calendar.holiday_names(calendar.shown_days("month", dt.date(2026, 12, 1)))
        self.assertEqual(december[dt.date(2026, 12, 25)], "Juldagen")
        self.assertEqual(december[dt.date(2026, 12, 24)], "Julafton")
        english = calendar.holiday_names([dt.date(2026, 12, 25)], "en")
        self.assertEqual(english, {dt.date(2026, 12, 25): "Christmas Day"})

    def test_an_ordinary_sunday_is_not_a_holiday(self) -> None:
        self.assertEqual(calendar.holiday_names([dt.date(2026, 11, 29)], "sv"), {})


class LanesTest(TestCase):
    def column(self, *events: Event, day: str = "2026-11-24") -> dict[str, calendar.Placed]:
        placed = calendar.day_column("", dt.date.fromisoformat(day), events, STOCKHOLM).placed
        return {p.event.key: p for p in placed}

    def test_overlapping_events_go_side_by_side_and_others_keep_the_full_width(self) -> None:
        parts = self.column(
            timed("a", "2026-11-24", "09:00", "10:00"),
            timed("b", "2026-11-24", "09:30", "11:00"),
            timed("c", "2026-11-24", "10:00", "10:30"),
            timed("d", "2026-11-24", "13:00", "14:00"),
        )
        self.assertEqual((parts["a"].lane, parts["a"].lanes), (0, 2))
        self.assertEqual((parts["b"].lane, parts["b"].lanes), (1, 2))
        # c starts when a ends: it takes a's lane, in the same group of two.
        self.assertEqual((parts["c"].lane, parts["c"].lanes), (0, 2))
        self.assertEqual((parts["d"].lane, parts["d"].lanes), (0, 1))
        self.assertEqual((parts["a"].top, parts["a"].bottom), (540, 600))

    def test_back_to_back_events_do_not_share_the_width(self) -> None:
        parts = self.column(
            timed("a", "2026-11-24", "09:00", "10:00"), timed("b", "2026-11-24", "10:00", "11:00")
        )
        self.assertEqual({p.lanes for p in parts.values()}, {1})

    def test_three_at_once_get_three_lanes(self) -> None:
        parts = self.column(
            *(timed(key, "2026-11-24", "09:00", "10:00") for key in ("x", "y", "z"))
        )
        self.assertEqual(sorted(p.lane for p in parts.values()), [0, 1, 2])
        self.assertEqual({p.lanes for p in parts.values()}, {3})

    def test_an_event_across_midnight_shows_on_both_days(self) -> None:
        late = timed("late", "2026-11-24", "22:00", "02:00", end_day="2026-11-25")
        first = self.column(late)["late"]
        second = self.column(late, day="2026-11-25")["late"]
        self.assertEqual((first.top, first.bottom, first.ends_after), (1320, 1440, True))
        self.assertEqual((second.top, second.bottom, second.starts_before), (0, 120, True))
        self.assertEqual(self.column(late, day="2026-11-26"), {})

    def test_an_event_ending_at_midnight_stays_on_its_day(self) -> None:
        evening = timed("e", "2026-11-24", "20:00", "00:00", end_day="2026-11-25")
        self.assertEqual(self.column(evening)["e"].bottom, 1440)
        self.assertFalse(self.column(evening)["e"].ends_after)
        self.assertEqual(self.column(evening, day="2026-11-25"), {})

    def test_times_are_laid_out_in_the_zone_given(self) -> None:
        # 08:00 UTC is 09:00 in Stockholm in November.
        event = Event(
            key="u",
            subject="u",
            start=dt.datetime(2026, 11, 24, 8, tzinfo=UTC),
            end=dt.datetime(2026, 11, 24, 9, tzinfo=UTC),
        )
        self.assertEqual(self.column(event)["u"].top, 540)

    def test_daylight_saving_days_keep_the_clock_positions(self) -> None:
        # 2026-03-29: 02:00 becomes 03:00. An event 01:30-03:30 (one real hour) spans the
        # clock positions it shows.
        spring = Event(
            key="s",
            subject="s",
            start=dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            end=dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        )
        part = self.column(spring, day="2026-03-29")["s"]
        self.assertEqual((part.top, part.bottom), (90, 210))
        # 2026-10-25: 03:00 becomes 02:00 again. 02:30 summer time to 02:30 winter time is an
        # hour that the clock does not show: it keeps the least height, it does not vanish.
        autumn = Event(
            key="f",
            subject="f",
            start=dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            end=dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        )
        part = self.column(autumn, day="2026-10-25")["f"]
        self.assertEqual((part.top, part.bottom), (150, 150 + calendar.MIN_MINUTES))
        # And the evening of that 25-hour day is where the clock says.
        evening = Event(
            key="v",
            subject="v",
            start=dt.datetime(2026, 10, 25, 17, tzinfo=UTC),
            end=dt.datetime(2026, 10, 25, 18, tzinfo=UTC),
        )
        self.assertEqual(self.column(evening, day="2026-10-25")["v"].top, 18 * 60)

    def test_the_grid_widens_to_hold_early_and_late_events(self) -> None:
        columns = [
            calendar.day_column(
                "", dt.date(2026, 11, 24), [timed("a", "2026-11-24", "06:30", "07:00")], STOCKHOLM
            ),
            calendar.day_column(
                "", dt.date(2026, 11, 25), [timed("b", "2026-11-25", "18:00", "19:15")], STOCKHOLM
            ),
        ]
        self.assertEqual(calendar.hours_shown(columns), (6, 20))
        self.assertEqual(calendar.hours_shown([]), (8, 17))


class BandTest(TestCase):
    days = calendar.week_days(dt.date(2026, 11, 24), full=True)

    def test_all_day_multi_day_and_tasks_go_to_the_band_on_free_rows(self) -> None:
        trip = Event(
            key="trip",
            subject="Mässa",
            first_day=dt.date(2026, 11, 22),
            last_day=dt.date(2026, 11, 25),
        )
        task = Event(key="task", subject="Deklaration", due=dt.date(2026, 11, 24), is_task=True)
        later = Event(key="later", subject="Kurs", first_day=dt.date(2026, 11, 26))
        long_timed = timed("conf", "2026-11-26", "09:00", "12:00", end_day="2026-11-28")
        short = timed("short", "2026-11-24", "09:00", "10:00")
        placed = {
            p.event.key: p
            for p in calendar.band([trip, task, later, long_timed, short], self.days, STOCKHOLM)
        }
        self.assertNotIn("short", placed)
        # The trip began the week before: from Monday, three days, marked as continuing.
        self.assertEqual((placed["trip"].first, placed["trip"].span, placed["trip"].row), (0, 3, 0))
        self.assertTrue(placed["trip"].starts_before)
        # The task's Tuesday is taken on the first row: the second row.
        self.assertEqual((placed["task"].first, placed["task"].span, placed["task"].row), (1, 1, 1))
        # A timed event of two days and more is a band item over its days; the longer one
        # starting on Thursday keeps the top row, the one-day course goes below it.
        self.assertEqual((placed["conf"].first, placed["conf"].span, placed["conf"].row), (3, 3, 0))
        self.assertEqual((placed["later"].first, placed["later"].row), (3, 1))

    def test_by_day_lists_the_band_first_then_by_time(self) -> None:
        days = calendar.week_days(dt.date(2026, 11, 24))
        items = calendar.by_day(
            [
                timed("b", "2026-11-24", "11:00", "12:00"),
                timed("a", "2026-11-24", "08:00", "09:00"),
                Event(key="t", subject="t", due=dt.date(2026, 11, 24), is_task=True),
            ],
            days,
            STOCKHOLM,
        )
        self.assertEqual([e.key for e in items[dt.date(2026, 11, 24)]], ["t", "a", "b"])
        self.assertEqual(items[dt.date(2026, 11, 25)], [])
