"""The activities screens: list, quick views, mark done without a reload, forms, delete,
the contact card and the Status page; Charlie sees nothing of Acme."""

from __future__ import annotations

import datetime as dt

from skrivbord.activities import services
from skrivbord.activities.models import Activity, Status
from skrivbord.contacts import services as contact_services
from skrivbord.core import services as core_services
from tests.activities.base import ActivitiesTestCase, local


class ActivityViewsTest(ActivitiesTestCase):
    def setUp(self) -> None:
        for user in (self.alice, self.bob, self.rita, self.charlie):
            core_services.user_set_language(user=user, language="en")
        self.base = f"/c/{self.acme.id}/activities/"

    def test_the_list_shows_activities_in_local_time(self) -> None:
        self.make(subject="Styrelsemöte", start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10))
        self.login(self.bob)
        response = self.client.get(self.base)
        self.assertContains(response, "Styrelsemöte")
        self.assertContains(response, "09:00–10:00")  # noqa: RUF001

    def test_the_list_filters_by_type_and_status(self) -> None:
        self.make(subject="Mötet")
        self.make(subject="Samtalet", type=self.type_("call"))
        self.login(self.alice)
        response = self.client.get(self.base, {"type": "call"})
        self.assertContains(response, "Samtalet")
        self.assertNotContains(response, "Mötet")

    def test_htmx_gets_only_the_results(self) -> None:
        self.make(subject="Mötet")
        self.login(self.alice)
        response = self.client.get(self.base, {"q": "möt"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="activity-results"')
        self.assertNotContains(response, "<html")

    def test_mark_done_in_one_click_returns_the_row(self) -> None:
        activity = self.make(
            subject="Ring tillbaka", type=self.type_("call"), due_date=dt.date(2026, 12, 1)
        )
        self.login(self.bob)
        response = self.client.post(f"{self.base}{activity.id}/done/", HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'id="activity-{activity.id}"')
        self.assertNotContains(response, "<html")
        activity.refresh_from_db()
        self.assertEqual(activity.status, Status.DONE)

    def test_mark_done_without_javascript_goes_back(self) -> None:
        activity = self.make(due_date=dt.date(2026, 12, 1), type=self.type_("task"))
        self.login(self.alice)
        response = self.client.post(
            f"{self.base}{activity.id}/done/", {"next": self.base + "?view=mine"}
        )
        self.assertRedirects(response, self.base + "?view=mine", fetch_redirect_response=False)

    def test_create_edit_and_delete_through_the_forms(self) -> None:
        self.login(self.alice)
        form = self.client.get(self.base + "new/")
        self.assertContains(form, 'type="datetime-local"')
        response = self.client.post(
            self.base + "new/",
            {
                "type": self.type_("meeting").id,
                "subject": "Kickoff",
                "status": "planned",
                "priority": "normal",
                "start": "2026-12-01T09:00",
                "end": "2026-12-01T10:00",
                "responsible": "alice@acme.se",
                "employees": ["bob@acme.se"],
            },
        )
        activity = Activity.objects.get(subject="Kickoff")
        self.assertRedirects(response, f"{self.base}{activity.id}/", fetch_redirect_response=False)
        self.assertEqual(activity.start, local(2026, 12, 1, 9))
        response = self.client.post(
            f"{self.base}{activity.id}/edit/",
            {
                "type": self.type_("meeting").id,
                "subject": "Kickoff",
                "status": "planned",
                "priority": "high",
                "start": "2026-12-01T10:00",
                "end": "2026-12-01T09:00",
            },
        )
        self.assertContains(response, "The end is before the start.", status_code=400)
        confirm = self.client.get(f"{self.base}{activity.id}/delete/")
        self.assertContains(confirm, "for good?")
        self.assertTrue(Activity.objects.filter(id=activity.id).exists())
        self.client.post(f"{self.base}{activity.id}/delete/")
        self.assertFalse(Activity.objects.filter(id=activity.id).exists())

    def test_a_double_booking_shows_its_reason_and_saves_nothing(self) -> None:
        room = services.resource_create(access=self.access(self.alice), name="Rummet")
        self.make(start=local(2026, 12, 1, 9), end=local(2026, 12, 1, 10), resources=[room])
        self.login(self.bob)
        response = self.client.post(
            self.base + "new/",
            {
                "type": self.type_("meeting").id,
                "subject": "Krock",
                "status": "planned",
                "priority": "normal",
                "start": "2026-12-01T09:30",
                "end": "2026-12-01T10:30",
                "resources": [room.id],
            },
        )
        self.assertContains(response, "Rummet is already booked then", status_code=400)
        self.assertFalse(Activity.objects.filter(subject="Krock").exists())

    def test_private_activities_show_busy_to_others(self) -> None:
        activity = self.make(
            subject="Läkarbesök",
            private=True,
            start=local(2026, 12, 1, 9),
            end=local(2026, 12, 1, 10),
        )
        self.login(self.bob)
        listed = self.client.get(self.base)
        self.assertContains(listed, "Busy")
        self.assertNotContains(listed, "Läkarbesök")
        detail = self.client.get(f"{self.base}{activity.id}/")
        self.assertNotContains(detail, "Läkarbesök")
        self.assertEqual(self.client.get(f"{self.base}{activity.id}/edit/").status_code, 403)
        self.assertEqual(self.client.post(f"{self.base}{activity.id}/done/").status_code, 403)

    def test_read_only_members_see_no_write_buttons_and_cannot_write(self) -> None:
        activity = self.make(due_date=dt.date(2026, 12, 1), type=self.type_("task"))
        self.login(self.rita)
        response = self.client.get(self.base)
        self.assertNotContains(response, "Mark done")
        self.assertEqual(self.client.get(self.base + "new/").status_code, 403)
        self.assertEqual(self.client.post(f"{self.base}{activity.id}/done/").status_code, 403)

    def test_charlie_sees_nothing_of_acme(self) -> None:
        activity = self.make()
        self.login(self.charlie)
        for url in (
            "",
            "new/",
            f"{activity.id}/",
            f"{activity.id}/edit/",
            f"{activity.id}/delete/",
        ):
            self.assertEqual(self.client.get(self.base + url).status_code, 404, url)
        self.assertEqual(self.client.post(f"{self.base}{activity.id}/done/").status_code, 404)
        # Nor under his own company's address.
        own = f"/c/{self.umbrella.id}/activities/{activity.id}/"
        self.assertEqual(self.client.get(own).status_code, 404)

    def test_the_contact_card_shows_history_and_planned(self) -> None:
        access = self.access(self.alice)
        contact = contact_services.contact_create(access=access, name="Kund AB")
        self.make(
            subject="Uppföljning",
            contact=contact,
            start=local(2030, 1, 8, 9),
            end=local(2030, 1, 8, 10),
        )
        self.make(
            subject="Första mötet",
            contact=contact,
            status="done",
            start=local(2025, 1, 8, 9),
            end=local(2025, 1, 8, 10),
        )
        self.login(self.bob)
        response = self.client.get(f"/c/{self.acme.id}/contacts/{contact.id}/")
        self.assertContains(response, "Uppföljning")
        self.assertContains(response, "Första mötet")
        self.assertContains(response, "History")

    def test_the_status_page_shows_today_and_overdue(self) -> None:
        from django.utils import timezone

        now = timezone.now()
        self.make(
            subject="Dagens",
            all_day=True,
            start_date=now.astimezone(local(2026, 1, 1).tzinfo).date(),
        )
        self.make(
            subject="Försenad", start=now - dt.timedelta(days=2), end=now - dt.timedelta(days=2)
        )
        self.login(self.alice)
        response = self.client.get(f"/c/{self.acme.id}/")
        self.assertContains(response, "Dagens")
        self.assertContains(response, "Försenad")
