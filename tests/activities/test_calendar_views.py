"""The calendar: what its window selector returns (private ones as busy, nothing of another
company, two queries), the day, week and month pages, the common calendar, and moving an
activity by drag and drop (the move endpoint and service)."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.core.exceptions import PermissionDenied, ValidationError

from skrivbord.activities import selectors, services
from skrivbord.activities.models import Activity, Status
from skrivbord.core import services as core_services
from tests.activities.base import ActivitiesTestCase, local

MONDAY = dt.date(2026, 11, 23)  # week 48
FRIDAY = dt.date(2026, 11, 27)


class CalendarSelectorTest(ActivitiesTestCase):
    def events(self, user: object = None, **kwargs: object) -> dict[str, object]:
        values: dict[str, object] = {
            "first": MONDAY,
            "last": FRIDAY,
            "employees": ["alice@acme.se"],
            "resource_ids": [],
        }
        values.update(kwargs)
        found = selectors.calendar_events(access=self.access(user or self.alice), **values)  # type: ignore[arg-type]
        return {event.subject: event for event in found}

    def test_it_returns_the_weeks_timed_all_day_and_dated_activities_of_the_people(self) -> None:
        self.make(subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.make(subject="Mässa", all_day=True, start_date=dt.date(2026, 11, 20), end_date=MONDAY)
        self.make(subject="Deklaration", type=self.type_("task"), due_date=FRIDAY)
        self.make(subject="Nästa vecka", start=local(2026, 11, 30, 9), end=local(2026, 11, 30, 10))
        self.make(subject="Uppgift utan dag", type=self.type_("task"))
        self.make(
            self.bob, subject="Bobs möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
        )
        events = self.events()
        self.assertEqual(set(events), {"Möte", "Mässa", "Deklaration"})
        self.assertTrue(events["Deklaration"].is_task)  # type: ignore[attr-defined]
        self.assertEqual(events["Möte"].columns, frozenset({"alice@acme.se"}))  # type: ignore[attr-defined]
        # Bob's own, and where Alice takes part.
        self.make(
            self.bob,
            subject="Med Alice",
            employees=["alice@acme.se"],
            start=local(2026, 11, 25, 13),
            end=local(2026, 11, 25, 14),
        )
        self.assertIn("Med Alice", self.events())
        self.assertIn("Bobs möte", self.events(employees=["bob@acme.se"]))

    def test_an_activity_across_the_weeks_start_is_included(self) -> None:
        self.make(subject="Natt", start=local(2026, 11, 22, 22), end=local(2026, 11, 23, 2))
        self.make(subject="Slutade söndag", start=local(2026, 11, 22, 20), end=local(2026, 11, 23))
        self.assertEqual(set(self.events()), {"Natt"})

    def test_another_persons_private_activity_is_busy_and_cannot_be_moved(self) -> None:
        self.make(
            subject="Läkarbesök",
            private=True,
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
        )
        for_bob = self.events(self.bob)
        self.assertEqual(set(for_bob), {"Busy"})
        busy = for_bob["Busy"]
        self.assertTrue(busy.busy)  # type: ignore[attr-defined]
        self.assertFalse(busy.movable)  # type: ignore[attr-defined]
        for_alice = self.events()
        self.assertIn("Läkarbesök", for_alice)
        self.assertTrue(for_alice["Läkarbesök"].movable)  # type: ignore[attr-defined]

    def test_a_participant_sees_the_private_activitys_details(self) -> None:
        self.make(
            subject="Lönesamtal",
            private=True,
            employees=["bob@acme.se"],
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
        )
        self.assertIn("Lönesamtal", self.events(self.bob))
        self.assertIn("Busy", self.events(self.rita))

    def test_resources_have_their_bookings(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        self.make(
            self.bob,
            subject="I rummet",
            resources=[room],
            start=local(2026, 11, 26, 9),
            end=local(2026, 11, 26, 10),
        )
        events = self.events(employees=[], resource_ids=[room.id])
        self.assertEqual(events["I rummet"].columns, frozenset({f"r:{room.id}"}))  # type: ignore[attr-defined]

    def test_cancelled_ones_come_marked(self) -> None:
        self.make(
            subject="Inställt",
            status=Status.CANCELLED,
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
        )
        self.assertTrue(self.events()["Inställt"].cancelled)  # type: ignore[attr-defined]

    def test_read_only_members_cannot_move(self) -> None:
        self.make(subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.assertFalse(self.events(self.rita)["Möte"].movable)  # type: ignore[attr-defined]

    def test_another_company_sees_nothing(self) -> None:
        self.make(subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        events = selectors.calendar_events(
            access=self.access(self.charlie, self.umbrella),
            first=MONDAY,
            last=FRIDAY,
            employees=["alice@acme.se", "charlie@umbrella.se"],
            resource_ids=[],
        )
        self.assertEqual(events, [])

    def test_two_queries_whatever_the_number(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Rummet")
        for n in range(30):
            self.make(
                subject=f"Möte {n}",
                employees=["bob@acme.se"],
                resources=[room] if n % 3 == 0 else [],
                start=local(2026, 11, 23 + n % 5, 8 + n % 9),
                end=local(2026, 11, 23 + n % 5, 8 + n % 9, 30),
            )
        access = self.access(self.bob)
        with self.assertNumQueries(2):
            events = selectors.calendar_events(
                access=access,
                first=MONDAY,
                last=FRIDAY,
                employees=["alice@acme.se", "bob@acme.se"],
                resource_ids=[room.id],
            )
        self.assertEqual(len(events), 30)


class CalendarPageTest(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for user in (self.alice, self.bob, self.rita, self.charlie):
            core_services.user_set_language(user=user, language="en")
        self.url = f"/c/{self.acme.id}/activities/calendar/"

    def test_the_week_view_shows_the_iso_week_holidays_and_events_in_local_time(self) -> None:
        self.make(subject="Julfika", start=local(2026, 12, 23, 15), end=local(2026, 12, 23, 16))
        self.login(self.alice)
        response = self.client.get(self.url, {"view": "week", "date": "2026-12-24"})
        self.assertContains(response, "Week 52, 2026")
        self.assertContains(response, "Christmas Eve")
        self.assertContains(response, "Christmas Day")
        self.assertContains(response, "Julfika")
        self.assertContains(response, "15:00–16:00")  # noqa: RUF001
        # The working week: Monday to Friday, the full week on request.
        self.assertNotContains(response, 'data-date="2026-12-27"')
        full = self.client.get(self.url, {"view": "week", "date": "2026-12-24", "full": "1"})
        self.assertContains(full, 'data-date="2026-12-27"')

    def test_week_53_and_the_new_year(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url, {"view": "week", "date": "2027-01-01"})
        self.assertContains(response, "Week 53, 2026")
        self.assertContains(response, "New Year&#x27;s Day")
        # Next goes to week 1 of 2027.
        self.assertContains(response, "date=2027-01-04")

    def test_swedish_users_see_swedish_holiday_names(self) -> None:
        core_services.user_set_language(user=self.bob, language="sv")
        self.login(self.bob)
        response = self.client.get(self.url, {"view": "week", "date": "2026-06-19", "full": "1"})
        self.assertContains(response, "Midsommarafton")
        self.assertContains(response, "Midsommardagen")
        december = self.client.get(self.url, {"view": "month", "date": "2026-12-01"})
        self.assertContains(december, "Juldagen")

    def test_a_malformed_or_far_off_date_shows_today(self) -> None:
        self.login(self.alice)
        today = selectors.today(self.access(self.alice))
        previous = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        for asked in ("9999-12-31", "0001-01-01", "igår"):
            response = self.client.get(self.url, {"view": "month", "date": asked})
            self.assertEqual(response.status_code, 200)
            # "Previous" is the month before this one.
            self.assertRegex(
                response.content.decode(), rf'href="[^"]*date={previous.isoformat()}" rel="prev"'
            )

    def test_the_month_view_has_week_numbers_and_holiday_names(self) -> None:
        self.make(subject="Midsommarfest", all_day=True, start_date=dt.date(2026, 6, 19))
        self.login(self.bob)
        response = self.client.get(self.url, {"view": "month", "date": "2026-06-10"})
        self.assertContains(response, "June 2026")
        self.assertContains(response, "Midsummer Eve")
        self.assertNotContains(response, "Midsommarfest")  # Alice's, not Bob's calendar
        for week in (23, 24, 25, 26, 27):
            self.assertContains(response, f'aria-label="Week {week}"')

    def test_today_is_highlighted(self) -> None:
        self.login(self.alice)
        today = selectors.today(self.access(self.alice))
        response = self.client.get(self.url, {"view": "day"})
        self.assertContains(response, 'class="cal-col cal-today', count=1)
        self.assertContains(response, f'data-date="{today.isoformat()}"')
        month = self.client.get(self.url, {"view": "month"})
        self.assertContains(month, 'aria-current="date"', count=1)

    def test_an_empty_slot_links_to_the_create_form_with_its_times(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url, {"view": "week", "date": "2026-11-24"})
        self.assertContains(response, "start=2026-11-24T09:00&amp;end=2026-11-24T09:30")
        form = self.client.get(
            f"/c/{self.acme.id}/activities/new/",
            {"start": "2026-11-24T09:00", "end": "2026-11-24T09:30", "responsible": "bob@acme.se"},
        )
        self.assertContains(form, 'value="2026-11-24T09:00"')
        self.assertContains(form, 'value="2026-11-24T09:30"')
        self.assertContains(form, '<option value="bob@acme.se" selected>')
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        form = self.client.get(
            f"/c/{self.acme.id}/activities/new/",
            {"start": "2026-11-24T09:00", "end": "2026-11-24T09:30", "resource": str(room.id)},
        )
        self.assertContains(form, f'<option value="{room.id}" selected>Stora rummet</option>')

    def test_saving_from_a_slot_goes_back_to_the_calendar(self) -> None:
        self.login(self.alice)
        back = f"{self.url}?view=week&date=2026-11-24"
        response = self.client.post(
            f"/c/{self.acme.id}/activities/new/?next={back.replace('&', '%26')}",
            {
                "type": self.type_().id,
                "subject": "Från kalendern",
                "start": "2026-11-24T09:00",
                "end": "2026-11-24T09:30",
                "status": "planned",
                "priority": "normal",
                "responsible": "alice@acme.se",
            },
        )
        self.assertRedirects(response, back, fetch_redirect_response=False)
        self.assertContains(self.client.get(back), "Från kalendern")
        # Not to another site.
        response = self.client.post(
            f"/c/{self.acme.id}/activities/new/?next=https://evil.example/",
            {
                "type": self.type_().id,
                "subject": "Igen",
                "start": "2026-11-24T10:00",
                "end": "2026-11-24T10:30",
                "status": "planned",
                "priority": "normal",
            },
        )
        self.assertFalse(response["Location"].startswith("https://evil"))

    def test_the_common_calendar_shows_the_chosen_and_remembers_them(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        self.make(
            self.bob, subject="Bobs möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
        )
        self.make(
            subject="Rumsbokning",
            resources=[room],
            start=local(2026, 11, 24, 11),
            end=local(2026, 11, 24, 12),
        )
        self.login(self.alice)
        mine = self.client.get(self.url, {"date": "2026-11-24"})
        self.assertNotContains(mine, "Bobs möte")
        common = self.client.get(
            self.url,
            {
                "date": "2026-11-24",
                "view": "day",
                "common": "1",
                "p": ["bob@acme.se", "charlie@umbrella.se"],
                "r": str(room.id),
            },
        )
        self.assertContains(common, "Bobs möte")
        self.assertContains(common, "Rumsbokning")
        # The day view's columns: the person and the resource, not a stranger.
        self.assertContains(common, 'data-key="bob@acme.se"')
        self.assertContains(common, f'data-key="r:{room.id}"')
        self.assertNotContains(common, "charlie@umbrella.se")
        # A slot of Bob's column plans for Bob; of the room's, books the room.
        self.assertContains(common, "responsible=bob%40acme.se")
        self.assertContains(common, f"resource={room.id}")
        # Remembered: the common calendar without a choice in the address shows the same,
        # and its links carry the choice (the address can be shared).
        again = self.client.get(self.url, {"date": "2026-11-24", "common": "1"})
        self.assertContains(again, "Bobs möte")
        self.assertContains(again, "p=bob%40acme.se")

    def test_read_only_members_see_the_calendar_without_slots_or_dragging(self) -> None:
        self.make(subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.login(self.rita)
        response = self.client.get(
            self.url, {"date": "2026-11-24", "common": "1", "p": "alice@acme.se"}
        )
        self.assertContains(response, "Möte")
        self.assertNotContains(response, "data-move-url")
        self.assertNotContains(response, 'class="cal-slot" href')

    def test_the_menu_has_the_calendar(self) -> None:
        self.login(self.rita)
        response = self.client.get(f"/c/{self.acme.id}/")
        self.assertContains(response, f'href="{self.url}"')

    def test_charlie_sees_nothing_of_acmes_calendar(self) -> None:
        activity = self.make(
            subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
        )
        self.login(self.charlie)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        move = self.client.post(
            f"/c/{self.acme.id}/activities/{activity.id}/move/",
            {"start": "2026-11-24T13:00", "end": "2026-11-24T14:00"},
        )
        self.assertEqual(move.status_code, 404)
        # Nor through his own company's address with Acme's activity.
        move = self.client.post(
            f"/c/{self.umbrella.id}/activities/{activity.id}/move/",
            {"start": "2026-11-24T13:00", "end": "2026-11-24T14:00"},
        )
        self.assertEqual(move.status_code, 404)
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 24, 9))

    def test_the_phone_gets_an_agenda_list(self) -> None:
        self.make(subject="Möte", start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.login(self.alice)
        response = self.client.get(self.url, {"date": "2026-11-24"})
        agenda = re.search(
            r'<section class="cal-agenda".*?</section>', response.content.decode(), re.S
        )
        assert agenda is not None
        self.assertIn("Möte", agenda.group())


class MoveTest(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for user in (self.alice, self.bob, self.rita):
            core_services.user_set_language(user=user, language="en")

    def move_url(self, activity: Activity) -> str:
        return f"/c/{self.acme.id}/activities/{activity.id}/move/"

    def test_dropping_stores_the_new_local_times(self) -> None:
        activity = self.make(start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.login(self.alice)
        response = self.client.post(
            self.move_url(activity), {"start": "2026-11-26T13:15", "end": "2026-11-26T14:45"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            json.loads(response.content), {"start": "2026-11-26T13:15", "end": "2026-11-26T14:45"}
        )
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 26, 13, 15))
        self.assertEqual(activity.end, local(2026, 11, 26, 14, 45))

    def test_a_double_booked_resource_is_refused_with_the_reason(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        self.make(
            subject="Först",
            resources=[room],
            start=local(2026, 11, 24, 13),
            end=local(2026, 11, 24, 14),
        )
        activity = self.make(
            subject="Sen",
            resources=[room],
            start=local(2026, 11, 24, 9),
            end=local(2026, 11, 24, 10),
        )
        self.login(self.alice)
        response = self.client.post(
            self.move_url(activity), {"start": "2026-11-24T13:30", "end": "2026-11-24T14:30"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Stora rummet is already booked then", json.loads(response.content)["error"])
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 24, 9))

    def test_an_end_before_the_start_or_garbage_is_refused(self) -> None:
        activity = self.make(start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.login(self.alice)
        response = self.client.post(
            self.move_url(activity), {"start": "2026-11-24T11:00", "end": "2026-11-24T10:00"}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("The end is before the start", json.loads(response.content)["error"])
        response = self.client.post(self.move_url(activity), {"start": "i morgon", "end": ""})
        self.assertEqual(response.status_code, 400)
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 24, 9))

    def test_rita_cannot_move(self) -> None:
        activity = self.make(start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        self.login(self.rita)
        response = self.client.post(
            self.move_url(activity), {"start": "2026-11-24T11:00", "end": "2026-11-24T12:00"}
        )
        self.assertEqual(response.status_code, 403)
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 24, 9))

    def test_another_persons_private_activity_cannot_be_moved(self) -> None:
        activity = self.make(
            private=True, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10)
        )
        self.login(self.bob)
        response = self.client.post(
            self.move_url(activity), {"start": "2026-11-24T11:00", "end": "2026-11-24T12:00"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("private", json.loads(response.content)["error"])
        activity.refresh_from_db()
        self.assertEqual(activity.start, local(2026, 11, 24, 9))

    def test_the_service_refuses_a_double_booking_and_saves_nothing(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Bilen")
        self.make(
            self.bob,
            subject="Kundbesök",
            resources=[room],
            start=local(2026, 11, 25, 8),
            end=local(2026, 11, 25, 12),
        )
        trip = self.make(
            subject="Leverans",
            resources=[room],
            start=local(2026, 11, 24, 8),
            end=local(2026, 11, 24, 12),
        )
        with self.assertRaises(ValidationError) as refused:
            services.activity_move(
                access=self.access(self.alice),
                activity=trip,
                start=local(2026, 11, 25, 11),
                end=local(2026, 11, 25, 13),
            )
        self.assertIn("Bilen is already booked then", str(refused.exception.messages))
        trip.refresh_from_db()
        self.assertEqual((trip.start, trip.end), (local(2026, 11, 24, 8), local(2026, 11, 24, 12)))
        # Back to back is fine.
        services.activity_move(
            access=self.access(self.alice),
            activity=trip,
            start=local(2026, 11, 25, 12),
            end=local(2026, 11, 25, 13),
        )
        trip.refresh_from_db()
        self.assertEqual(trip.start, local(2026, 11, 25, 12))

    def test_the_service_refuses_what_has_no_times(self) -> None:
        task = self.make(type=self.type_("task"), due_date=FRIDAY)
        with self.assertRaises(ValidationError):
            services.activity_move(
                access=self.access(self.alice),
                activity=task,
                start=local(2026, 11, 24, 9),
                end=local(2026, 11, 24, 10),
            )
        activity = self.make(start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 10))
        with self.assertRaises(PermissionDenied):
            services.activity_move(
                access=self.access(self.rita),
                activity=activity,
                start=local(2026, 11, 24, 11),
                end=local(2026, 11, 24, 12),
            )
