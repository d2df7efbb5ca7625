"""The contact services: the one write path, with validation that speaks the user's language."""

from __future__ import annotations

from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from skrivbord.contacts import selectors, services
from skrivbord.contacts.models import Contact, ContactPerson
from tests.base import BaseTestCase
from tests.contacts.factories import make_contact, make_person


class ContactCreateTests(BaseTestCase):
    def test_it_stores_the_organisation_number_with_a_dash(self) -> None:
        contact = make_contact(self.access(self.alice), org_number="5560360793")
        self.assertEqual(contact.org_number, "556036-0793")

    def test_it_stores_the_vat_number_compact_and_uppercase(self) -> None:
        contact = make_contact(self.access(self.alice), vat_number="se 5560 3607 9301")
        self.assertEqual(contact.vat_number, "SE556036079301")

    def test_it_accepts_a_sole_traders_personal_identity_number(self) -> None:
        contact = make_contact(
            self.access(self.alice), name="Eva Enskild", org_number="19121212-1212"
        )
        self.assertEqual(contact.org_number, "19121212-1212")

    def test_it_refuses_an_invalid_organisation_number_with_a_message(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), org_number="556036-0794")
        self.assertEqual(
            caught.exception.message_dict["org_number"],
            ["556036-0794 is not a valid Swedish organisation number: the check digit is wrong."],
        )
        self.assertFalse(Contact.objects.exists())

    def test_it_gives_the_organisation_number_message_in_swedish_too(self) -> None:
        # The Swedish catalog is produced later; a message must be attached to the field.
        with translation.override("sv"), self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), org_number="12345")
        self.assertEqual(len(caught.exception.message_dict["org_number"]), 1)
        self.assertIn("12345", caught.exception.message_dict["org_number"][0])

    def test_it_refuses_an_invalid_vat_number_and_shows_an_example(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), vat_number="SE556036079399")
        [message] = caught.exception.message_dict["vat_number"]
        self.assertIn("SE556036079399 is not a valid VAT number", message)
        self.assertIn("SE556036079301", message)

    def test_it_refuses_null_characters(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), name="Nul\x00AB")
        self.assertEqual(
            caught.exception.message_dict["name"], ["Null characters are not allowed."]
        )
        self.assertFalse(Contact.objects.exists())

    def test_it_needs_a_name(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), name="   ")
        self.assertEqual(caught.exception.message_dict["name"], ["A contact needs a name."])

    def test_it_refuses_an_over_long_name(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), name="x" * 201)
        self.assertIn("name", caught.exception.message_dict)
        self.assertFalse(Contact.objects.exists())

    def test_it_refuses_an_unknown_kind(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_contact(self.access(self.alice), kind="robot")
        self.assertIn("kind", caught.exception.message_dict)

    def test_it_uppercases_country_codes(self) -> None:
        contact = make_contact(self.access(self.alice), postal_country="no")
        self.assertEqual(contact.postal_country, "NO")

    def test_it_refuses_a_read_only_member(self) -> None:
        with self.assertRaises(PermissionDenied):
            make_contact(self.access(self.rita))
        self.assertFalse(Contact.objects.exists())

    def test_it_belongs_to_the_company_of_the_access(self) -> None:
        contact = make_contact(self.access(self.bob))
        self.assertEqual(contact.company, self.acme)


class ContactUpdateTests(BaseTestCase):
    def setUp(self) -> None:
        self.contact = make_contact(
            self.access(self.alice),
            name="Volvo AB",
            email="info@volvo.se",
            phone="031-59 00 00",
            is_customer=True,
        )

    def test_it_changes_only_the_fields_named(self) -> None:
        services.contact_update(
            access=self.access(self.bob), contact=self.contact, phone="031-66 00 00"
        )
        stored = Contact.objects.get(id=self.contact.id)
        self.assertEqual(stored.phone, "031-66 00 00")
        self.assertEqual(stored.email, "info@volvo.se")
        self.assertTrue(stored.is_customer)
        self.assertGreater(stored.updated_at, stored.created_at)

    def test_it_keeps_the_stored_contact_when_a_value_is_invalid(self) -> None:
        with self.assertRaises(ValidationError):
            services.contact_update(
                access=self.access(self.alice),
                contact=self.contact,
                name="Volvo Cars",
                org_number="1",
            )
        self.assertEqual(Contact.objects.get(id=self.contact.id).name, "Volvo AB")

    def test_it_does_not_let_another_company_change_the_contact(self) -> None:
        with self.assertRaises(PermissionError):
            services.contact_update(
                access=self.access(self.charlie, self.umbrella), contact=self.contact, name="Taken"
            )
        self.assertEqual(Contact.objects.get(id=self.contact.id).name, "Volvo AB")

    def test_it_deactivates_and_activates(self) -> None:
        services.contact_set_active(
            access=self.access(self.alice), contact=self.contact, active=False
        )
        self.assertFalse(Contact.objects.get(id=self.contact.id).is_active)
        services.contact_set_active(
            access=self.access(self.alice), contact=self.contact, active=True
        )
        self.assertTrue(Contact.objects.get(id=self.contact.id).is_active)


class ContactDeleteTests(BaseTestCase):
    def test_it_deletes_an_unused_contact_with_its_persons(self) -> None:
        access = self.access(self.alice)
        contact = make_contact(access)
        make_person(access, contact)
        self.assertEqual(selectors.contact_usages(contact=contact), [])
        services.contact_delete(access=access, contact=contact)
        self.assertFalse(Contact.objects.exists())
        self.assertFalse(ContactPerson.objects.exists())

    def test_it_refuses_to_delete_a_contact_in_use(self) -> None:
        # No model refers to contacts yet (activities and vouchers come later), so the usage
        # is simulated here.
        access = self.access(self.alice)
        contact = make_contact(access)
        with (
            mock.patch.object(services, "contact_usages", return_value=[("invoices", 3)]),
            translation.override("en"),
            self.assertRaises(services.ContactInUse) as caught,
        ):
            services.contact_delete(access=access, contact=contact)
        self.assertEqual(caught.exception.usages, [("invoices", 3)])
        self.assertIn("3 invoices", str(caught.exception))
        self.assertTrue(Contact.objects.filter(id=contact.id).exists())

    def test_it_refuses_a_read_only_member(self) -> None:
        contact = make_contact(self.access(self.alice))
        with self.assertRaises(PermissionDenied):
            services.contact_delete(access=self.access(self.rita), contact=contact)
        self.assertTrue(Contact.objects.filter(id=contact.id).exists())


class ContactPersonTests(BaseTestCase):
    def setUp(self) -> None:
        self.contact = make_contact(self.access(self.alice))

    def test_it_adds_a_person_to_the_contact(self) -> None:
        person = make_person(
            self.access(self.bob), self.contact, title="CFO", email="greta@volvo.se"
        )
        self.assertEqual(person.contact, self.contact)
        self.assertEqual(person.company, self.acme)
        self.assertEqual(person.full_name, "Greta Garbo")

    def test_it_needs_a_first_or_last_name(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            make_person(self.access(self.alice), self.contact, first_name="", last_name=" ")
        self.assertEqual(
            caught.exception.message_dict["last_name"], ["A contact person needs a name."]
        )

    def test_it_refuses_null_characters_in_a_person(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            make_person(self.access(self.alice), self.contact, title="C\x00O")
        self.assertIn("title", caught.exception.message_dict)

    def test_it_updates_only_the_fields_named(self) -> None:
        person = make_person(self.access(self.alice), self.contact, phone="070-111 11 11")
        services.contact_person_update(access=self.access(self.alice), person=person, title="CEO")
        stored = ContactPerson.objects.get(id=person.id)
        self.assertEqual((stored.title, stored.phone), ("CEO", "070-111 11 11"))

    def test_it_deletes_a_person(self) -> None:
        person = make_person(self.access(self.alice), self.contact)
        services.contact_person_delete(access=self.access(self.alice), person=person)
        self.assertFalse(ContactPerson.objects.exists())

    def test_it_refuses_person_writes_by_a_read_only_member(self) -> None:
        with self.assertRaises(PermissionDenied):
            make_person(self.access(self.rita), self.contact)
