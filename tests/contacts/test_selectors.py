"""Reading contacts: search, filters, sorting, and nothing from another company."""

from __future__ import annotations

from django.http import Http404

from skrivbord.contacts import selectors
from skrivbord.contacts.models import Contact
from skrivbord.core.access import CompanyAccess, company_access
from skrivbord.core.models import Company, User
from tests.base import BaseTestCase
from tests.contacts.factories import make_contact, make_person


class ContactListTests(BaseTestCase):
    volvo: Contact
    ikea: Contact
    eva: Contact
    old: Contact
    umbrella_contact: Contact

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        access = cls.access_of(cls.alice)
        cls.volvo = make_contact(
            access,
            "Volvo AB",
            org_number="556012-5790",
            email="info@volvo.se",
            phone="031-59 00 00",
            postal_city="Göteborg",
            is_customer=True,
        )
        cls.ikea = make_contact(
            access,
            "IKEA of Sweden AB",
            org_number="556074-7569",
            email="order@ikea.se",
            phone="0476-64 10 00",
            postal_city="Malmö",
            is_supplier=True,
        )
        cls.eva = make_contact(
            access,
            "Eva Svensson",
            kind="person",
            email="eva@example.se",
            phone="070-123 45 67",
            postal_city="Arvika",
            is_customer=True,
            is_supplier=True,
        )
        cls.old = make_contact(access, "Gamla Åkeriet AB", postal_city="Borås", is_active=False)
        make_person(access, cls.ikea, "Ingvar", "Kamprad", email="ingvar@ikea.se")
        cls.umbrella_contact = make_contact(
            cls.access_of(cls.charlie, cls.umbrella), "Volvo Umbrella", email="volvo@umbrella.se"
        )

    @classmethod
    def access_of(cls, user: User, company: Company | None = None) -> CompanyAccess:
        return company_access(user, (company or cls.acme).id)

    def names(self, **kwargs: object) -> list[str]:
        contacts = selectors.contact_list(access=self.access(self.rita), **kwargs)  # type: ignore[arg-type]
        return [contact.name for contact in contacts]

    def test_it_lists_the_companys_contacts_by_name(self) -> None:
        self.assertEqual(
            self.names(), ["Eva Svensson", "Gamla Åkeriet AB", "IKEA of Sweden AB", "Volvo AB"]
        )

    def test_it_hides_other_companies_contacts(self) -> None:
        self.assertNotIn("Volvo Umbrella", self.names())
        self.assertNotIn("Volvo Umbrella", self.names(search="volvo"))
        self.assertEqual(self.names(search="umbrella.se"), [])

    def test_it_finds_by_part_of_the_name_whatever_the_case(self) -> None:
        self.assertEqual(self.names(search="ikea"), ["IKEA of Sweden AB"])
        self.assertEqual(self.names(search="  VOLVO "), ["Volvo AB"])

    def test_it_finds_by_organisation_number_with_or_without_dash(self) -> None:
        self.assertEqual(self.names(search="556012-5790"), ["Volvo AB"])
        self.assertEqual(self.names(search="5560125790"), ["Volvo AB"])
        self.assertEqual(self.names(search="556074"), ["IKEA of Sweden AB"])

    def test_it_finds_a_sole_trader_by_personal_identity_number(self) -> None:
        make_contact(self.access(self.alice), "Tolvan Tolvansson", org_number="19121212-1212")
        self.assertEqual(self.names(search="191212121212"), ["Tolvan Tolvansson"])
        self.assertEqual(self.names(search="121212-1212"), ["Tolvan Tolvansson"])

    def test_it_finds_by_e_mail(self) -> None:
        self.assertEqual(self.names(search="order@ikea"), ["IKEA of Sweden AB"])

    def test_it_finds_by_phone_as_written_or_as_digits(self) -> None:
        self.assertEqual(self.names(search="070-123 45"), ["Eva Svensson"])
        self.assertEqual(self.names(search="0701234567"), ["Eva Svensson"])
        self.assertEqual(self.names(search="031 59 00"), ["Volvo AB"])

    def test_it_finds_an_organisation_by_its_contact_persons_name(self) -> None:
        self.assertEqual(self.names(search="kamprad"), ["IKEA of Sweden AB"])
        self.assertEqual(self.names(search="Ingvar"), ["IKEA of Sweden AB"])

    def test_it_lists_a_contact_once_even_when_several_persons_match(self) -> None:
        make_person(self.access(self.alice), self.ikea, "Ingvar", "Andersson")
        self.assertEqual(self.names(search="ingvar"), ["IKEA of Sweden AB"])

    def test_it_filters_customers_and_suppliers(self) -> None:
        self.assertEqual(self.names(customer=True, active=True), ["Eva Svensson", "Volvo AB"])
        self.assertEqual(
            self.names(supplier=True, active=True), ["Eva Svensson", "IKEA of Sweden AB"]
        )
        self.assertEqual(self.names(customer=True, supplier=False), ["Volvo AB"])

    def test_it_filters_active_and_inactive(self) -> None:
        self.assertEqual(self.names(active=False), ["Gamla Åkeriet AB"])
        self.assertNotIn("Gamla Åkeriet AB", self.names(active=True))

    def test_it_filters_by_kind(self) -> None:
        self.assertEqual(self.names(kind="person"), ["Eva Svensson"])
        self.assertEqual(len(self.names(kind="organisation")), 3)

    def test_it_sorts_by_city_and_organisation_number_both_ways(self) -> None:
        self.assertEqual(
            self.names(sort="city"),
            ["Eva Svensson", "Gamla Åkeriet AB", "Volvo AB", "IKEA of Sweden AB"],
        )
        self.assertEqual(self.names(sort="-city")[0], "IKEA of Sweden AB")
        self.assertEqual(self.names(sort="-org_number")[:2], ["IKEA of Sweden AB", "Volvo AB"])
        self.assertEqual(self.names(sort="-name"), list(reversed(self.names(sort="name"))))

    def test_it_falls_back_to_name_order_for_an_unknown_sort(self) -> None:
        self.assertEqual(self.names(sort="password"), self.names(sort="name"))


class ContactGetTests(BaseTestCase):
    def test_it_gets_the_companys_contact(self) -> None:
        contact = make_contact(self.access(self.alice))
        self.assertEqual(
            selectors.contact_get(access=self.access(self.rita), contact_id=contact.id), contact
        )

    def test_it_hides_another_companys_contact(self) -> None:
        contact = make_contact(self.access(self.alice))
        with self.assertRaises(Http404):
            selectors.contact_get(
                access=self.access(self.charlie, self.umbrella), contact_id=contact.id
            )

    def test_it_answers_404_for_a_malformed_id(self) -> None:
        with self.assertRaises(Http404):
            selectors.contact_get(access=self.access(self.alice), contact_id="not-a-uuid")

    def test_it_hides_another_contacts_person(self) -> None:
        access = self.access(self.alice)
        volvo, ikea = make_contact(access, "Volvo AB"), make_contact(access, "IKEA AB")
        person = make_person(access, volvo)
        with self.assertRaises(Http404):
            selectors.contact_person_get(access=access, contact=ikea, person_id=person.id)


class ContactCountsAndUsagesTests(BaseTestCase):
    def test_it_counts_active_customers_and_suppliers(self) -> None:
        access = self.access(self.alice)
        make_contact(access, "A", is_customer=True)
        make_contact(access, "B", is_customer=True, is_supplier=True)
        make_contact(access, "C", is_customer=True, is_active=False)
        make_contact(self.access(self.charlie, self.umbrella), "D", is_customer=True)
        self.assertEqual(
            selectors.contact_counts(access=access),
            {"total": 3, "active": 2, "customers": 2, "suppliers": 1},
        )

    def test_it_finds_no_usages_of_a_new_contact(self) -> None:
        # Contact persons belong to the contact (they are deleted with it), so they are no usage.
        contact = make_contact(self.access(self.alice))
        make_person(self.access(self.alice), contact)
        self.assertEqual(selectors.contact_usages(contact=contact), [])
        self.assertTrue(Contact.objects.filter(id=contact.id).exists())
