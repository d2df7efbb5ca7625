"""The API's test base: the fixed cast, each with an API token, and JSON request helpers."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.models import Company, User
from skrivbord.core.services import token_create, user_set_language
from tests.base import BaseTestCase


class ApiTestCase(BaseTestCase):
    tokens: dict[str, str]
    volvo: Contact
    ikea: Contact
    anna: ContactPerson

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # English messages, so assertions on texts hold once the Swedish catalogue grows;
        # LanguageTests switch users to Swedish explicitly.
        for user in (cls.alice, cls.bob, cls.rita, cls.charlie):
            user_set_language(user=user, language="en")
        cls.tokens = {
            user.email: token_create(user=user, name="tests")[1]
            for user in (cls.alice, cls.bob, cls.rita, cls.charlie)
        }
        access = cls._access(cls.alice, cls.acme)
        cls.volvo = contact_services.contact_create(
            access=access,
            name="Volvo Personvagnar AB",
            org_number="556074-3089",
            is_customer=True,
            postal_city="Göteborg",
        )
        cls.ikea = contact_services.contact_create(
            access=access, name="IKEA AB", is_supplier=True, postal_city="Älmhult"
        )
        cls.anna = contact_services.contact_person_create(
            access=access,
            contact=cls.volvo,
            first_name="Anna",
            last_name="Lind",
            email="anna@volvo.se",
        )

    @classmethod
    def _access(cls, user: User, company: Company) -> Any:
        from skrivbord.core.access import company_access

        return company_access(user, company.id)

    # --- requests ----------------------------------------------------------------------------

    def _headers(self, user: User | None) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user.email]}"} if user else {}

    def get(self, url: str, user: User | None = None, **params: Any) -> HttpResponse:
        return self.client.get(url, params, **self._headers(user or self.alice))

    def send(
        self, method: str, url: str, body: Any = None, user: User | None = None
    ) -> HttpResponse:
        call = getattr(self.client, method)
        data = json.dumps(body) if body is not None else ""
        return call(url, data, content_type="application/json", **self._headers(user or self.alice))

    def post(self, url: str, body: Any, user: User | None = None) -> HttpResponse:
        return self.send("post", url, body, user)

    def patch(self, url: str, body: Any, user: User | None = None) -> HttpResponse:
        return self.send("patch", url, body, user)

    def delete(self, url: str, user: User | None = None) -> HttpResponse:
        return self.send("delete", url, None, user)

    # --- URLs --------------------------------------------------------------------------------

    def contacts_url(self, company: Company | None = None) -> str:
        return f"/api/v1/companies/{(company or self.acme).id}/contacts"

    def contact_url(self, contact: Contact | str, company: Company | None = None) -> str:
        contact_id = contact if isinstance(contact, str) else contact.id
        return f"{self.contacts_url(company)}/{contact_id}"

    def persons_url(self, contact: Contact, company: Company | None = None) -> str:
        return f"{self.contact_url(contact, company)}/persons"

    def person_url(self, person: ContactPerson, company: Company | None = None) -> str:
        return f"{self.persons_url(person.contact, company)}/{person.id}"
