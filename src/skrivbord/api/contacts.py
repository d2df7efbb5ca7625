"""Contacts and contact persons of a company.

Every endpoint resolves the company through `company_access`: a company the caller is not a
member of answers 404, a read-only member who tries to write 403. Reads go through the
contacts selectors and writes through the contacts services, like the web UI's.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Status

from skrivbord.api.auth import TOKEN
from skrivbord.api.errors import django_errors
from skrivbord.api.pagination import page_urls
from skrivbord.api.schemas import (
    ContactIn,
    ContactListQuery,
    ContactOut,
    ContactPage,
    ContactPatch,
    ErrorOut,
    PersonIn,
    PersonOut,
    ValidationErrorOut,
)
from skrivbord.contacts import selectors, services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.access import CompanyAccess, company_access

router = Router(tags=["Contacts"])

COMPANY = "/companies/{company_id}/contacts"
CONTACT = COMPANY + "/{contact_id}"
PERSONS = CONTACT + "/persons"
PERSON = PERSONS + "/{person_id}"

READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}


def _access(request: HttpRequest, company_id: uuid.UUID, *, write: bool = False) -> CompanyAccess:
    return company_access(request.auth, company_id, module="contacts", write=write)  # type: ignore[attr-defined]


def _persons_prefetch(access: CompanyAccess) -> Prefetch:
    return Prefetch("persons", queryset=ContactPerson.objects.filter(company=access.company))


def _contact(access: CompanyAccess, contact_id: uuid.UUID) -> Contact:
    return selectors.contact_get(access=access, contact_id=contact_id)


@router.get(
    COMPANY,
    response={200: ContactPage, **READ_ERRORS},
    operation_id="contact_list",
    summary="List contacts",
    description=(
        "The company's contacts, a page at a time, each with its contact persons. Filter with "
        "`q`, `customer`, `supplier`, `active` and `kind`; follow `next` for the next page."
    ),
)
def list_contacts(
    request: HttpRequest, company_id: uuid.UUID, filters: Query[ContactListQuery]
) -> dict[str, object]:
    access = _access(request, company_id)
    contacts = selectors.contact_list(
        access=access,
        search=filters.q,
        customer=filters.customer,
        supplier=filters.supplier,
        active=filters.active,
        kind=filters.kind,
        sort=filters.sort,
    )
    count = contacts.count()
    page = contacts.prefetch_related(_persons_prefetch(access))[
        filters.offset : filters.offset + filters.limit
    ]
    next_url, previous_url = page_urls(request, count, filters.offset, filters.limit)
    return {"count": count, "next": next_url, "previous": previous_url, "items": list(page)}


@router.post(
    COMPANY,
    response={201: ContactOut, **WRITE_ERRORS},
    operation_id="contact_create",
    auth=TOKEN,
    summary="Create a contact",
    description=(
        "Creates a contact, and its contact persons if `persons` is given — all or nothing: "
        "if one person is invalid, nothing is saved."
    ),
)
def create_contact(request: HttpRequest, company_id: uuid.UUID, payload: ContactIn) -> Status:
    access = _access(request, company_id, write=True)
    with transaction.atomic():
        contact = services.contact_create(access=access, **payload.to_fields())
        errors: dict[str, list[str]] = {}
        for index, person in enumerate(payload.persons):
            try:
                services.contact_person_create(access=access, contact=contact, **person.to_fields())
            except ValidationError as error:
                for field, messages in django_errors(error).items():
                    errors[f"persons.{index}.{field}"] = messages
        if errors:
            raise ValidationError(errors)  # rolls back the contact and the persons made
    return Status(201, contact)


@router.get(
    CONTACT,
    response={200: ContactOut, **READ_ERRORS},
    operation_id="contact_get",
    summary="Get a contact",
)
def get_contact(request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID) -> Contact:
    return _contact(_access(request, company_id), contact_id)


@router.patch(
    CONTACT,
    response={200: ContactOut, **WRITE_ERRORS},
    operation_id="contact_update",
    auth=TOKEN,
    summary="Change a contact",
    description=(
        "Changes only the fields given; others keep their values. Within `postal_address` "
        "and `visiting_address` too, only the given keys change. Contact persons are changed "
        "through their own endpoints."
    ),
)
def update_contact(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID, payload: ContactPatch
) -> Contact:
    access = _access(request, company_id, write=True)
    contact = _contact(access, contact_id)
    return services.contact_update(access=access, contact=contact, **payload.to_fields())


@router.delete(
    CONTACT,
    response={204: None, 409: ErrorOut, **WRITE_ERRORS},
    operation_id="contact_delete",
    auth=TOKEN,
    summary="Delete a contact",
    description=(
        "Deletes the contact with its contact persons. A contact that is in use elsewhere "
        'cannot be deleted (409); deactivate it instead (`PATCH {"is_active": false}`).'
    ),
)
def delete_contact(request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID) -> Status:
    access = _access(request, company_id, write=True)
    services.contact_delete(access=access, contact=_contact(access, contact_id))
    return Status(204, None)


# --- Contact persons ------------------------------------------------------------------------


@router.get(
    PERSONS,
    response={200: list[PersonOut], **READ_ERRORS},
    operation_id="contact_person_list",
    summary="List a contact's persons",
    description="All contact persons of the contact (not paginated), sorted by name.",
)
def list_persons(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID
) -> list[ContactPerson]:
    access = _access(request, company_id)
    contact = _contact(access, contact_id)
    return list(selectors.contact_person_list(access=access, contact=contact))


@router.post(
    PERSONS,
    response={201: PersonOut, **WRITE_ERRORS},
    operation_id="contact_person_create",
    auth=TOKEN,
    summary="Add a contact person",
)
def create_person(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID, payload: PersonIn
) -> Status:
    access = _access(request, company_id, write=True)
    contact = _contact(access, contact_id)
    person = services.contact_person_create(access=access, contact=contact, **payload.to_fields())
    return Status(201, person)


def _person(access: CompanyAccess, contact_id: uuid.UUID, person_id: uuid.UUID) -> ContactPerson:
    contact = _contact(access, contact_id)
    return selectors.contact_person_get(access=access, contact=contact, person_id=person_id)


@router.get(
    PERSON,
    response={200: PersonOut, **READ_ERRORS},
    operation_id="contact_person_get",
    summary="Get a contact person",
)
def get_person(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID, person_id: uuid.UUID
) -> ContactPerson:
    return _person(_access(request, company_id), contact_id, person_id)


@router.patch(
    PERSON,
    response={200: PersonOut, **WRITE_ERRORS},
    operation_id="contact_person_update",
    auth=TOKEN,
    summary="Change a contact person",
    description="Changes only the fields given; others keep their values.",
)
def update_person(
    request: HttpRequest,
    company_id: uuid.UUID,
    contact_id: uuid.UUID,
    person_id: uuid.UUID,
    payload: PersonIn,
) -> ContactPerson:
    access = _access(request, company_id, write=True)
    person = _person(access, contact_id, person_id)
    return services.contact_person_update(access=access, person=person, **payload.to_fields())


@router.delete(
    PERSON,
    response={204: None, **WRITE_ERRORS},
    operation_id="contact_person_delete",
    auth=TOKEN,
    summary="Delete a contact person",
)
def delete_person(
    request: HttpRequest, company_id: uuid.UUID, contact_id: uuid.UUID, person_id: uuid.UUID
) -> Status:
    access = _access(request, company_id, write=True)
    services.contact_person_delete(access=access, person=_person(access, contact_id, person_id))
    return Status(204, None)
