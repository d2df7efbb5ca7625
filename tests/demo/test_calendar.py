"""The demo company's calendar: realistic, deterministic, written through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter

from django.test import TestCase

from skrivbord.activities import selectors
from skrivbord.activities.models import Activity, Participant, Status
from skrivbord.core.access import company_access
from skrivbord.core.models import Membership
from skrivbord.demo.calendar import EMPLOYEES, demo_calendar_load, generate_calendar
from skrivbord.demo.loader import demo_load
from skrivbord.sync.models import SyncChange

# Thursday 2026-11-26, 13:00 in Stockholm.
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
PEOPLE = ("demo@skrivbord.se", *(email for email, _name in EMPLOYEES))
CONTACTS = ("Bygg & Montage AB", "Nordic Trä AB", "Fjällvägen Konsult HB")


def overlapping(spans: list[tuple[dt.datetime, dt.datetime]]) -> list[tuple[object, object]]:
    spans = sorted(spans)
    return [(a, b) for a, b in itertools.pairwise(spans) if b[0] < a[1]]


def test_the_same_seed_gives_the_same_calendar() -> None:
    first = generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW)
    assert first == generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW)
    assert first != generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW, seed=1)


def test_it_spreads_meetings_calls_and_tasks_over_the_current_weeks() -> None:
    plan = generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW)
    kinds = Counter(item.type_key for item in plan)
    assert kinds["meeting"] > 100
    assert kinds["call"] > 50
    assert kinds["task"] + kinds["todo"] + kinds["email"] + kinds["letter"] > 30
    days = {item.start.date() for item in plan if item.start}
    assert min(days) <= dt.date(2026, 11, 5)  # three weeks back
    assert max(days) >= dt.date(2026, 12, 15)  # four ahead
    assert {item.responsible for item in plan} == set(PEOPLE)
    assert any(item.contact for item in plan)
    assert any(item.private for item in plan)
    assert any(item.all_day for item in plan)
    for item in plan:
        if item.start:
            local = item.start.astimezone(item.start.tzinfo)
            assert local.weekday() < 5
            assert dt.time(8) <= local.time()
            assert item.end is not None
            assert item.end.time() <= dt.time(17)


def test_past_activities_are_mostly_done_with_a_few_overdue_and_future_ones_planned() -> None:
    plan = generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW)
    past = Counter(item.status for item in plan if item.end and item.end <= NOW)
    future = Counter(item.status for item in plan if item.start and item.start > NOW)
    assert past["done"] > 0.8 * sum(past.values())
    assert past["planned"] > 0  # overdue
    assert future["done"] == 0
    assert future["planned"] > 0.9 * sum(future.values())


def test_no_person_and_no_resource_is_booked_twice_at_once() -> None:
    plan = generate_calendar(people=PEOPLE, contacts=CONTACTS, now=NOW)
    booked: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {}
    for item in plan:
        if item.start and item.end:
            for name in (item.responsible, *item.employees, *item.resources):
                booked.setdefault(name, []).append((item.start, item.end))
    assert {"Konferensrummet", "Lilla mötesrummet", "Firmabilen"} <= set(booked)
    for name, spans in booked.items():
        assert overlapping(spans) == [], name


class DemoCalendarLoadTest(TestCase):
    def test_the_demo_company_gets_a_calendar_through_the_services(self) -> None:
        summary = demo_load()
        started = time.perf_counter()
        result = demo_calendar_load(company=summary.company, user=summary.user, now=NOW)
        seconds = time.perf_counter() - started
        activities = Activity.objects.filter(company=summary.company)
        self.assertEqual(activities.count(), result.activities)
        self.assertGreater(result.activities, 300)
        # The employees are members, so the form offers them and the services accept them.
        members = set(
            Membership.objects.filter(company=summary.company).values_list("user__email", flat=True)
        )
        self.assertLessEqual({email for email, _name in EMPLOYEES}, members)
        # Captured for the sync like any write.
        self.assertEqual(
            SyncChange.objects.filter(entity="activities.activity").count(), result.activities
        )
        # Some with contacts, some done, some overdue.
        self.assertTrue(activities.filter(contact__isnull=False).exists())
        self.assertTrue(activities.filter(status=Status.DONE).exists())
        access = company_access(summary.user, summary.company.id)
        self.assertIsNotNone(seconds)
        self.assertTrue(selectors.activity_list(access=access).exists())

    def test_no_resource_is_double_booked_in_the_database(self) -> None:
        summary = demo_load()
        demo_calendar_load(company=summary.company, user=summary.user, now=NOW)
        spans: dict[object, list[tuple[dt.datetime, dt.datetime]]] = {}
        for resource_id, start, end in (
            Participant.objects.filter(
                company=summary.company, resource__isnull=False, activity__all_day=False
            )
            .exclude(activity__status=Status.CANCELLED)
            .values_list("resource_id", "activity__start", "activity__end")
        ):
            spans.setdefault(resource_id, []).append((start, end))
        self.assertEqual(len(spans), 3)
        for found in spans.values():
            self.assertEqual(overlapping(found), [])

    def test_a_second_run_adds_nothing(self) -> None:
        summary = demo_load()
        first = demo_calendar_load(company=summary.company, user=summary.user, now=NOW)
        again = demo_calendar_load(company=summary.company, user=summary.user, now=NOW)
        self.assertEqual(again.activities, 0)
        self.assertEqual(Activity.objects.filter(company=summary.company).count(), first.activities)
