"""Who is busy when, as the selectors read it, and the next free slot over the database."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from skrivbord.activities import availability, selectors, services
from skrivbord.activities.models import Status, WorkingHours
from skrivbord.core import services as core_services
from tests.activities.base import ActivitiesTestCase, local

MONDAY = dt.date(2026, 11, 30)


class BusyTest(ActivitiesTestCase):
    def busy(self, *emails: str, resources: tuple[str, ...] = (), user: object = None) -> dict:
        return selectors.busy_blocks(
            access=self.access(user or self.alice),  # type: ignore[arg-type]
            employees=emails,
            resources=resources,
            start=local(2026, 11, 30),
            end=local(2026, 12, 1),
        )

    def test_it_counts_what_someone_is_responsible_for_and_takes_part_in(self) -> None:
        self.make(subject="Eget", start=local(2026, 11, 30, 9), end=local(2026, 11, 30, 10))
        self.make(
            self.bob,
            subject="Bobs möte",
            start=local(2026, 11, 30, 13),
            end=local(2026, 11, 30, 14),
            employees=["alice@acme.se"],
        )
        found = self.busy("alice@acme.se", "bob@acme.se")
        self.assertEqual([b.subject for b in found["alice@acme.se"]], ["Eget", "Bobs möte"])
        self.assertEqual([b.subject for b in found["bob@acme.se"]], ["Bobs möte"])

    def test_another_persons_private_activity_counts_as_busy_without_its_subject(self) -> None:
        self.make(
            self.bob,
            subject="Tandläkaren",
            private=True,
            start=local(2026, 11, 30, 9),
            end=local(2026, 11, 30, 10),
        )
        [block] = self.busy("bob@acme.se")["bob@acme.se"]
        self.assertIsNone(block.subject)
        self.assertEqual(
            (block.start, block.end), (local(2026, 11, 30, 9), local(2026, 11, 30, 10))
        )
        [own] = self.busy("bob@acme.se", user=self.bob)["bob@acme.se"]
        self.assertEqual(own.subject, "Tandläkaren")

    def test_cancelled_activities_book_nothing_but_done_ones_do(self) -> None:
        self.make(
            subject="Inställt",
            status=Status.CANCELLED,
            start=local(2026, 11, 30, 9),
            end=local(2026, 11, 30, 10),
        )
        self.make(
            subject="Klart",
            status=Status.DONE,
            start=local(2026, 11, 30, 11),
            end=local(2026, 11, 30, 12),
        )
        self.assertEqual(
            [b.subject for b in self.busy("alice@acme.se")["alice@acme.se"]], ["Klart"]
        )

    def test_an_all_day_activity_blocks_the_whole_day(self) -> None:
        self.make(subject="Mässa", all_day=True, start_date=MONDAY, end_date=MONDAY)
        [block] = self.busy("alice@acme.se")["alice@acme.se"]
        self.assertEqual((block.start, block.end), (local(2026, 11, 30), local(2026, 12, 1)))

    def test_a_resource_is_busy_while_it_is_booked(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        self.make(
            self.bob,
            subject="Styrelsemöte",
            start=local(2026, 11, 30, 10),
            end=local(2026, 11, 30, 12),
            resources=[room],
        )
        found = self.busy(resources=(str(room.id),))
        self.assertEqual([b.subject for b in found[str(room.id)]], ["Styrelsemöte"])

    def test_another_companys_activities_are_never_counted(self) -> None:
        charlie = self.access(self.charlie, self.umbrella)
        core_services.membership_set(user=self.alice, company=self.umbrella, role="user")
        services.activity_create(
            access=charlie,
            type=self.type_("meeting", self.umbrella),
            subject="Umbrellas möte",
            start=local(2026, 11, 30, 9),
            end=local(2026, 11, 30, 10),
            employees=["alice@acme.se"],
        )
        self.assertEqual(self.busy("alice@acme.se")["alice@acme.se"], [])

    def test_it_reads_everyone_in_one_query(self) -> None:
        for hour in (8, 10, 12, 14):
            self.make(
                start=local(2026, 11, 30, hour),
                end=local(2026, 11, 30, hour + 1),
                employees=["bob@acme.se", "rita@acme.se"],
            )
        access = self.access(self.alice)
        with self.assertNumQueries(1):
            found = selectors.busy_blocks(
                access=access,
                employees=["alice@acme.se", "bob@acme.se", "rita@acme.se"],
                start=local(2026, 11, 30),
                end=local(2026, 12, 1),
            )
        self.assertEqual([len(found[key]) for key in sorted(found)], [4, 4, 4])


class FreeSlotTest(ActivitiesTestCase):
    def test_it_finds_the_first_hour_everyone_and_the_room_are_free(self) -> None:
        access = self.access(self.alice)
        room = services.resource_create(access=access, name="Rummet")
        self.make(start=local(2026, 11, 30, 8), end=local(2026, 11, 30, 9))
        self.make(
            self.bob, start=local(2026, 11, 30, 9), end=local(2026, 11, 30, 10, 30), private=True
        )
        self.make(self.bob, start=local(2026, 11, 30, 11), end=local(2026, 11, 30, 12))
        self.make(
            self.bob,
            subject="Annat",
            start=local(2026, 11, 30, 12),
            end=local(2026, 11, 30, 13),
            resources=[room],
            employees=[],
            responsible="rita@acme.se",
        )
        slot = selectors.free_slot(
            access=access,
            employees=["alice@acme.se", "bob@acme.se"],
            resources=[room.id],
            duration=dt.timedelta(hours=1),
            after=local(2026, 11, 30, 7),
        )
        self.assertIsNotNone(slot)
        assert slot is not None
        self.assertEqual((slot.start, slot.end), (local(2026, 11, 30, 13), local(2026, 11, 30, 14)))

    def test_it_keeps_to_the_working_hours_the_company_set(self) -> None:
        access = self.access(self.alice)
        services.working_hours_set(
            access=access,
            weekdays="2345",
            day_start=dt.time(9),
            day_end=dt.time(15),
            lunch_start=dt.time(12),
            lunch_end=dt.time(12, 30),
        )
        slot = selectors.free_slot(
            access=access,
            employees=["alice@acme.se"],
            duration=dt.timedelta(hours=2),
            after=local(2026, 11, 30, 7),
        )
        assert slot is not None
        # Monday is not a working day; Tuesday 09:00-11:00 fits before lunch.
        self.assertEqual((slot.start, slot.end), (local(2026, 12, 1, 9), local(2026, 12, 1, 11)))
        with self.assertRaises(availability.DurationTooLong):
            selectors.free_slot(
                access=access,
                employees=["alice@acme.se"],
                duration=dt.timedelta(hours=3, minutes=15),
                after=local(2026, 11, 30, 7),
            )


class WorkingHoursTest(ActivitiesTestCase):
    def test_a_company_without_settings_works_eight_to_five_monday_to_friday(self) -> None:
        hours = selectors.working_hours(self.access(self.rita))
        self.assertEqual(
            (hours.weekdays, hours.day_start, hours.day_end, hours.has_lunch, hours.time_zone),
            (frozenset({0, 1, 2, 3, 4}), dt.time(8), dt.time(17), False, "Europe/Stockholm"),
        )

    def test_an_administrator_sets_them_and_a_second_change_edits_the_same_row(self) -> None:
        access = self.access(self.alice)
        services.working_hours_set(access=access, weekdays=[1, 2, 3, 4], day_start=dt.time(7))
        services.working_hours_set(access=access, day_end=dt.time(16))
        row = WorkingHours.objects.get(company=self.acme)
        self.assertEqual(row.id, services.working_hours_id(self.acme))
        hours = selectors.working_hours(access)
        self.assertEqual(
            (hours.weekdays, hours.day_start, hours.day_end),
            (frozenset({0, 1, 2, 3}), dt.time(7), dt.time(16)),
        )

    def test_impossible_hours_are_refused_and_nothing_is_saved(self) -> None:
        access = self.access(self.alice)
        cases = [
            ({"day_start": dt.time(17), "day_end": dt.time(8)}, "day_end"),
            ({"weekdays": ""}, "weekdays"),
            ({"lunch_start": dt.time(12)}, "lunch_end"),
            ({"lunch_start": dt.time(7), "lunch_end": dt.time(7, 30)}, "lunch_start"),
            ({"lunch_start": dt.time(13), "lunch_end": dt.time(12)}, "lunch_end"),
        ]
        for values, field in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError) as refused:
                services.working_hours_set(access=access, **values)
            self.assertIn(field, refused.exception.message_dict)
        self.assertFalse(WorkingHours.objects.filter(company=self.acme).exists())

    def test_only_administrators_may_change_them(self) -> None:
        for user in (self.bob, self.rita):
            with self.subTest(user=user.email), self.assertRaises(PermissionDenied):
                services.working_hours_set(access=self.access(user), day_start=dt.time(7))
        self.assertFalse(WorkingHours.objects.filter(company=self.acme).exists())

    def test_a_row_made_impossible_by_a_merge_reads_as_the_default_hours(self) -> None:
        # Two nodes' edits can combine into what the services refuse: the office moved the
        # day's end, online its start.
        WorkingHours.objects.create(company=self.acme, day_start=10 * 60, day_end=9 * 60)
        hours = selectors.working_hours(self.access(self.alice))
        self.assertEqual((hours.day_start, hours.day_end), (dt.time(8), dt.time(17)))
