"""The activities API as a spec: CRUD with filters, ISO 8601 times with the zone, type keys,
clear refusals, rights as the contacts API, private activities as "busy"."""

from __future__ import annotations

from skrivbord.activities.models import Activity
from tests.api.base import ApiTestCase


class ActivitiesApiTest(ApiTestCase):
    def url(self, company: object = None, activity: object = None) -> str:
        base = f"/api/v1/companies/{(company or self.acme).id}/activities"  # type: ignore[attr-defined]
        return f"{base}/{activity}" if activity else base

    def create(self, user: object = None, **body: object) -> dict:
        body.setdefault("type", "meeting")
        body.setdefault("subject", "Genomgång")
        body.setdefault("start", "2026-12-01T09:00:00+01:00")
        body.setdefault("end", "2026-12-01T10:00:00+01:00")
        response = self.post(self.url(), body, user)  # type: ignore[arg-type]
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()

    def test_it_creates_and_reads_an_activity_with_times_in_the_company_zone(self) -> None:
        made = self.create(
            contact=str(self.volvo.id), contact_person=str(self.anna.id), employees=["bob@acme.se"]
        )
        self.assertEqual(made["type"], "meeting")
        self.assertEqual(made["start"], "2026-12-01T09:00:00+01:00")
        self.assertEqual(made["end"], "2026-12-01T10:00:00+01:00")
        self.assertEqual(made["responsible"], "alice@acme.se")
        self.assertEqual(made["status"], "planned")
        self.assertEqual(made["employees"], ["bob@acme.se"])
        got = self.get(self.url(activity=made["id"])).json()
        self.assertEqual(got["contact"], str(self.volvo.id))
        self.assertEqual(
            Activity.objects.get(id=made["id"]).start.isoformat(), "2026-12-01T08:00:00+00:00"
        )

    def test_a_time_in_utc_is_the_same_moment(self) -> None:
        made = self.create(start="2026-06-01T07:00:00Z", end="2026-06-01T08:00:00Z")
        self.assertEqual(made["start"], "2026-06-01T09:00:00+02:00")

    def test_all_day_activities_span_their_days(self) -> None:
        made = self.create(
            all_day=True, start=None, end=None, start_date="2026-12-24", end_date="2026-12-26"
        )
        self.assertEqual(made["start"], "2026-12-24T00:00:00+01:00")
        self.assertEqual(made["end"], "2026-12-27T00:00:00+01:00")
        self.assertEqual(made["end_date"], "2026-12-26")

    def test_end_before_start_is_refused_with_a_message(self) -> None:
        response = self.post(
            self.url(),
            {
                "type": "call",
                "subject": "x",
                "start": "2026-12-01T10:00:00+01:00",
                "end": "2026-12-01T09:00:00+01:00",
            },
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"]["end"], ["The end is before the start."])
        self.assertFalse(Activity.objects.exists())

    def test_an_unknown_type_is_refused(self) -> None:
        response = self.post(self.url(), {"type": "party", "subject": "x"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("type", response.json()["errors"])

    def test_it_lists_with_filters_and_pages(self) -> None:
        self.create(subject="Ett")
        self.create(
            subject="Två",
            type="call",
            start="2026-12-02T09:00:00+01:00",
            end="2026-12-02T09:30:00+01:00",
        )
        self.create(
            subject="Tre",
            status="done",
            start="2026-12-03T09:00:00+01:00",
            end="2026-12-03T09:30:00+01:00",
        )
        page = self.get(self.url(), limit=2).json()
        self.assertEqual(page["count"], 3)
        self.assertEqual([item["subject"] for item in page["items"]], ["Ett", "Två"])
        self.assertIsNotNone(page["next"])
        self.assertEqual(
            [i["subject"] for i in self.get(self.url(), type="call").json()["items"]], ["Två"]
        )
        self.assertEqual(
            [i["subject"] for i in self.get(self.url(), status="done").json()["items"]], ["Tre"]
        )
        self.assertEqual(
            [
                i["subject"]
                for i in self.get(self.url(), **{"from": "2026-12-02", "to": "2026-12-02"}).json()[
                    "items"
                ]
            ],
            ["Två"],
        )

    def test_patch_changes_only_the_given_fields(self) -> None:
        made = self.create(location="Kontoret")
        response = self.patch(self.url(activity=made["id"]), {"status": "done"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "done")
        self.assertEqual(response.json()["location"], "Kontoret")

    def test_delete(self) -> None:
        made = self.create()
        self.assertEqual(self.delete(self.url(activity=made["id"])).status_code, 204)
        self.assertEqual(self.get(self.url(activity=made["id"])).status_code, 404)

    def test_another_persons_private_activity_is_busy(self) -> None:
        made = self.create(private=True, subject="Tandläkaren", location="Tandläkaren")
        seen = self.get(self.url(activity=made["id"]), user=self.bob).json()
        self.assertEqual((seen["subject"], seen["location"], seen["busy_only"]), ("Busy", "", True))
        self.assertEqual(seen["start"], "2026-12-01T09:00:00+01:00")
        self.assertEqual(
            self.patch(self.url(activity=made["id"]), {"subject": "x"}, user=self.bob).status_code,
            403,
        )
        self.assertEqual(self.delete(self.url(activity=made["id"]), user=self.bob).status_code, 403)
        self.assertEqual(self.get(self.url(), user=self.bob, q="tandläkaren").json()["count"], 0)

    def test_read_only_members_read_but_do_not_write(self) -> None:
        made = self.create()
        self.assertEqual(self.get(self.url(activity=made["id"]), user=self.rita).status_code, 200)
        self.assertEqual(
            self.post(self.url(), {"type": "call", "subject": "x"}, user=self.rita).status_code, 403
        )
        self.assertEqual(
            self.patch(self.url(activity=made["id"]), {"subject": "x"}, user=self.rita).status_code,
            403,
        )

    def test_charlie_sees_nothing_of_acme(self) -> None:
        made = self.create()
        self.assertEqual(self.get(self.url(), user=self.charlie).status_code, 404)
        self.assertEqual(
            self.get(self.url(activity=made["id"]), user=self.charlie).status_code, 404
        )
        self.assertEqual(
            self.post(self.url(), {"type": "call", "subject": "x"}, user=self.charlie).status_code,
            404,
        )
        self.assertEqual(
            self.patch(
                self.url(activity=made["id"]), {"subject": "x"}, user=self.charlie
            ).status_code,
            404,
        )
        self.assertEqual(
            self.delete(self.url(activity=made["id"]), user=self.charlie).status_code, 404
        )
        # Nor through his own company's URL.
        self.assertEqual(
            self.get(self.url(self.umbrella, made["id"]), user=self.charlie).status_code, 404
        )

    def test_it_is_in_the_openapi_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("/api/v1/companies/{company_id}/activities", paths)
        self.assertIn("/api/v1/companies/{company_id}/activities/{activity_id}", paths)
