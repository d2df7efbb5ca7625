from __future__ import annotations

from unittest import mock

from django.test import TestCase
from django.urls import reverse

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.contacts.selectors import contact_list
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, Membership, Role, User
from skrivbord.demo.generator import DEMO_COMPANY, SECOND_COMPANY, generate_contacts
from skrivbord.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, demo_load, demo_load_online


class DemoLoaderTests(TestCase):
    def test_it_creates_the_demo_company_with_its_contacts(self) -> None:
        summary = demo_load()
        company = summary.company
        assert (company.name, company.org_number) == ("Demoföretaget AB", DEMO_COMPANY.org_number)
        assert company.city == "Stockholm"
        assert all((company.street, company.postal_code, company.email, company.phone))
        access = company_access(summary.user, company.id)
        contacts = contact_list(access=access)
        assert contacts.count() == 240
        expected = generate_contacts()
        assert set(contacts.values_list("org_number", flat=True)) == {
            contact.org_number for contact in expected
        }
        assert ContactPerson.objects.filter(company=company).count() == sum(
            len(contact.persons) for contact in expected
        )
        # Stored the way the services store them: VAT numbers compact, countries set.
        sample = next(contact for contact in expected if contact.vat_number)
        stored = contacts.get(name=sample.name)
        assert stored.vat_number == sample.vat_number
        assert stored.postal_country == "SE"

    def test_the_demo_user_administers_the_demo_company_and_reads_the_second(self) -> None:
        summary = demo_load()
        user = User.objects.get(email=DEMO_EMAIL)
        assert user.check_password(DEMO_PASSWORD)
        assert (user.language, user.default_company, user.is_staff) == (
            "sv",
            summary.company,
            False,
        )
        roles = dict(Membership.objects.filter(user=user).values_list("company__name", "role"))
        assert roles == {DEMO_COMPANY.name: Role.ADMINISTRATOR, SECOND_COMPANY.name: Role.READ_ONLY}
        second = company_access(user, summary.second_company.id)
        assert not second.can_write("contacts")
        assert contact_list(access=second).count() == SECOND_COMPANY.contact_count

    def test_the_demo_user_can_log_in_and_open_the_contacts(self) -> None:
        summary = demo_load()
        response = self.client.post(
            reverse("login"), {"username": DEMO_EMAIL, "password": DEMO_PASSWORD}
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        response = self.client.get(reverse("contacts:list", args=[summary.company.id]))
        assert response.status_code == 200

    def test_running_it_twice_changes_nothing(self) -> None:
        first = demo_load()
        counts = (
            Company.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
            Contact.objects.count(),
            ContactPerson.objects.count(),
        )
        second = demo_load()
        assert (second.contacts_created, second.persons_created) == (0, 0)
        assert (second.company, second.second_company, second.user) == (
            first.company,
            first.second_company,
            first.user,
        )
        assert counts == (
            Company.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
            Contact.objects.count(),
            ContactPerson.objects.count(),
        )
        assert Membership.objects.get(user=second.user, company=second.second_company).role == (
            Role.READ_ONLY
        )

    def test_it_writes_every_contact_through_the_contacts_services(self) -> None:
        with (
            mock.patch.object(
                contact_services, "contact_create", wraps=contact_services.contact_create
            ) as create,
            mock.patch.object(
                contact_services,
                "contact_person_create",
                wraps=contact_services.contact_person_create,
            ) as create_person,
        ):
            demo_load()
        assert create.call_count == Contact.objects.count() == 240 + SECOND_COMPANY.contact_count
        assert create_person.call_count == ContactPerson.objects.count()

    def test_it_completes_a_partly_loaded_demo(self) -> None:
        summary = demo_load()
        access = company_access(summary.user, summary.company.id)
        for contact in list(contact_list(access=access)[:5]):
            contact_services.contact_delete(access=access, contact=contact)
        again = demo_load()
        assert again.contacts_created == 5
        assert contact_list(access=access).count() == 240


class OnlineDemoLoaderTests(TestCase):
    def test_the_online_node_gets_the_demo_company_and_user_but_no_contacts(self) -> None:
        summary = demo_load_online()
        company = summary.company
        assert (company.name, company.org_number, company.city) == (
            "Demoföretaget AB",
            DEMO_COMPANY.org_number,
            "Stockholm",
        )
        assert summary.user.check_password(DEMO_PASSWORD)
        assert summary.user.default_company == company
        assert Membership.objects.get(user=summary.user).role == Role.ADMINISTRATOR
        # The contacts arrive from the office, the master copy, by sync.
        assert not Contact.objects.exists()
        assert Company.objects.count() == 1

    def test_running_it_twice_changes_nothing(self) -> None:
        first = demo_load_online()
        second = demo_load_online()
        assert (second.company, second.user) == (first.company, first.user)
        assert (Company.objects.count(), User.objects.count(), Membership.objects.count()) == (
            1,
            1,
            1,
        )
