"""The Django admin writes contacts through the services, like every other write path."""

from __future__ import annotations

from unittest import mock

from django.urls import reverse

from skrivbord.contacts import services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.models import User
from tests.base import BaseTestCase
from tests.contacts.factories import make_contact, make_person


class ContactAdminTests(BaseTestCase):
    def setUp(self) -> None:
        self.staff = User.objects.create_superuser("root@example.se", "x" * 20)
        self.client.force_login(self.staff)

    def persons_management(self, total: int, initial: int) -> dict[str, str]:
        return {
            "persons-TOTAL_FORMS": str(total),
            "persons-INITIAL_FORMS": str(initial),
            "persons-MIN_NUM_FORMS": "0",
            "persons-MAX_NUM_FORMS": "1000",
        }

    def contact_data(self, **values: str) -> dict[str, str]:
        return {
            "kind": "organisation",
            "name": "Volvo AB",
            "postal_country": "SE",
            "visiting_country": "SE",
            **values,
        }

    def test_it_creates_a_contact_with_a_person_through_the_services(self) -> None:
        data = {
            "company": str(self.acme.id),
            **self.contact_data(org_number="5560125790", is_customer="on"),
            **self.persons_management(1, 0),
            "persons-0-first_name": "Greta",
            "persons-0-last_name": "Garbo",
        }
        with (
            mock.patch.object(services, "contact_create", wraps=services.contact_create) as create,
            mock.patch.object(
                services, "contact_person_create", wraps=services.contact_person_create
            ) as add,
        ):
            response = self.client.post(reverse("admin:contacts_contact_add"), data)
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.assertEqual((create.call_count, add.call_count), (1, 1))
        contact = Contact.objects.get()
        self.assertEqual(
            (contact.company, contact.org_number, contact.is_customer),
            (self.acme, "556012-5790", True),
        )
        person = ContactPerson.objects.get()
        self.assertEqual(
            (person.contact, person.company, person.full_name), (contact, self.acme, "Greta Garbo")
        )

    def test_it_refuses_an_invalid_organisation_number(self) -> None:
        data = {
            "company": str(self.acme.id),
            **self.contact_data(org_number="556012-5791"),
            **self.persons_management(0, 0),
        }
        response = self.client.post(reverse("admin:contacts_contact_add"), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("org_number", response.context["adminform"].form.errors)
        self.assertFalse(Contact.objects.exists())

    def test_it_edits_updates_and_deletes_persons_through_the_services(self) -> None:
        access = self.access(self.alice)
        contact = make_contact(access, "Volvo AB", notes="Keep")
        keep = make_person(access, contact, "Greta", "Garbo")
        drop = make_person(access, contact, "Ingvar", "Kamprad")
        data = {
            **self.contact_data(name="Volvo Cars AB", notes="Keep"),
            **self.persons_management(2, 2),
            "persons-0-id": str(keep.id),
            "persons-0-contact": str(contact.id),
            "persons-0-first_name": "Greta",
            "persons-0-last_name": "Garbo",
            "persons-0-title": "CFO",
            "persons-1-id": str(drop.id),
            "persons-1-contact": str(contact.id),
            "persons-1-first_name": "Ingvar",
            "persons-1-last_name": "Kamprad",
            "persons-1-DELETE": "on",
        }
        with (
            mock.patch.object(services, "contact_update", wraps=services.contact_update) as update,
            mock.patch.object(
                services, "contact_person_delete", wraps=services.contact_person_delete
            ) as delete,
        ):
            response = self.client.post(
                reverse("admin:contacts_contact_change", args=[contact.id]), data
            )
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        self.assertEqual((update.call_count, delete.call_count), (1, 1))
        contact.refresh_from_db()
        self.assertEqual((contact.name, contact.company), ("Volvo Cars AB", self.acme))
        self.assertEqual(list(ContactPerson.objects.values_list("title", flat=True)), ["CFO"])

    def test_it_deletes_through_the_services(self) -> None:
        contact = make_contact(self.access(self.alice))
        with mock.patch.object(services, "contact_delete", wraps=services.contact_delete) as delete:
            response = self.client.post(
                reverse("admin:contacts_contact_delete", args=[contact.id]), {"post": "yes"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(delete.call_count, 1)
        self.assertFalse(Contact.objects.exists())

    def test_it_searches_and_filters_by_company(self) -> None:
        make_contact(self.access(self.alice), "Volvo AB", org_number="5560125790")
        make_contact(self.access(self.charlie, self.umbrella), "Volvo Umbrella")
        url = reverse("admin:contacts_contact_changelist")
        response = self.client.get(url, {"q": "556012-5790"})
        self.assertEqual([c.name for c in response.context["cl"].result_list], ["Volvo AB"])
        response = self.client.get(url, {"company__id__exact": str(self.umbrella.id)})
        self.assertEqual([c.name for c in response.context["cl"].result_list], ["Volvo Umbrella"])
