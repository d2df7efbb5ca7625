from __future__ import annotations

import socket
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import reverse

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.contacts.selectors import contact_list
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, Membership, Role, User
from skrivbord.demo.generator import DEMO_COMPANY, SECOND_COMPANY, generate_contacts
from skrivbord.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, demo_load


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


class DemoCommandTests(TestCase):
    def run_demo(self, *args: str) -> list[str]:
        out = StringIO()
        call_command("demo", *args, stdout=out)
        return out.getvalue().splitlines()

    @override_settings(MODE="demo")
    def test_no_serve_prepares_the_data_and_returns(self) -> None:
        lines = self.run_demo("--no-serve")
        assert lines[0].startswith("Data directory: ")
        assert "Demoföretaget AB and Dotterbolaget Norr AB, 252 contacts" in lines[1]
        assert Contact.objects.count() == 252
        lines = self.run_demo("--no-serve")
        assert lines[1].endswith("Demoföretaget AB and Dotterbolaget Norr AB, as before.")
        assert Contact.objects.count() == 252

    @override_settings(MODE="demo")
    def test_it_refuses_a_taken_port_before_preparing_anything(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with pytest.raises(CommandError, match=rf"127\.0\.0\.1:{port} is already in use\."):
                self.run_demo("--port", str(port))
        assert not Company.objects.exists()

    def test_it_refuses_to_run_outside_demo_mode(self) -> None:
        # A production database must never receive demo data by a mistyped command.
        with pytest.raises(CommandError, match="start it with `skrivbord demo`"):
            self.run_demo("--no-serve")
        assert not Company.objects.exists()
