"""Test data for contacts, written through the services like every other write."""

from __future__ import annotations

from typing import Any

from skrivbord.contacts import services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.access import CompanyAccess


def make_contact(access: CompanyAccess, name: str = "Volvo AB", **values: Any) -> Contact:
    return services.contact_create(access=access, name=name, **values)


def make_person(
    access: CompanyAccess,
    contact: Contact,
    first_name: str = "Greta",
    last_name: str = "Garbo",
    **values: Any,
) -> ContactPerson:
    return services.contact_person_create(
        access=access, contact=contact, first_name=first_name, last_name=last_name, **values
    )
