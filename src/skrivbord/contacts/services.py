"""Writes to contacts and contact persons.

These functions are the only write path to Contact and ContactPerson: the web UI, the REST
API, the CLI, imports, the admin and the demo generator all call them. Sync change capture
(issue 3) hooks in here; a write that bypassed these functions would never reach the other
node, so do not call Contact.objects.create/update/delete anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.contacts.models import Contact, ContactKind, ContactPerson
from skrivbord.contacts.selectors import contact_usages
from skrivbord.core.access import CompanyAccess
from skrivbord.core.validators import normalize_org_number, normalize_vat_number

CONTACT_FIELDS = (
    "kind",
    "name",
    "org_number",
    "vat_number",
    "email",
    "phone",
    "website",
    "is_customer",
    "is_supplier",
    "is_active",
    "postal_street",
    "postal_code",
    "postal_city",
    "postal_country",
    "visiting_street",
    "visiting_postal_code",
    "visiting_city",
    "visiting_country",
    "notes",
)
PERSON_FIELDS = ("first_name", "last_name", "title", "email", "phone", "mobile", "notes")


class ContactInUse(Exception):
    """The contact is referred to elsewhere; it can be deactivated but not deleted."""

    def __init__(self, usages: list[tuple[str, int]]) -> None:
        self.usages = usages
        super().__init__(
            _("The contact is in use (%(usages)s) and cannot be deleted. Deactivate it instead.")
            % {"usages": ", ".join(f"{count} {what}" for what, count in usages)}
        )


def _clean_text(values: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if isinstance(value, str):
            if "\x00" in value:
                # PostgreSQL cannot store NUL in text; refuse it with a message, not a 500.
                errors.setdefault(field, []).append(_("Null characters are not allowed."))
                continue
            value = value.strip()
            if field in {"postal_country", "visiting_country"}:
                value = value.upper()
        cleaned[field] = value
    return cleaned


def _prepare_contact(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown contact fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_text(values, errors)
    if "name" in cleaned and not cleaned["name"]:
        errors.setdefault("name", []).append(_("A contact needs a name."))
    if "kind" in cleaned and cleaned["kind"] not in ContactKind.values:
        errors.setdefault("kind", []).append(_("The kind must be organisation or person."))
    numbers = (("org_number", normalize_org_number), ("vat_number", normalize_vat_number))
    for field, normalize in numbers:
        if field in cleaned and field not in errors:
            try:
                cleaned[field] = normalize(cleaned[field] or "")
            except ValidationError as error:
                errors.setdefault(field, []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _full_clean(instance: Contact | ContactPerson, exclude: list[str]) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


Row = TypeVar("Row", Contact, ContactPerson)


def _save_changes(
    row: Row,
    cleaned: dict[str, Any],
    *,
    exclude: list[str],
    check: Callable[[Row], None] | None = None,
) -> Row:
    """Write only the fields whose values change, so an unchanged field is never a change."""
    changed: list[str] = [f for f, value in cleaned.items() if getattr(row, f) != value]
    if not changed:
        return row
    for field in changed:
        setattr(row, field, cleaned[field])
    if check is not None:
        check(row)
    _full_clean(row, exclude=exclude)
    row.updated_at = timezone.now()
    row.save(update_fields=[*changed, "updated_at"])
    return row


@transaction.atomic
def contact_create(*, access: CompanyAccess, **values: Any) -> Contact:
    access.require("contacts", "change")
    cleaned = _prepare_contact(values)
    contact = Contact(company=access.company, **cleaned)
    _full_clean(contact, exclude=["company"])
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, access: CompanyAccess, contact: Contact, **values: Any) -> Contact:
    """Change the given fields only (a PATCH): fields not named keep their values."""
    access.require("contacts", "change")
    if contact.company_id != access.company.id:
        raise PermissionError("contact of another company")
    return _save_changes(contact, _prepare_contact(values), exclude=["company"])


def contact_set_active(*, access: CompanyAccess, contact: Contact, active: bool) -> Contact:
    return contact_update(access=access, contact=contact, is_active=active)


@transaction.atomic
def contact_delete(*, access: CompanyAccess, contact: Contact) -> None:
    """Delete an unused contact with its contact persons; a used one raises ContactInUse."""
    access.require("contacts", "change")
    if contact.company_id != access.company.id:
        raise PermissionError("contact of another company")
    usages = contact_usages(contact=contact)
    if usages:
        raise ContactInUse(usages)
    try:
        contact.delete()
    except ProtectedError as error:  # a reference that appeared since the check above
        raise ContactInUse(contact_usages(contact=contact)) from error


def _prepare_person(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown contact person fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_text(values, errors)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _require_person_name(person: ContactPerson) -> None:
    if not person.first_name and not person.last_name:
        raise ValidationError({"last_name": [_("A contact person needs a name.")]})


@transaction.atomic
def contact_person_create(
    *, access: CompanyAccess, contact: Contact, **values: Any
) -> ContactPerson:
    access.require("contacts", "change")
    if contact.company_id != access.company.id:
        raise PermissionError("contact of another company")
    person = ContactPerson(company=access.company, contact=contact, **_prepare_person(values))
    _require_person_name(person)
    _full_clean(person, exclude=["company", "contact"])
    person.save()
    return person


@transaction.atomic
def contact_person_update(
    *, access: CompanyAccess, person: ContactPerson, **values: Any
) -> ContactPerson:
    access.require("contacts", "change")
    if person.company_id != access.company.id:
        raise PermissionError("contact person of another company")
    return _save_changes(
        person, _prepare_person(values), exclude=["company", "contact"], check=_require_person_name
    )


@transaction.atomic
def contact_person_delete(*, access: CompanyAccess, person: ContactPerson) -> None:
    access.require("contacts", "change")
    if person.company_id != access.company.id:
        raise PermissionError("contact person of another company")
    person.delete()
