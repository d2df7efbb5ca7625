from __future__ import annotations

import uuid

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact, ContactPerson
from tests.api.base import ApiTestCase


class PersonTests(ApiTestCase):
    def test_it_lists_a_contacts_persons(self) -> None:
        contact_services.contact_person_create(
            access=self.access(self.alice), contact=self.volvo, first_name="Bo", last_name="Adler"
        )
        response = self.get(self.persons_url(self.volvo))
        self.assertEqual(response.status_code, 200)
        self.assertEqual([p["last_name"] for p in response.json()], ["Adler", "Lind"])
        self.assertEqual(self.get(self.persons_url(self.ikea)).json(), [])

    def test_it_gets_a_person(self) -> None:
        response = self.get(self.person_url(self.anna))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            {k: v for k, v in response.json().items() if k not in {"created_at", "updated_at"}},
            {
                "id": str(self.anna.id),
                "first_name": "Anna",
                "last_name": "Lind",
                "title": "",
                "email": "anna@volvo.se",
                "phone": "",
                "mobile": "",
                "notes": "",
            },
        )

    def test_it_adds_a_person(self) -> None:
        response = self.post(
            self.persons_url(self.ikea),
            {"first_name": "Ingvar", "last_name": "K", "title": "VD"},
            user=self.bob,
        )
        self.assertEqual(response.status_code, 201, response.content)
        person = ContactPerson.objects.get(id=response.json()["id"])
        self.assertEqual((person.contact_id, person.company_id), (self.ikea.id, self.acme.id))
        self.assertEqual(person.title, "VD")

    def test_a_person_needs_a_name(self) -> None:
        before = ContactPerson.objects.count()
        response = self.post(self.persons_url(self.ikea), {"title": "Nobody"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("last_name", response.json()["errors"])
        self.assertEqual(ContactPerson.objects.count(), before)

    def test_it_validates_person_fields(self) -> None:
        response = self.post(
            self.persons_url(self.ikea),
            {"last_name": "X", "email": "nope", "mobile": "1" * 41, "age": 3},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            set(response.json()["errors"]), {"mobile", "age"}, "schema errors come first"
        )
        response = self.post(self.persons_url(self.ikea), {"last_name": "X", "email": "nope"})
        self.assertEqual(response.json()["errors"], {"email": ["Enter a valid email address."]})

    def test_it_changes_only_the_given_fields_of_a_person(self) -> None:
        response = self.patch(self.person_url(self.anna), {"title": "Inköpschef"})
        self.assertEqual(response.status_code, 200)
        person = ContactPerson.objects.get(id=self.anna.id)
        self.assertEqual(
            (person.first_name, person.last_name, person.title), ("Anna", "Lind", "Inköpschef")
        )
        self.assertEqual(person.email, "anna@volvo.se")

    def test_a_person_keeps_a_name(self) -> None:
        response = self.patch(self.person_url(self.anna), {"first_name": "", "last_name": ""})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(ContactPerson.objects.get(id=self.anna.id).last_name, "Lind")

    def test_it_deletes_a_person(self) -> None:
        response = self.delete(self.person_url(self.anna))
        self.assertEqual(response.status_code, 204)
        self.assertFalse(ContactPerson.objects.filter(id=self.anna.id).exists())
        self.assertTrue(Contact.objects.filter(id=self.volvo.id).exists(), "the contact stays")

    def test_a_person_is_found_only_under_its_own_contact(self) -> None:
        url = f"{self.persons_url(self.ikea)}/{self.anna.id}"
        self.assertEqual(self.get(url).status_code, 404)
        self.assertEqual(self.patch(url, {"title": "Moved"}).status_code, 404)
        self.assertEqual(self.delete(url).status_code, 404)
        self.assertEqual(ContactPerson.objects.get(id=self.anna.id).title, "")

    def test_an_unknown_person_is_not_found(self) -> None:
        for person_id in (uuid.uuid4(), "nobody"):
            with self.subTest(person_id=person_id):
                response = self.get(f"{self.persons_url(self.volvo)}/{person_id}")
                self.assertEqual(response.status_code, 404)
        self.assertEqual(
            self.get(f"{self.contact_url(str(uuid.uuid4()))}/persons").status_code, 404
        )
