"""The JSON shapes of the API.

Input schemas forbid unknown fields and carry the models' length limits, so a bad request is
refused with a per-field message before it reaches a service. The services still validate
everything (organisation numbers, e-mail addresses, ...): they are the single write path.

Addresses are nested objects in JSON (`postal_address.city`) and flat fields in the model
(`postal_city`); `ADDRESS_FIELDS` maps between the two, here in the API layer only.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.contacts.selectors import DEFAULT_SORT, SORTS

# JSON object -> {JSON key: model field}.
ADDRESS_FIELDS: dict[str, dict[str, str]] = {
    "postal_address": {
        "street": "postal_street",
        "postal_code": "postal_code",
        "city": "postal_city",
        "country": "postal_country",
    },
    "visiting_address": {
        "street": "visiting_street",
        "postal_code": "visiting_postal_code",
        "city": "visiting_city",
        "country": "visiting_country",
    },
}
# Model field -> dotted JSON path, for error messages ("postal_city" -> "postal_address.city").
API_FIELD_NAMES: dict[str, str] = {
    model_field: f"{group}.{key}"
    for group, fields in ADDRESS_FIELDS.items()
    for key, model_field in fields.items()
}

# --- Errors ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the user's language.")


class ValidationErrorOut(Schema):
    detail: str = Field(description="A summary, in the user's language.")
    errors: dict[str, list[str]] = Field(
        description=(
            "Messages per field. Keys are JSON paths: `name`, `postal_address.city`, "
            "`persons.0.email`; `__all__` for the request as a whole."
        )
    )


# --- Input ----------------------------------------------------------------------------------


def _without_defaults(schema: dict[str, Any]) -> None:
    # In a partial update an omitted field keeps its value: a "default" would mislead.
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


class _Input(Schema):
    model_config = ConfigDict(extra="forbid")


class AddressIn(_Input):
    """An address; omitted fields keep their value (or the default when creating)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)

    street: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=12)
    city: str = Field(default="", max_length=100)
    country: str = Field(
        default="SE", max_length=2, description="ISO 3166-1 alpha-2 country code; defaults to SE."
    )


class PersonIn(_Input):
    """A contact person. Give a first or a last name; on PATCH only the given fields change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)

    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    mobile: str = Field(default="", max_length=40)
    notes: str = Field(default="", max_length=10_000)

    def to_fields(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class ContactPatch(_Input):
    """A partial update of a contact: only the fields given change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)

    kind: Literal["organisation", "person"] = "organisation"
    name: str = Field(default="", max_length=200)
    # A little longer than the stored form: spaces or a century are allowed on input, and
    # the service stores the normalised number (556036-0793, SE556036079301).
    org_number: str = Field(
        default="", max_length=20, description="Swedish organisation number, e.g. 556036-0793."
    )
    vat_number: str = Field(
        default="", max_length=24, description="EU VAT number, e.g. SE556036079301."
    )
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    website: str = Field(default="", max_length=200)
    is_customer: bool = False
    is_supplier: bool = False
    is_active: bool = True
    notes: str = Field(default="", max_length=10_000)
    postal_address: AddressIn = Field(default_factory=AddressIn)
    visiting_address: AddressIn = Field(default_factory=AddressIn)

    def to_fields(self) -> dict[str, Any]:
        """The model fields to set: given fields only, addresses flattened."""
        data = self.model_dump(exclude_unset=True, exclude={"persons"})
        for group, mapping in ADDRESS_FIELDS.items():
            for key, value in (data.pop(group, None) or {}).items():
                data[mapping[key]] = value
        return data


class ContactIn(ContactPatch):
    """A new contact, optionally with its contact persons (created in the same transaction)."""

    # Unlike a PATCH, a new contact does get the defaults shown.
    model_config = ConfigDict(extra="forbid", json_schema_extra=None)

    name: str = Field(max_length=200)
    persons: list[PersonIn] = Field(default_factory=list, max_length=100)


class ContactListQuery(Schema):
    limit: int = Field(
        default=50, ge=1, le=settings.API_PAGE_SIZE_MAX, description="How many contacts per page."
    )
    offset: int = Field(default=0, ge=0, description="How many contacts to skip.")
    q: str = Field(
        default="",
        max_length=200,
        description=(
            "Search in name, organisation number, e-mail, phone and the contact persons' "
            "names and e-mail addresses."
        ),
    )
    customer: bool | None = Field(
        default=None, description="Only customers (true) or non-customers."
    )
    supplier: bool | None = Field(
        default=None, description="Only suppliers (true) or non-suppliers."
    )
    active: bool | None = Field(
        default=None, description="Only active (true) or inactive contacts."
    )
    kind: Literal["organisation", "person"] | None = None
    sort: str = Field(
        default=DEFAULT_SORT,
        description="Sort order; a leading minus reverses it.",
        json_schema_extra={"enum": list(SORTS)},
    )

    @field_validator("sort")
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in SORTS:
            raise ValueError(
                _("Unknown sort order. Use one of: %(sorts)s.") % {"sorts": ", ".join(SORTS)}
            )
        return value


# --- Output ---------------------------------------------------------------------------------


class AddressOut(Schema):
    street: str
    postal_code: str
    city: str
    country: str


class PersonOut(Schema):
    id: uuid.UUID
    first_name: str
    last_name: str
    title: str
    email: str
    phone: str
    mobile: str
    notes: str
    created_at: datetime
    updated_at: datetime


class ContactOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    org_number: str
    vat_number: str
    email: str
    phone: str
    website: str
    is_customer: bool
    is_supplier: bool
    is_active: bool
    notes: str
    postal_address: AddressOut
    visiting_address: AddressOut
    persons: list[PersonOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_postal_address(obj: Contact) -> dict[str, str]:
        return {key: getattr(obj, field) for key, field in ADDRESS_FIELDS["postal_address"].items()}

    @staticmethod
    def resolve_visiting_address(obj: Contact) -> dict[str, str]:
        return {
            key: getattr(obj, field) for key, field in ADDRESS_FIELDS["visiting_address"].items()
        }

    @staticmethod
    def resolve_persons(obj: Contact) -> list[ContactPerson]:
        # Uses the prefetched persons of a list page; one query for a single contact.
        return list(obj.persons.all())


class ContactPage(Schema):
    count: int = Field(description="How many contacts match, on all pages.")
    next: str | None = Field(description="The URL of the next page, or null on the last.")
    previous: str | None = Field(description="The URL of the previous page, or null.")
    items: list[ContactOut]


class CompanyOut(Schema):
    id: uuid.UUID
    name: str
    org_number: str
    role: Literal["administrator", "user", "read-only"]
    is_default: bool


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    language: str = Field(description="The user's language for messages: sv or en.")
    companies: list[CompanyOut]
