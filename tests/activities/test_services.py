"""Activities as a spec: what can be planned, and what is refused with a clear message."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from skrivbord.activities import selectors, services
from skrivbord.activities.models import Activity, ActivityType, Participant, Resource, Status
from skrivbord.contacts import services as contact_services
from skrivbord.core import services as core_services
from tests.activities.base import ActivitiesTestCase, local


class DefaultTypesTest(ActivitiesTestCase):
    def test_every_company_gets_the_default_types(self) -> None:
        keys = list(
            ActivityType.objects.filter(company=self.acme)
            .order_by("order")
            .values_list("key", flat=True)
        )
        self.assertEqual(keys, ["meeting", "call", "email", "task", "todo", "letter", "other"])
        self.assertEqual(ActivityType.objects.filter(company=self.umbrella).count(), 7)

    def test_the_types_say_calendar_or_task_list(self) -> None:
        self.assertEqual(self.type_("meeting").shows_in, "calendar")
        self.assertEqual(self.type_("task").shows_in, "tasks")

    def test_default_type_ids_are_the_same_for_the_same_company_on_another_node(self) -> None:
        # Same organisation number, another company row (as the online copy would be).
        self.assertEqual(
            services.default_type_id(self.acme, "call"),
            self.type_("call").id,
        )

    def test_a_second_company_with_the_same_number_still_gets_its_types(self) -> None:
        twin = core_services.company_create(name="Acme kopia", org_number="556036-0793")
        self.assertEqual(ActivityType.objects.filter(company=twin).count(), 7)

    def test_a_type_can_be_renamed_and_moved_to_the_task_list_but_keeps_its_key(self) -> None:
        access = self.access(self.alice)
        call = self.type_("call")
        services.activity_type_update(
            access=access, activity_type=call, name="Samtal", shows_in="tasks"
        )
        call.refresh_from_db()
        self.assertEqual((call.display_name, call.shows_in, call.key), ("Samtal", "tasks", "call"))
        with self.assertRaises(ValidationError):
            services.activity_type_update(access=access, activity_type=call, key="phone")

    def test_only_an_administrator_configures_types_and_resources(self) -> None:
        bob = self.access(self.bob)
        with self.assertRaises(PermissionDenied):
            services.activity_type_update(access=bob, activity_type=self.type_("call"), name="X")
        with self.assertRaises(PermissionDenied):
            services.resource_create(access=bob, name="Bilen")
        self.assertFalse(Resource.objects.filter(name="Bilen").exists())
        self.assertEqual(self.type_("call").name, "")


class ActivityCreateTest(ActivitiesTestCase):
    def test_a_meeting_is_stored_in_utc(self) -> None:
        activity = self.make(start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
        activity.refresh_from_db()
        self.assertEqual(activity.start, dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC))
        self.assertEqual(activity.responsible, "alice@acme.se")
        self.assertEqual(activity.status, Status.PLANNED)

    def test_a_time_without_a_zone_is_the_company_time(self) -> None:
        activity = self.make(start=dt.datetime(2026, 7, 1, 9), end=dt.datetime(2026, 7, 1, 10))
        self.assertEqual(activity.start, dt.datetime(2026, 7, 1, 7, tzinfo=dt.UTC))

    def test_end_before_start_is_refused_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.make(start=local(2026, 12, 1, 10), end=local(2026, 12, 1, 9))
        self.assertEqual(caught.exception.message_dict["end"], ["The end is before the start."])
        self.assertFalse(Activity.objects.exists())

    def test_an_all_day_activity_with_times_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.make(all_day=True, start_date=dt.date(2026, 12, 1), start=local(2026, 12, 1, 9))
        self.assertIn("start", caught.exception.message_dict)
        self.assertFalse(Activity.objects.exists())

    def test_an_all_day_activity_lasts_its_first_day_unless_told(self) -> None:
        activity = self.make(all_day=True, start_date=dt.date(2026, 12, 1))
        self.assertEqual(activity.end_date, dt.date(2026, 12, 1))

    def test_the_last_day_before_the_first_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.make(all_day=True, start_date=dt.date(2026, 12, 2), end_date=dt.date(2026, 12, 1))
        self.assertIn("end_date", caught.exception.message_dict)

    def test_a_task_has_only_a_due_date(self) -> None:
        activity = self.make(type=self.type_("task"), due_date=dt.date(2026, 12, 3))
        self.assertIsNone(activity.start)

    def test_the_contact_person_must_be_of_the_contact(self) -> None:
        access = self.access(self.alice)
        acme_kund = contact_services.contact_create(access=access, name="Kund AB")
        other = contact_services.contact_create(access=access, name="Annan AB")
        person = contact_services.contact_person_create(
            access=access, contact=other, first_name="Per"
        )
        with self.assertRaises(ValidationError) as caught:
            self.make(contact=acme_kund, contact_person=person)
        self.assertEqual(
            caught.exception.message_dict["contact_person"],
            ["Per is not a contact person of Kund AB."],
        )
        self.assertFalse(Activity.objects.exists())

    def test_a_contact_of_another_company_is_refused(self) -> None:
        theirs = contact_services.contact_create(
            access=self.access(self.charlie, self.umbrella), name="X"
        )
        with self.assertRaises(ValidationError):
            self.make(contact=theirs)

    def test_participants_are_employees_or_resources(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        activity = self.make(
            start=local(2026, 12, 1, 9),
            end=local(2026, 12, 1, 10),
            employees=["bob@acme.se"],
            resources=[room],
        )
        self.assertEqual(
            sorted((p.employee, p.resource_id) for p in activity.participants.all()),
            [("", room.id), ("bob@acme.se", None)],
        )

    def test_a_participant_who_is_no_employee_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.make(employees=["charlie@umbrella.se"])
        self.assertIn("employees", caught.exception.message_dict)

    def test_a_resource_cannot_be_double_booked(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Stora rummet")
        self.make(start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10), resources=[room])
        with self.assertRaises(ValidationError) as caught:
            self.make(
                user=self.bob,
                subject="Krock",
                start=local(2026, 12, 1, 9, 30),
                end=local(2026, 12, 1, 11),
                resources=[room],
            )
        self.assertEqual(
            caught.exception.message_dict["resources"],
            ["Stora rummet is already booked then (2026-12-01 09:00–10:00)."],  # noqa: RUF001
        )
        self.assertEqual(Activity.objects.count(), 1)
        # Back to back is fine, and so is a cancelled booking's time.
        self.make(start=local(2026, 12, 1, 10), end=local(2026, 12, 1, 11), resources=[room])

    def test_an_all_day_booking_blocks_the_resource_all_day(self) -> None:
        car = services.resource_create(access=self.access(self.alice), name="Bilen", kind="car")
        self.make(all_day=True, start_date=dt.date(2026, 12, 1), resources=[car])
        with self.assertRaises(ValidationError):
            self.make(start=local(2026, 12, 1, 23), end=local(2026, 12, 1, 23, 30), resources=[car])
        self.make(start=local(2026, 12, 2, 0), end=local(2026, 12, 2, 1), resources=[car])

    def test_read_only_members_cannot_plan(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.make(user=self.rita)


class ActivityUpdateTest(ActivitiesTestCase):
    def test_an_update_writes_only_what_changes(self) -> None:
        activity = self.make(start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
        before = activity.updated_at
        services.activity_update(
            access=self.access(self.alice), activity=activity, subject="Planering"
        )
        activity.refresh_from_db()
        self.assertEqual(activity.updated_at, before)

    def test_moving_into_a_booked_slot_is_refused_and_nothing_changes(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Rummet")
        self.make(start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10), resources=[room])
        later = self.make(
            start=local(2026, 12, 1, 13), end=local(2026, 12, 1, 14), resources=[room]
        )
        with self.assertRaises(ValidationError):
            services.activity_update(
                access=self.access(self.alice),
                activity=later,
                start=local(2026, 12, 1, 9, 30),
                end=local(2026, 12, 1, 10, 30),
            )
        later.refresh_from_db()
        self.assertEqual(later.start, local(2026, 12, 1, 13))

    def test_mark_done_records_when(self) -> None:
        activity = self.make(due_date=dt.date(2026, 12, 1), type=self.type_("task"))
        services.activity_mark_done(access=self.access(self.bob), activity=activity)
        activity.refresh_from_db()
        self.assertEqual(activity.status, Status.DONE)
        self.assertIsNotNone(activity.done_at)

    def test_participants_change_without_touching_those_who_stay(self) -> None:
        activity = self.make(employees=["bob@acme.se"])
        bob_row = Participant.objects.get(activity=activity)
        services.activity_update(
            access=self.access(self.alice),
            activity=activity,
            employees=["bob@acme.se", "alice@acme.se"],
        )
        self.assertTrue(Participant.objects.filter(id=bob_row.id).exists())
        self.assertEqual(activity.participants.count(), 2)
        services.activity_update(access=self.access(self.alice), activity=activity, employees=[])
        self.assertEqual(activity.participants.count(), 0)

    def test_a_private_activity_is_changed_only_by_its_people(self) -> None:
        activity = self.make(private=True)
        with self.assertRaises(PermissionDenied):
            services.activity_update(access=self.access(self.bob), activity=activity, subject="x")
        with self.assertRaises(PermissionDenied):
            services.activity_delete(access=self.access(self.bob), activity=activity)

    def test_a_contact_with_activities_cannot_be_deleted(self) -> None:
        access = self.access(self.alice)
        contact = contact_services.contact_create(access=access, name="Kund AB")
        self.make(contact=contact)
        with self.assertRaises(contact_services.ContactInUse):
            contact_services.contact_delete(access=access, contact=contact)


class SelectorTest(ActivitiesTestCase):
    def test_quick_views_and_filters(self) -> None:
        now = selectors.timezone.now()
        day = selectors.today(self.access(self.alice))
        past = self.make(
            subject="Gammal", start=now - dt.timedelta(days=3), end=now - dt.timedelta(days=3)
        )
        todays = self.make(subject="Idag", all_day=True, start_date=day)
        bobs = self.make(
            user=self.bob,
            subject="Bobs",
            due_date=day + dt.timedelta(days=5),
            type=self.type_("task"),
        )
        access = self.access(self.alice)

        def subjects(**filters: object) -> set[str]:
            found = selectors.activity_list(
                access=access, filters=selectors.ActivityFilters(**filters)
            )  # type: ignore[arg-type]
            return {a.subject for a in found}

        self.assertEqual(subjects(view="overdue"), {past.subject})
        self.assertEqual(subjects(view="today"), {todays.subject})
        self.assertEqual(subjects(view="mine"), {"Gammal", "Idag"})
        self.assertEqual(subjects(responsible="bob@acme.se"), {bobs.subject})
        self.assertEqual(subjects(type_key="task"), {"Bobs"})
        self.assertEqual(
            subjects(date_from=day, date_to=day + dt.timedelta(days=7)), {"Idag", "Bobs"}
        )
        services.activity_mark_done(access=access, activity=past)
        self.assertEqual(subjects(view="overdue"), set())
        self.assertEqual(subjects(status="done"), {"Gammal"})

    def test_search_never_finds_another_persons_private_text(self) -> None:
        self.make(subject="Hemlig affär", private=True)
        self.assertEqual(
            selectors.activity_list(
                access=self.access(self.bob), filters=selectors.ActivityFilters(search="hemlig")
            ).count(),
            0,
        )
        self.assertEqual(
            selectors.activity_list(
                access=self.access(self.alice), filters=selectors.ActivityFilters(search="hemlig")
            ).count(),
            1,
        )

    def test_charlie_sees_nothing_of_acme(self) -> None:
        self.make()
        self.assertEqual(
            selectors.activity_list(access=self.access(self.charlie, self.umbrella)).count(), 0
        )
