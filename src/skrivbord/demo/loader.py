"""Writes the demo data into the database, through the same services as every other path.

The office node holds the master copy (`demo_load`: both companies and their contacts); the
online node gets only the demo company and the demo user (`demo_load_online`), and receives
the contacts by sync.

Idempotent: a second run finds the companies, the user and the contacts it made the first
time (by organisation number and name) and only adds what is missing, so restarting the
demo never duplicates anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from skrivbord.contacts import selectors as contact_selectors
from skrivbord.contacts import services as contact_services
from skrivbord.core import services as core_services
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, Language, Role, User
from skrivbord.demo.generator import (
    DEMO_COMPANY,
    SECOND_COMPANY,
    DemoCompany,
    DemoContact,
    generate_contacts,
)

DEMO_EMAIL = "demo@skrivbord.se"
# Public on purpose: documented in docs/cli.md and printed by `skrivbord demo`.
DEMO_PASSWORD = "demo-skrivbord"  # noqa: S105
DEMO_FULL_NAME = "Demo Användare"


@dataclass(frozen=True)
class DemoSummary:
    company: Company
    second_company: Company
    user: User
    contacts_created: int
    persons_created: int


def _company(spec: DemoCompany) -> Company:
    existing = Company.objects.filter(name=spec.name, org_number=spec.org_number).first()
    if existing is not None:
        return existing
    return core_services.company_create(
        name=spec.name,
        org_number=spec.org_number,
        email=spec.email,
        phone=spec.phone,
        address=spec.address,
    )


def _user() -> User:
    existing = User.objects.filter(email__iexact=DEMO_EMAIL).first()
    if existing is not None:
        return existing
    # The demo password is deliberately simple and public, so skip the strength check.
    return core_services.user_create(
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        full_name=DEMO_FULL_NAME,
        language=Language.SWEDISH,
        check_password=False,
    )


def _contacts(user: User, company: Company, contacts: tuple[DemoContact, ...]) -> tuple[int, int]:
    """Create the contacts the company does not have yet; returns (contacts, persons) created."""
    access = company_access(user, company.id, module="contacts", write=True)
    existing = set(contact_selectors.contact_list(access=access).values_list("name", flat=True))
    contacts_created = persons_created = 0
    for spec in contacts:
        if spec.name in existing:
            continue
        contact = contact_services.contact_create(access=access, **spec.contact_fields())
        contacts_created += 1
        for person in spec.persons:
            contact_services.contact_person_create(
                access=access,
                contact=contact,
                first_name=person.first_name,
                last_name=person.last_name,
                title=person.title,
                email=person.email,
                phone=person.phone,
                mobile=person.mobile,
            )
            persons_created += 1
    return contacts_created, persons_created


@dataclass(frozen=True)
class OnlineDemoSummary:
    company: Company
    user: User


@transaction.atomic
def demo_load() -> DemoSummary:
    """Create (or complete) the demo companies, the demo user and their contacts."""
    user = _user()
    company = _company(DEMO_COMPANY)
    second = _company(SECOND_COMPANY)

    core_services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    created, persons = _contacts(
        user, company, generate_contacts(DEMO_COMPANY.contact_count, seed=DEMO_COMPANY.seed)
    )

    # The demo user only reads the second company. Its contacts are written while the user is
    # briefly its administrator, inside this transaction, so they too go through the services
    # with a real access check; the role is read-only again before anything commits.
    core_services.membership_set(user=user, company=second, role=Role.ADMINISTRATOR)
    second_created, second_persons = _contacts(
        user, second, generate_contacts(SECOND_COMPANY.contact_count, seed=SECOND_COMPANY.seed)
    )
    core_services.membership_set(user=user, company=second, role=Role.READ_ONLY)

    core_services.user_set_default_company(user=user, company_id=company.id)
    return DemoSummary(
        company=company,
        second_company=second,
        user=user,
        contacts_created=created + second_created,
        persons_created=persons + second_persons,
    )


@transaction.atomic
def demo_load_online() -> OnlineDemoSummary:
    """The online node's half: the demo company (same organisation number) and its user.

    No contacts: they come from the office, which is the master copy, when the agent syncs.
    """
    user = _user()
    company = _company(DEMO_COMPANY)
    core_services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    core_services.user_set_default_company(user=user, company_id=company.id)
    return OnlineDemoSummary(company=company, user=user)
