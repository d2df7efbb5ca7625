from __future__ import annotations

import uuid
from datetime import datetime
from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact, ContactPerson
from tests.api.base import ApiTestCase


def acme_contacts(test: ApiTestCase) -> int:
    return Contact.objects.filter(company=test.acme).count()


class ListTests(ApiTestCase):
    def names(self, **params) -> list[str]:
        response = self.get(self.contacts_url(), **params)
        self.assertEqual(response.status_code, 200, response.content)
        return [item["name"] for item in response.json()["items"]]

    def test_it_lists_the_companys_contacts_with_their_persons(self) -> None:
        response = self.get(self.contacts_url())
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["count"], 2)
        self.assertIsNone(body["next"])
        self.assertIsNone(body["previous"])
        self.assertEqual(
            [item["name"] for item in body["items"]], ["IKEA AB", "Volvo Personvagnar AB"]
        )
        volvo = body["items"][1]
        self.assertEqual(volvo["id"], str(self.volvo.id))
        self.assertEqual(volvo["org_number"], "556074-3089")
        self.assertEqual(
            volvo["postal_address"],
            {"street": "", "postal_code": "", "city": "Göteborg", "country": "SE"},
        )
        self.assertEqual(volvo["visiting_address"]["country"], "SE")
        self.assertEqual(
            [(p["id"], p["first_name"], p["last_name"], p["email"]) for p in volvo["persons"]],
            [(str(self.anna.id), "Anna", "Lind", "anna@volvo.se")],
        )

    def test_it_returns_every_documented_field(self) -> None:
        item = self.get(self.contacts_url()).json()["items"][0]
        self.assertEqual(
            set(item),
            {
                "id",
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
                "notes",
                "postal_address",
                "visiting_address",
                "persons",
                "created_at",
                "updated_at",
            },
        )

    def test_it_writes_times_in_iso_8601_with_a_time_zone(self) -> None:
        item = self.get(self.contact_url(self.volvo)).json()
        created = datetime.fromisoformat(item["created_at"])
        self.assertIsNotNone(created.tzinfo)
        self.assertEqual(created, self.volvo.created_at)

    def test_it_hides_other_companies_contacts(self) -> None:
        contact_services.contact_create(
            access=self.access(self.charlie, self.umbrella), name="Umbrella secret"
        )
        self.assertNotIn("Umbrella secret", self.names())
        body = self.get(self.contacts_url(self.umbrella), user=self.charlie).json()
        self.assertEqual([item["name"] for item in body["items"]], ["Umbrella secret"])

    def test_it_filters_by_role_activity_and_kind(self) -> None:
        access = self.access(self.alice)
        contact_services.contact_create(
            access=access, name="Old Customer", is_customer=True, is_active=False
        )
        contact_services.contact_create(access=access, name="Per Persson", kind="person")
        self.assertEqual(self.names(customer="true"), ["Old Customer", "Volvo Personvagnar AB"])
        self.assertEqual(self.names(customer="false"), ["IKEA AB", "Per Persson"])
        self.assertEqual(self.names(supplier="true"), ["IKEA AB"])
        self.assertEqual(self.names(active="false"), ["Old Customer"])
        self.assertEqual(self.names(customer="true", active="true"), ["Volvo Personvagnar AB"])
        self.assertEqual(self.names(kind="person"), ["Per Persson"])
        self.assertEqual(len(self.names()), 4, "no filter lists active and inactive contacts")

    def test_it_searches_names_numbers_and_contact_persons(self) -> None:
        self.assertEqual(self.names(q="volvo"), ["Volvo Personvagnar AB"])
        self.assertEqual(self.names(q="5560743089"), ["Volvo Personvagnar AB"])
        self.assertEqual(self.names(q="Lind"), ["Volvo Personvagnar AB"], "a contact person's name")
        self.assertEqual(self.names(q="nothing like this"), [])

    def test_it_sorts(self) -> None:
        self.assertEqual(self.names(sort="-name"), ["Volvo Personvagnar AB", "IKEA AB"])
        self.assertEqual(self.names(sort="city"), ["Volvo Personvagnar AB", "IKEA AB"])
        response = self.get(self.contacts_url(), sort="shoe_size")
        self.assertEqual(response.status_code, 422)
        self.assertIn("-name", response.json()["errors"]["sort"][0])

    def test_it_refuses_filters_of_the_wrong_type(self) -> None:
        response = self.get(self.contacts_url(), customer="perhaps", kind="robot")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["errors"]), {"customer", "kind"})

    def test_it_pages_with_limit_offset_and_links(self) -> None:
        access = self.access(self.alice)
        for number in range(5):
            contact_services.contact_create(access=access, name=f"Firma {number}")
        first = self.get(self.contacts_url(), limit=3, q="Firma").json()
        self.assertEqual(first["count"], 5)
        self.assertEqual(
            [item["name"] for item in first["items"]], ["Firma 0", "Firma 1", "Firma 2"]
        )
        self.assertIsNone(first["previous"])
        self.assertTrue(first["next"].startswith("http://testserver/api/v1/companies/"))
        self.assertIn("q=Firma", first["next"], "the filters carry over to the next page")
        second = self.client.get(
            first["next"], HTTP_AUTHORIZATION=f"Bearer {self.tokens[self.alice.email]}"
        ).json()
        self.assertEqual([item["name"] for item in second["items"]], ["Firma 3", "Firma 4"])
        self.assertIsNone(second["next"])
        back = self.client.get(
            second["previous"], HTTP_AUTHORIZATION=f"Bearer {self.tokens[self.alice.email]}"
        ).json()
        self.assertEqual(back["items"], first["items"])
        beyond = self.get(self.contacts_url(), limit=3, offset=10).json()
        self.assertEqual((beyond["count"], beyond["items"]), (7, []))

    def test_it_limits_the_page_size(self) -> None:
        for limit in ("0", "-1", "501", "many"):
            with self.subTest(limit=limit):
                response = self.get(self.contacts_url(), limit=limit)
                self.assertEqual(response.status_code, 422)
                self.assertIn("limit", response.json()["errors"])
        self.assertEqual(self.get(self.contacts_url(), limit=500).status_code, 200)
        self.assertEqual(self.get(self.contacts_url(), offset=-1).status_code, 422)

    def count_queries(self) -> int:
        self.get(self.contacts_url())  # the first call of a token records its use: warm up
        with CaptureQueriesContext(connection) as queries:
            response = self.get(self.contacts_url(), limit=100)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def add_contacts(self, how_many: int) -> None:
        access = self.access(self.alice)
        for number in range(how_many):
            contact = contact_services.contact_create(access=access, name=f"Firma {number}")
            for last_name in ("Ek", "Berg"):
                contact_services.contact_person_create(
                    access=access, contact=contact, last_name=last_name
                )

    def test_it_lists_in_a_fixed_number_of_queries(self) -> None:
        # Query count pinned: token, membership, count, page, contact persons — with 3
        # contacts as with 30 (no query per contact).
        self.add_contacts(1)
        self.assertEqual(self.get(self.contacts_url()).json()["count"], 3)
        self.assertEqual(self.count_queries(), 5)
        self.add_contacts(27)
        self.assertEqual(self.get(self.contacts_url()).json()["count"], 30)
        self.assertEqual(self.count_queries(), 5)


class CreateTests(ApiTestCase):
    def test_it_creates_a_contact(self) -> None:
        response = self.post(
            self.contacts_url(),
            {
                "name": "  Spotify AB ",
                "org_number": "5567037485",
                "vat_number": "SE556703748501",
                "email": "info@spotify.com",
                "is_customer": True,
                "postal_address": {
                    "street": "Regeringsgatan 19",
                    "postal_code": "111 53",
                    "city": "Stockholm",
                },
                "visiting_address": {"city": "Stockholm", "country": "se"},
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        contact = Contact.objects.get(id=body["id"])
        self.assertEqual(contact.company, self.acme)
        self.assertEqual(contact.name, "Spotify AB")
        self.assertEqual(contact.org_number, "556703-7485", "stored normalised")
        self.assertEqual(contact.postal_street, "Regeringsgatan 19")
        self.assertEqual(contact.postal_code, "111 53")
        self.assertEqual(contact.visiting_country, "SE")
        self.assertEqual(body["org_number"], "556703-7485")
        self.assertEqual(body["kind"], "organisation")
        self.assertTrue(body["is_active"])
        self.assertFalse(body["is_supplier"])
        self.assertEqual(body["persons"], [])
        self.assertEqual(body["postal_address"]["city"], "Stockholm")

    def test_a_user_may_create_contacts(self) -> None:
        response = self.post(self.contacts_url(), {"name": "By Bob"}, user=self.bob)
        self.assertEqual(response.status_code, 201)

    def test_it_creates_contact_persons_in_the_same_request(self) -> None:
        response = self.post(
            self.contacts_url(),
            {
                "name": "Ericsson AB",
                "persons": [
                    {"first_name": "Erik", "last_name": "Ek", "title": "CFO"},
                    {"last_name": "Berg", "mobile": "070-123 45 67"},
                ],
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        persons = response.json()["persons"]
        self.assertEqual(
            [(p["last_name"], p["title"]) for p in persons], [("Berg", ""), ("Ek", "CFO")]
        )
        contact = Contact.objects.get(id=response.json()["id"])
        self.assertEqual(
            ContactPerson.objects.filter(contact=contact, company=self.acme).count(), 2
        )

    def test_an_invalid_person_saves_nothing(self) -> None:
        before = (acme_contacts(self), ContactPerson.objects.count())
        response = self.post(
            self.contacts_url(),
            {
                "name": "Half AB",
                "persons": [{"last_name": "Fine"}, {"title": "No name"}, {"email": "x"}],
            },
        )
        self.assertEqual(response.status_code, 422)
        errors = response.json()["errors"]
        self.assertEqual(set(errors), {"persons.1.last_name", "persons.2.last_name"})
        self.assertEqual((acme_contacts(self), ContactPerson.objects.count()), before)

    def test_an_invalid_org_number_saves_nothing(self) -> None:
        before = acme_contacts(self)
        response = self.post(self.contacts_url(), {"name": "Bad AB", "org_number": "556036-0794"})
        self.assertEqual(response.status_code, 422)
        body = response.json()
        self.assertTrue(body["detail"])
        self.assertEqual(list(body["errors"]), ["org_number"])
        self.assertIn("556036-0794", body["errors"]["org_number"][0])
        self.assertEqual(acme_contacts(self), before)

    def test_an_over_long_name_saves_nothing(self) -> None:
        before = acme_contacts(self)
        response = self.post(self.contacts_url(), {"name": "x" * 201})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json()["errors"], {"name": ["Ensure this value has at most 200 characters."]}
        )
        self.assertEqual(acme_contacts(self), before)

    def test_it_names_nested_fields_in_errors(self) -> None:
        response = self.post(
            self.contacts_url(),
            {"name": "Far away", "postal_address": {"city": "y" * 101, "country": "Sweden"}},
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            set(response.json()["errors"]), {"postal_address.city", "postal_address.country"}
        )
        # A service's error on a flat model field comes back under its JSON name too.
        response = self.post(
            self.contacts_url(), {"name": "No country", "visiting_address": {"country": ""}}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("visiting_address.country", response.json()["errors"])

    def test_it_requires_a_name(self) -> None:
        for body in ({}, {"name": "   "}):
            with self.subTest(body=body):
                response = self.post(self.contacts_url(), body)
                self.assertEqual(response.status_code, 422)
                self.assertIn("name", response.json()["errors"])

    def test_it_refuses_unknown_fields(self) -> None:
        before = acme_contacts(self)
        response = self.post(
            self.contacts_url(), {"name": "Extra AB", "company": str(self.umbrella.id)}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["errors"], {"company": ["Unknown field."]})
        response = self.post(
            self.contacts_url(), {"name": "Extra AB", "postal_address": {"town": "Ö"}}
        )
        self.assertEqual(response.json()["errors"], {"postal_address.town": ["Unknown field."]})
        self.assertEqual(acme_contacts(self), before)

    def test_it_refuses_wrong_types(self) -> None:
        response = self.post(
            self.contacts_url(), {"name": 42, "is_customer": "maybe", "kind": "robot"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["errors"]), {"name", "is_customer", "kind"})

    def test_it_refuses_malformed_json(self) -> None:
        before = acme_contacts(self)
        response = self.client.post(
            self.contacts_url(),
            '{"name": "Broken AB",',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens[self.alice.email]}",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "The request body is not valid JSON."})
        self.assertEqual(acme_contacts(self), before)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_it_refuses_a_body_that_is_too_large(self) -> None:
        before = acme_contacts(self)
        response = self.post(self.contacts_url(), {"name": "Big AB", "notes": "x" * 2000})
        self.assertEqual(response.status_code, 413)
        self.assertEqual(response.json(), {"detail": "The request body is too large."})
        self.assertEqual(acme_contacts(self), before)

    def test_it_refuses_a_body_that_is_not_an_object(self) -> None:
        for body in ([1, 2], "Volvo", None):
            with self.subTest(body=body):
                response = self.send("post", self.contacts_url(), body)
                self.assertEqual(response.status_code, 422)
                self.assertIn("__all__", response.json()["errors"])

    def test_hostile_strings_round_trip_unchanged(self) -> None:
        hostile = {
            "name": "<script>alert('x')</script> & \"Söner\" AB",
            "notes": "{{ 7*7 }} {% debug %} '; DROP TABLE contacts_contact; -- \u202e 🙂\nline 2",
            "phone": "+46 (0)8-123 45 67",
            "postal_address": {"street": "Ågatan 1 <b>", "city": "Örebro & Co"},
        }
        created = self.post(self.contacts_url(), hostile)
        self.assertEqual(created.status_code, 201, created.content)
        self.assertIn(b"<script>", created.content, "JSON is not HTML-escaped")
        fetched = self.get(self.contact_url(created.json()["id"])).json()
        for body in (created.json(), fetched):
            self.assertEqual(body["name"], hostile["name"])
            self.assertEqual(body["notes"], hostile["notes"])
            self.assertEqual(body["phone"], hostile["phone"])
            self.assertEqual(body["postal_address"]["street"], "Ågatan 1 <b>")
            self.assertEqual(body["postal_address"]["city"], "Örebro & Co")

    def test_it_refuses_null_characters(self) -> None:
        response = self.post(self.contacts_url(), {"name": "Nul\u0000 AB"})
        self.assertEqual(response.status_code, 422)
        self.assertIn("name", response.json()["errors"])


class GetTests(ApiTestCase):
    def test_it_gets_a_contact(self) -> None:
        response = self.get(self.contact_url(self.volvo))
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["name"], "Volvo Personvagnar AB")
        self.assertEqual(body["persons"][0]["id"], str(self.anna.id))

    def test_an_unknown_or_malformed_id_is_not_found(self) -> None:
        for contact_id in (str(uuid.uuid4()), "not-a-uuid", "1"):
            with self.subTest(contact_id=contact_id):
                response = self.get(self.contact_url(contact_id))
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.json(), {"detail": "Not found."})

    def test_a_malformed_company_id_is_not_found(self) -> None:
        response = self.get("/api/v1/companies/not-a-uuid/contacts")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"detail": "Not found."})


class PatchTests(ApiTestCase):
    def test_it_changes_only_the_given_fields(self) -> None:
        before = Contact.objects.get(id=self.volvo.id)
        response = self.patch(
            self.contact_url(self.volvo),
            {"phone": "031-59 00 00", "postal_address": {"street": "Assar Gabrielssons väg"}},
        )
        self.assertEqual(response.status_code, 200, response.content)
        after = Contact.objects.get(id=self.volvo.id)
        self.assertEqual(after.phone, "031-59 00 00")
        self.assertEqual(after.postal_street, "Assar Gabrielssons väg")
        self.assertEqual(after.postal_city, "Göteborg", "an address key not given keeps its value")
        self.assertEqual(after.name, before.name)
        self.assertEqual(after.org_number, before.org_number)
        self.assertTrue(after.is_customer)
        self.assertGreater(after.updated_at, before.updated_at)
        self.assertEqual(response.json()["phone"], "031-59 00 00")
        self.assertEqual(len(response.json()["persons"]), 1)

    def test_it_deactivates_a_contact(self) -> None:
        response = self.patch(self.contact_url(self.volvo), {"is_active": False}, user=self.bob)
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Contact.objects.get(id=self.volvo.id).is_active)

    def test_an_empty_patch_changes_nothing(self) -> None:
        response = self.patch(self.contact_url(self.volvo), {})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Contact.objects.get(id=self.volvo.id).updated_at, self.volvo.updated_at)

    def test_an_invalid_patch_changes_nothing(self) -> None:
        response = self.patch(
            self.contact_url(self.volvo), {"name": "New name", "org_number": "123"}
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("org_number", response.json()["errors"])
        self.assertEqual(Contact.objects.get(id=self.volvo.id).name, "Volvo Personvagnar AB")

    def test_it_refuses_null_and_unknown_fields(self) -> None:
        response = self.patch(self.contact_url(self.volvo), {"email": None, "persons": []})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["errors"]), {"email", "persons"})

    def test_it_cannot_change_another_companys_contact(self) -> None:
        umbrella_contact = contact_services.contact_create(
            access=self.access(self.charlie, self.umbrella), name="U"
        )
        response = self.patch(self.contact_url(umbrella_contact), {"name": "Mine now"})
        self.assertEqual(response.status_code, 404)
        response = self.patch(
            self.contact_url(umbrella_contact, self.umbrella), {"name": "Mine now"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Contact.objects.get(id=umbrella_contact.id).name, "U")


class DeleteTests(ApiTestCase):
    def test_it_deletes_a_contact_with_its_persons(self) -> None:
        response = self.delete(self.contact_url(self.volvo))
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.content, b"")
        self.assertFalse(Contact.objects.filter(id=self.volvo.id).exists())
        self.assertFalse(ContactPerson.objects.filter(id=self.anna.id).exists())
        self.assertEqual(self.get(self.contact_url(self.volvo)).status_code, 404)
        self.assertEqual(self.delete(self.contact_url(self.volvo)).status_code, 404)

    def test_a_contact_in_use_is_not_deleted(self) -> None:
        with mock.patch.object(contact_services, "contact_usages", return_value=[("vouchers", 3)]):
            response = self.delete(self.contact_url(self.volvo))
        self.assertEqual(response.status_code, 409)
        detail = response.json()["detail"]
        self.assertIn("3 vouchers", detail)
        self.assertIn("Deactivate", detail)
        self.assertTrue(Contact.objects.filter(id=self.volvo.id).exists())
