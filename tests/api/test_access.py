"""Tenant isolation and rights on every endpoint: Charlie (another company) gets 404 for all of
Acme's URLs; Rita (read-only at Acme) may read but gets 403 for every write."""

from __future__ import annotations

from skrivbord.contacts.models import Contact, ContactPerson
from tests.api.base import ApiTestCase


class AccessTests(ApiTestCase):
    def reads(self) -> list[str]:
        return [
            self.contacts_url(),
            self.contact_url(self.volvo),
            self.persons_url(self.volvo),
            self.person_url(self.anna),
        ]

    def writes(self) -> list[tuple[str, str, dict | None]]:
        return [
            ("post", self.contacts_url(), {"name": "Intruder AB"}),
            ("patch", self.contact_url(self.volvo), {"name": "Renamed"}),
            ("delete", self.contact_url(self.volvo), None),
            ("post", self.persons_url(self.volvo), {"last_name": "Intruder"}),
            ("patch", self.person_url(self.anna), {"title": "Renamed"}),
            ("delete", self.person_url(self.anna), None),
        ]

    def assert_nothing_changed(self) -> None:
        self.assertEqual(
            sorted(Contact.objects.filter(company=self.acme).values_list("name", flat=True)),
            ["IKEA AB", "Volvo Personvagnar AB"],
        )
        self.assertEqual(
            list(ContactPerson.objects.filter(company=self.acme).values_list("last_name", "title")),
            [("Lind", "")],
        )

    def test_charlie_gets_404_for_every_endpoint_on_acme(self) -> None:
        for url in self.reads():
            with self.subTest(method="get", url=url):
                response = self.get(url, user=self.charlie)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.json(), {"detail": "Not found."})
                self.assertNotIn("Volvo", response.content.decode())
        for method, url, body in self.writes():
            with self.subTest(method=method, url=url):
                response = self.send(method, url, body, user=self.charlie)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.json(), {"detail": "Not found."})
        self.assert_nothing_changed()

    def test_charlie_cannot_reach_acmes_contacts_through_his_own_company(self) -> None:
        for url in self.reads()[1:]:
            url = url.replace(str(self.acme.id), str(self.umbrella.id))
            with self.subTest(url=url):
                self.assertEqual(self.get(url, user=self.charlie).status_code, 404)
        response = self.patch(
            self.contact_url(self.volvo, self.umbrella), {"name": "X"}, user=self.charlie
        )
        self.assertEqual(response.status_code, 404)
        response = self.delete(self.person_url(self.anna, self.umbrella), user=self.charlie)
        self.assertEqual(response.status_code, 404)
        self.assert_nothing_changed()

    def test_rita_may_read(self) -> None:
        for url in self.reads():
            with self.subTest(url=url):
                self.assertEqual(self.get(url, user=self.rita).status_code, 200)

    def test_rita_gets_403_for_every_write(self) -> None:
        for method, url, body in self.writes():
            with self.subTest(method=method, url=url):
                response = self.send(method, url, body, user=self.rita)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    response.json(),
                    {"detail": "You may read this company's data but not change it."},
                )
        self.assert_nothing_changed()

    def test_bob_may_write(self) -> None:
        for method, url, body in self.writes()[:2]:
            with self.subTest(method=method, url=url):
                self.assertLess(self.send(method, url, body, user=self.bob).status_code, 300)
