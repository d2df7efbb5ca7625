"""The activity settings page: administrators configure types, resources and working hours;
users and read-only members change nothing (403); Charlie sees nothing of Acme (404)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from skrivbord.activities import selectors, services
from skrivbord.activities.models import ActivityType, Resource, WorkingHours
from skrivbord.core.services import user_set_language
from tests.activities.base import ActivitiesTestCase


class SettingsTest(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for user in (self.alice, self.bob, self.rita, self.charlie):
            user_set_language(user=user, language="en")
        self.login(self.alice)

    def url(self, name: str, *args: object) -> str:
        return reverse(f"activities:{name}", args=[self.acme.id, *args])

    def test_the_page_lists_types_resources_and_working_hours(self) -> None:
        services.resource_create(access=self.access(self.alice), name="Stora rummet")
        response = self.client.get(self.url("settings"))
        self.assertContains(response, "Phone call")
        self.assertContains(response, "<code>call</code>", html=True)
        self.assertContains(response, "Stora rummet")
        self.assertContains(response, "08:00\u201317:00")
        self.assertContains(response, "Monday, Tuesday, Wednesday, Thursday, Friday")
        # The list links to it for administrators.
        self.assertContains(self.client.get(self.url("list")), self.url("settings"))

    def test_an_administrator_makes_a_type_and_it_can_be_chosen_for_an_activity(self) -> None:
        response = self.client.post(
            self.url("type_create"),
            {
                "key": "visit",
                "name": "Kundbesök",
                "shows_in": "calendar",
                "colour": "#aa3300",
                "order": "15",
                "is_active": "on",
            },
        )
        self.assertRedirects(response, self.url("settings") + "#types")
        made = ActivityType.objects.get(company=self.acme, key="visit")
        self.assertEqual((made.display_name, made.colour, made.order), ("Kundbesök", "#aa3300", 15))
        form = self.client.get(self.url("create")).content.decode()
        self.assertIn("Kundbesök", form)

    def test_a_type_needs_a_name_and_a_free_key(self) -> None:
        response = self.client.post(
            self.url("type_create"),
            {"key": "call", "name": "", "shows_in": "calendar", "colour": "#aa3300", "order": "1"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "A new activity type needs a name.", status_code=400)
        self.assertEqual(ActivityType.objects.filter(company=self.acme).count(), 7)

    def test_a_type_is_renamed_and_deactivated_but_its_key_stays(self) -> None:
        call = self.type_("call")
        self.make(type=call, subject="Ring kunden", due_date=dt.date(2026, 12, 1))
        page = self.client.get(self.url("type_edit", call.id))
        self.assertNotContains(page, 'name="key"')
        self.assertContains(page, "cannot be deleted")
        response = self.client.post(
            self.url("type_edit", call.id),
            {
                "key": "phone",
                "name": "Samtal",
                "shows_in": "tasks",
                "colour": "#2e8b57",
                "order": "20",
            },
        )
        self.assertRedirects(response, self.url("settings") + "#types")
        call.refresh_from_db()
        self.assertEqual(
            (call.key, call.name, call.shows_in, call.is_active), ("call", "Samtal", "tasks", False)
        )
        # Hidden from new activities, kept on the old one.
        self.assertNotIn(call, selectors.activity_type_list(access=self.access(self.alice)))
        self.assertTrue(call.activities.filter(subject="Ring kunden").exists())

    def test_resources_are_made_renamed_and_deactivated(self) -> None:
        response = self.client.post(
            self.url("resource_create"), {"name": "Bilen", "kind": "car", "is_active": "on"}
        )
        self.assertRedirects(response, self.url("settings") + "#resources")
        car = Resource.objects.get(company=self.acme, name="Bilen")
        self.client.post(self.url("resource_edit", car.id), {"name": "Volvon", "kind": "car"})
        car.refresh_from_db()
        self.assertEqual((car.name, car.is_active), ("Volvon", False))
        empty = self.client.post(self.url("resource_create"), {"name": " ", "kind": "car"})
        self.assertEqual(empty.status_code, 400)

    def test_working_hours_are_set_and_used_to_find_a_slot(self) -> None:
        response = self.client.post(
            self.url("working_hours"),
            {
                "weekdays": ["1", "2", "3", "4"],
                "day_start": "07:30",
                "day_end": "16:00",
                "lunch_start": "12:00",
                "lunch_end": "12:45",
            },
        )
        self.assertRedirects(response, self.url("settings") + "#hours")
        hours = selectors.working_hours(self.access(self.bob))
        self.assertEqual(
            (hours.weekdays, hours.day_start, hours.lunch_end),
            (frozenset({0, 1, 2, 3}), dt.time(7, 30), dt.time(12, 45)),
        )
        page = self.client.get(self.url("working_hours")).content.decode()
        self.assertIn('value="07:30"', page)

    def test_impossible_working_hours_are_refused_with_the_reason(self) -> None:
        response = self.client.post(
            self.url("working_hours"),
            {"weekdays": ["1"], "day_start": "17:00", "day_end": "08:00"},
        )
        self.assertContains(response, "The day must end after it starts.", status_code=400)
        none = self.client.post(
            self.url("working_hours"), {"day_start": "08:00", "day_end": "17:00"}
        )
        self.assertEqual(none.status_code, 400)
        self.assertFalse(WorkingHours.objects.filter(company=self.acme).exists())

    def test_users_and_read_only_members_change_nothing(self) -> None:
        call = self.type_("call")
        for user in (self.bob, self.rita):
            self.login(user)
            with self.subTest(user=user.email):
                self.assertEqual(self.client.get(self.url("settings")).status_code, 403)
                for name, args, data in (
                    (
                        "type_create",
                        (),
                        {
                            "key": "x",
                            "name": "X",
                            "shows_in": "calendar",
                            "colour": "#000000",
                            "order": "1",
                        },
                    ),
                    (
                        "type_edit",
                        (call.id,),
                        {"name": "X", "shows_in": "calendar", "colour": "#000000", "order": "1"},
                    ),
                    ("resource_create", (), {"name": "X", "kind": "room"}),
                    (
                        "working_hours",
                        (),
                        {"weekdays": ["1"], "day_start": "09:00", "day_end": "10:00"},
                    ),
                ):
                    self.assertEqual(self.client.post(self.url(name, *args), data).status_code, 403)
        self.assertFalse(Resource.objects.filter(company=self.acme).exists())
        self.assertFalse(WorkingHours.objects.filter(company=self.acme).exists())
        self.assertFalse(ActivityType.objects.filter(company=self.acme, key="x").exists())
        self.login(self.bob)
        self.assertNotContains(self.client.get(self.url("list")), self.url("settings"))

    def test_charlie_sees_nothing_of_acme(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Rummet")
        self.login(self.charlie)
        for name, args in (
            ("settings", ()),
            ("type_create", ()),
            ("type_edit", (self.type_("call").id,)),
            ("resource_create", ()),
            ("resource_edit", (room.id,)),
            ("working_hours", ()),
        ):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(self.url(name, *args)).status_code, 404)
        # Nor through his own company's URLs with Acme's ids.
        own = reverse("activities:resource_edit", args=[self.umbrella.id, room.id])
        self.assertEqual(self.client.get(own).status_code, 404)
