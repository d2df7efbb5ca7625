"""Availability in the activity form and the free-slot API: what a user sees, and who may ask."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from skrivbord.activities import services
from skrivbord.activities.models import Activity
from skrivbord.core.services import token_create, user_set_language
from tests.activities.base import ActivitiesTestCase, local

# A Monday far enough ahead that "from now" never overtakes it.
MONDAY = dt.date(2030, 12, 2)


def at(hour: int, minute: int = 0, day: int = 0) -> dt.datetime:
    return local(MONDAY.year, MONDAY.month, MONDAY.day + day, hour, minute)


class AvailabilityTestCase(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for user in (self.alice, self.bob, self.rita, self.charlie):
            user_set_language(user=user, language="en")


class AvailabilityFormTest(AvailabilityTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.alice)
        self.make(subject="Egen planering", start=at(8), end=at(9))
        self.make(self.bob, subject="Tandläkaren", private=True, start=at(9), end=at(10))

    def ask(self, name: str, **params: object) -> str:
        params.setdefault("responsible", "alice@acme.se")
        params.setdefault("employees", "bob@acme.se")
        params.setdefault("start", f"{MONDAY}T08:00")
        params.setdefault("end", f"{MONDAY}T09:00")
        response = self.client.get(
            reverse(f"activities:{name}", args=[self.acme.id]), params, HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_the_form_offers_check_availability_and_find_next_free_slot(self) -> None:
        page = self.client.get(reverse("activities:create", args=[self.acme.id])).content.decode()
        self.assertIn("Check availability", page)
        self.assertIn("Find next free slot", page)

    def test_it_shows_each_persons_busy_time_with_names_only_where_allowed(self) -> None:
        page = self.ask("availability")
        self.assertIn("Alice Andersson", page)
        self.assertIn("Bob Berg", page)
        self.assertIn("08:00\u201309:00 Egen planering", page)
        self.assertIn("09:00\u201310:00 <em>Busy</em>", page)
        self.assertNotIn("Tandläkaren", page)
        self.assertIn("10:00\u201317:00", page)  # free for everyone
        self.assertNotIn("<html", page)  # a fragment

    def test_a_holiday_says_so(self) -> None:
        page = self.ask("availability", start="2030-12-25T10:00", end="2030-12-25T11:00")
        self.assertIn("Christmas Day", page)
        self.assertIn("not a working day", page)

    def test_find_next_free_slot_fills_in_start_and_end(self) -> None:
        page = self.ask("free_slot")
        self.assertIn(f'id="id_start" value="{MONDAY}T10:00" hx-swap-oob="true"', page)
        self.assertIn(f'id="id_end" value="{MONDAY}T11:00" hx-swap-oob="true"', page)
        self.assertIn(
            '<input type="checkbox" name="all_day" id="id_all_day" hx-swap-oob="true">', page
        )

    def test_the_slot_takes_the_chosen_duration_and_resources(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Rummet")
        self.make(self.bob, start=at(10), end=at(12), resources=[room], responsible="rita@acme.se")
        page = self.ask("free_slot", resources=str(room.id), slot_duration="90")
        self.assertIn(f'value="{MONDAY}T12:00"', page)
        self.assertIn(f'value="{MONDAY}T13:30"', page)

    def test_editing_an_activity_does_not_count_it_against_itself(self) -> None:
        own = Activity.objects.get(subject="Egen planering")
        page = self.ask("free_slot", employees="", activity=str(own.id))
        self.assertIn(f'id="id_start" value="{MONDAY}T08:00"', page)

    def test_it_says_clearly_when_nothing_is_free_or_the_meeting_is_too_long(self) -> None:
        self.make(
            subject="Tjänstledig",
            all_day=True,
            start_date=MONDAY,
            end_date=MONDAY + dt.timedelta(days=60),
        )
        page = self.ask("free_slot")
        self.assertIn("within 30 days", page)
        self.assertIn('role="alert"', page)
        page = self.ask("free_slot", start=f"{MONDAY}T07:00", end=f"{MONDAY}T17:30")
        self.assertIn("longer than the working day allows: at most 9 h 00 min", page)

    def test_without_javascript_the_answer_is_a_page(self) -> None:
        response = self.client.get(
            reverse("activities:free_slot", args=[self.acme.id]),
            {"responsible": "alice@acme.se", "start": f"{MONDAY}T08:00"},
        )
        page = response.content.decode()
        self.assertIn("<html", page)
        self.assertIn("Next free slot", page)
        self.assertNotIn("hx-swap-oob", page)

    def test_charlie_sees_nothing_of_acme(self) -> None:
        self.login(self.charlie)
        for name in ("availability", "free_slot"):
            response = self.client.get(
                reverse(f"activities:{name}", args=[self.acme.id]),
                {"responsible": "bob@acme.se", "start": f"{MONDAY}T08:00"},
            )
            self.assertEqual(response.status_code, 404, name)


class FreeSlotApiTest(AvailabilityTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make(subject="Möte", start=at(8), end=at(10), employees=["bob@acme.se"])

    def get(self, user: object = None, **params: object) -> object:
        token = token_create(user=user or self.alice, name="tests")[1]  # type: ignore[arg-type]
        params.setdefault("after", f"{MONDAY}T07:00:00+01:00")
        return self.client.get(
            f"/api/v1/companies/{self.acme.id}/activities/free-slot",
            params,
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    def test_it_answers_the_first_free_start_and_end_in_the_company_zone(self) -> None:
        response = self.get(employee=["alice@acme.se", "bob@acme.se"], duration=30)
        self.assertEqual(response.status_code, 200, response.content)  # type: ignore[attr-defined]
        self.assertEqual(
            response.json(),  # type: ignore[attr-defined]
            {"start": f"{MONDAY}T10:00:00+01:00", "end": f"{MONDAY}T10:30:00+01:00"},
        )

    def test_without_employees_it_is_the_callers_time(self) -> None:
        response = self.get(user=self.rita)  # read-only members may ask too
        self.assertEqual(response.json()["start"], f"{MONDAY}T08:00:00+01:00")  # type: ignore[attr-defined]

    def test_none_within_the_horizon_is_404_with_a_message(self) -> None:
        response = self.get(employee="bob@acme.se", horizon=1, duration=480)
        self.assertEqual(response.status_code, 404)  # type: ignore[attr-defined]
        self.assertIn("within 1 day.", response.json()["detail"])  # type: ignore[attr-defined]

    def test_bad_questions_are_refused_with_reasons(self) -> None:
        too_long = self.get(duration=600)
        self.assertEqual(too_long.status_code, 422)  # type: ignore[attr-defined]
        self.assertIn("duration", too_long.json()["errors"])  # type: ignore[attr-defined]
        stranger = self.get(employee="charlie@umbrella.se")
        self.assertEqual(stranger.status_code, 422)  # type: ignore[attr-defined]
        self.assertIn(
            "charlie@umbrella.se is not an employee",
            stranger.json()["errors"]["employee"][0],  # type: ignore[attr-defined]
        )

    def test_charlie_sees_nothing_of_acme(self) -> None:
        response = self.get(user=self.charlie, employee="alice@acme.se")
        self.assertEqual(response.status_code, 404)  # type: ignore[attr-defined]

    def test_it_is_in_the_openapi_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("/api/v1/companies/{company_id}/activities/free-slot", paths)
