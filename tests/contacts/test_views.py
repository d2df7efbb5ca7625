"""The contacts screens, through real HTTP requests."""

from __future__ import annotations

import re
import uuid
from typing import Any
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skrivbord.contacts import services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core import services as core_services
from skrivbord.core.models import Company, User
from tests.base import BaseTestCase
from tests.contacts.factories import make_contact, make_person

HOSTILE = "<script>alert(1)</script>"
HOSTILE_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
DASH = "\N{EN DASH}"  # as in f"1{DASH}50 of 60"


class ContactViewTestCase(BaseTestCase):
    def login(self, user: User, language: str = "en") -> None:
        # English, so the assertions do not depend on the Swedish catalog, made later.
        core_services.user_set_language(user=user, language=language)
        super().login(user)

    def url(self, name: str, *args: object, company: Company | None = None) -> str:
        return reverse(f"contacts:{name}", args=[(company or self.acme).id, *args])

    def text(self, response: Any) -> str:
        return response.content.decode()


class ContactListViewTests(ContactViewTestCase):
    def setUp(self) -> None:
        access = self.access(self.alice)
        self.volvo = make_contact(
            access,
            "Volvo AB",
            org_number="556012-5790",
            email="info@volvo.se",
            phone="031-59 00 00",
            postal_city="Göteborg",
            is_customer=True,
        )
        self.ikea = make_contact(
            access,
            "IKEA of Sweden AB",
            org_number="556074-7569",
            postal_city="Malmö",
            is_supplier=True,
        )
        self.eva = make_contact(access, "Eva Svensson", kind="person", postal_city="Arvika")
        self.old = make_contact(access, "Gamla Åkeriet AB", is_active=False)
        make_person(access, self.ikea, "Ingvar", "Kamprad")

    def names(self, response) -> list[str]:
        return [contact.name for contact in response.context["contacts"]]

    def test_it_lists_active_contacts_with_their_details(self) -> None:
        self.login(self.rita)
        response = self.client.get(self.url("list"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.names(response), ["Eva Svensson", "IKEA of Sweden AB", "Volvo AB"])
        html = self.text(response)
        self.assertIn(f'href="{self.url("detail", self.volvo.id)}"', html)
        self.assertIn("556012-5790", html)
        self.assertIn('<a href="mailto:info@volvo.se">info@volvo.se</a>', html)
        self.assertIn('<span class="badge">Customer</span>', html)
        self.assertIn('<span class="badge">Supplier</span>', html)
        self.assertIn(f"1{DASH}3 of 3", html)
        self.assertIn('class="table-wrap"', html)
        self.assertIn('class="hide-small"', html)

    def test_it_hides_other_companies_contacts(self) -> None:
        self.login(self.charlie)
        self.assertEqual(self.client.get(self.url("list")).status_code, 404)
        response = self.client.get(self.url("list", company=self.umbrella))
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Volvo", self.text(response))

    def test_it_shows_inactive_contacts_on_request_and_marks_them(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("list"), {"active": "no"})
        self.assertEqual(self.names(response), ["Gamla Åkeriet AB"])
        self.assertIn('<tr class="inactive">', self.text(response))
        response = self.client.get(self.url("list"), {"active": "all"})
        self.assertEqual(len(self.names(response)), 4)

    def test_it_searches_by_name_org_number_and_contact_person(self) -> None:
        self.login(self.alice)
        for search, expected in [
            ("volvo", ["Volvo AB"]),
            ("556012-5790", ["Volvo AB"]),
            ("5560125790", ["Volvo AB"]),
            ("info@volvo", ["Volvo AB"]),
            ("0315900", ["Volvo AB"]),
            ("kamprad", ["IKEA of Sweden AB"]),
        ]:
            with self.subTest(search=search):
                response = self.client.get(self.url("list"), {"q": search})
                self.assertEqual(self.names(response), expected)
                self.assertIn(f'value="{search}"', self.text(response))

    def test_it_filters_customers_suppliers_and_kind(self) -> None:
        self.login(self.alice)
        for params, expected in [
            ({"customer": "yes"}, ["Volvo AB"]),
            ({"customer": "no"}, ["Eva Svensson", "IKEA of Sweden AB"]),
            ({"supplier": "yes"}, ["IKEA of Sweden AB"]),
            ({"kind": "person"}, ["Eva Svensson"]),
            ({"kind": "organisation", "supplier": "no"}, ["Volvo AB"]),
            (
                {"customer": "maybe", "kind": "robot", "active": "perhaps"},
                ["Eva Svensson", "IKEA of Sweden AB", "Volvo AB"],
            ),
        ]:
            with self.subTest(params=params):
                self.assertEqual(self.names(self.client.get(self.url("list"), params)), expected)

    def test_it_sorts_by_clicked_column_and_toggles_direction(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("list"), {"sort": "city"})
        self.assertEqual(self.names(response), ["Eva Svensson", "Volvo AB", "IKEA of Sweden AB"])
        html = self.text(response)
        self.assertIn('aria-sort="ascending"><a href="?sort=-city">City ▲</a>', html)
        self.assertIn('<a href="?sort=name">Name</a>', html)
        response = self.client.get(self.url("list"), {"sort": "-city"})
        self.assertEqual(self.names(response), ["IKEA of Sweden AB", "Volvo AB", "Eva Svensson"])
        self.assertIn('aria-sort="descending"><a href="?sort=city">City ▼</a>', self.text(response))

    def test_it_keeps_filters_when_sorting(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("list"), {"q": "ab", "customer": "yes", "page": "1"})
        self.assertIn('href="?q=ab&amp;customer=yes&amp;sort=-name"', self.text(response))

    def test_it_offers_new_contact_to_writers_only(self) -> None:
        self.login(self.bob)
        self.assertIn(self.url("create"), self.text(self.client.get(self.url("list"))))
        self.login(self.rita)
        self.assertNotIn(self.url("create"), self.text(self.client.get(self.url("list"))))

    def test_it_says_when_nothing_matches(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("list"), {"q": "no such thing"})
        self.assertIn("No contact matches your search and filters.", self.text(response))
        self.assertNotIn("<table", self.text(response))

    def test_it_says_when_there_is_nothing_to_match(self) -> None:
        self.login(self.alice)
        # Even with only inactive contacts, a search that finds nothing is "no match".
        response = self.client.get(self.url("list"), {"q": "åkeri", "active": "yes"})
        self.assertIn("No contact matches", self.text(response))

    def test_it_shows_the_escaped_hostile_name(self) -> None:
        make_contact(self.access(self.alice), HOSTILE)
        self.login(self.alice)
        html = self.text(self.client.get(self.url("list")))
        self.assertNotIn(HOSTILE, html)
        self.assertIn(HOSTILE_ESCAPED, html)

    def test_it_answers_htmx_with_the_results_partial_only(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("list"), {"q": "volvo"}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        html = self.text(response)
        self.assertNotIn("<html", html)
        self.assertNotIn('role="search"', html)
        self.assertIn('<div id="contact-results">', html)
        self.assertIn("Volvo AB", html)
        self.assertNotIn("IKEA", html)
        self.assertIn("HX-Request", response["Vary"])

    def test_it_answers_a_history_restore_with_the_whole_page(self) -> None:
        self.login(self.alice)
        response = self.client.get(
            self.url("list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
        )
        self.assertIn("<html", self.text(response))

    def test_it_has_a_search_form_that_works_with_and_without_javascript(self) -> None:
        self.login(self.alice)
        html = self.text(self.client.get(self.url("list")))
        form = re.search(r'<form method="get" action="([^"]+)"[^>]*role="search"[^>]*>', html, re.S)
        self.assertIsNotNone(form)
        assert form is not None
        self.assertEqual(form.group(1), self.url("list"))
        self.assertIn('hx-trigger="input changed delay:300ms, search"', html)
        self.assertIn('hx-target="#contact-results"', html)
        self.assertIn('hx-push-url="true"', html)
        self.assertIn('<button type="submit" class="secondary">Search</button>', html)


class ContactListEmptyTests(ContactViewTestCase):
    def test_it_invites_a_writer_to_create_the_first_contact(self) -> None:
        self.login(self.alice)
        html = self.text(self.client.get(self.url("list")))
        self.assertIn("No contacts yet.", html)
        self.assertIn("Create the first contact", html)

    def test_it_tells_a_reader_there_are_no_contacts(self) -> None:
        self.login(self.rita)
        html = self.text(self.client.get(self.url("list"), {"q": "x"}))
        self.assertIn("No contacts yet.", html)
        self.assertNotIn("Create the first contact", html)


class ContactListPaginationTests(ContactViewTestCase):
    def make(self, count: int) -> None:
        access = self.access(self.alice)
        for number in range(count):
            make_contact(
                access,
                f"Kund {number:03d} AB",
                is_customer=number % 2 == 0,
                postal_city="Uppsala",
                phone=f"018-{number:03d}",
            )

    def get_list(self, **params: str):
        return self.client.get(self.url("list"), params)

    def test_it_shows_fifty_contacts_a_page_with_counts_and_links(self) -> None:
        self.make(60)
        self.login(self.alice)
        first = self.get_list()
        html = self.text(first)
        self.assertEqual(len(first.context["contacts"]), 50)
        self.assertIn(f"1{DASH}50 of 60", html)
        self.assertIn('href="?page=2"', html)
        self.assertNotIn('rel="prev"', html)
        second = self.get_list(page="2")
        self.assertEqual(len(second.context["contacts"]), 10)
        self.assertIn(f"51{DASH}60 of 60", self.text(second))
        self.assertIn("Page 2 of 2", self.text(second))
        self.assertEqual(second.context["contacts"][0].name, "Kund 050 AB")

    def test_it_keeps_the_filters_in_the_page_links(self) -> None:
        self.make(120)
        self.login(self.alice)
        response = self.get_list(customer="yes", q="kund", sort="-name", page="1")
        self.assertIn(f"1{DASH}50 of 60", self.text(response))
        self.assertIn(
            'href="?customer=yes&amp;q=kund&amp;sort=-name&amp;page=2"', self.text(response)
        )
        response = self.get_list(customer="yes", q="kund", sort="-name", page="2")
        self.assertIn(
            'href="?customer=yes&amp;q=kund&amp;sort=-name&amp;page=1"', self.text(response)
        )
        self.assertEqual(response.context["contacts"][0].name, "Kund 018 AB")

    def test_it_shows_the_last_page_for_a_page_number_too_high(self) -> None:
        self.make(3)
        self.login(self.alice)
        response = self.get_list(page="99")
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"1{DASH}3 of 3", self.text(response))
        self.assertEqual(self.get_list(page="abc").status_code, 200)

    def queries(self, **params: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.get_list(**params).status_code, 200)
        return len(captured.captured_queries)

    def test_it_uses_the_same_few_queries_whatever_the_number_of_contacts(self) -> None:
        self.login(self.alice)
        self.make(5)
        with self.assertNumQueries(6):
            self.get_list()
        few, few_search = self.queries(), self.queries(q="kund", customer="yes")
        self.make(55)
        person_contact = make_contact(self.access(self.alice), "Kund med personer AB")
        for number in range(3):
            make_person(self.access(self.alice), person_contact, "Person", str(number))
        with self.assertNumQueries(6):
            self.get_list()
        self.assertEqual(
            (self.queries(), self.queries(q="kund", customer="yes")), (few, few_search)
        )


class ContactDetailViewTests(ContactViewTestCase):
    def setUp(self) -> None:
        access = self.access(self.alice)
        self.contact = make_contact(
            access,
            "Volvo AB",
            org_number="5560125790",
            vat_number="SE556012579001",
            email="info@volvo.se",
            phone="031-59 00 00",
            website="https://www.volvo.se",
            postal_street="Box 1",
            postal_code="405 08",
            postal_city="Göteborg",
            visiting_street="Gropegårdsgatan 2",
            visiting_city="Oslo",
            visiting_country="NO",
            notes="First line\nSecond <b>line</b>",
            is_customer=True,
        )
        self.person = make_person(
            access, self.contact, "Greta", "Garbo", title="CFO", mobile="070-111 22 33"
        )

    def test_it_shows_all_fields_addresses_notes_and_persons(self) -> None:
        self.login(self.rita)
        response = self.client.get(self.url("detail", self.contact.id))
        self.assertEqual(response.status_code, 200)
        html = self.text(response)
        for expected in [
            "<h1",
            "Volvo AB",
            "556012-5790",
            "SE556012579001",
            "mailto:info@volvo.se",
            'href="https://www.volvo.se"',
            "Box 1<br>",
            "405 08 Göteborg",
            "Gropegårdsgatan 2",
            "Norway",
            "Greta Garbo",
            "CFO",
            "070-111 22 33",
            "<p>First line<br>Second &lt;b&gt;line&lt;/b&gt;</p>",
        ]:
            self.assertIn(expected, html)
        self.assertNotIn("Sweden", html)  # a Swedish address does not repeat the country

    def test_it_offers_writers_the_buttons_and_person_links(self) -> None:
        self.login(self.bob)
        html = self.text(self.client.get(self.url("detail", self.contact.id)))
        for url in [
            self.url("edit", self.contact.id),
            self.url("delete", self.contact.id),
            self.url("set_active", self.contact.id),
            self.url("person_create", self.contact.id),
            self.url("person_edit", self.contact.id, self.person.id),
            self.url("person_delete", self.contact.id, self.person.id),
        ]:
            self.assertIn(url, html)
        self.assertIn(">Deactivate</button>", html)

    def test_it_offers_readers_no_writing(self) -> None:
        self.login(self.rita)
        html = self.text(self.client.get(self.url("detail", self.contact.id)))
        for url in [
            self.url("edit", self.contact.id),
            self.url("delete", self.contact.id),
            self.url("set_active", self.contact.id),
            self.url("person_create", self.contact.id),
        ]:
            self.assertNotIn(url, html)

    def test_it_offers_to_activate_an_inactive_contact(self) -> None:
        services.contact_set_active(
            access=self.access(self.alice), contact=self.contact, active=False
        )
        self.login(self.alice)
        html = self.text(self.client.get(self.url("detail", self.contact.id)))
        self.assertIn(">Activate</button>", html)
        self.assertIn("This contact is inactive", html)

    def test_it_shows_the_escaped_hostile_name(self) -> None:
        contact = make_contact(self.access(self.alice), HOSTILE, notes=HOSTILE)
        make_person(self.access(self.alice), contact, HOSTILE, "X")
        self.login(self.alice)
        html = self.text(self.client.get(self.url("detail", contact.id)))
        self.assertNotIn(HOSTILE, html)
        self.assertIn(HOSTILE_ESCAPED, html)

    def test_it_answers_404_for_an_unknown_contact(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url("detail", uuid.uuid4())).status_code, 404)


class ContactCreateViewTests(ContactViewTestCase):
    def data(self, **values: str) -> dict[str, str]:
        return {
            "name": "Volvo AB",
            "kind": "organisation",
            "postal_country": "SE",
            "visiting_country": "SE",
            **values,
        }

    def test_it_shows_a_keyboard_friendly_form_in_fieldsets(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("create"))
        self.assertEqual(response.status_code, 200)
        html = self.text(response)
        for expected in [
            'id="id_name"',
            'id="id_org_number"',
            'id="id_vat_number"',
            'id="id_email"',
            'name="is_customer"',
            'name="is_supplier"',
            '<textarea name="notes"',
            "<legend>Basics</legend>",
            "<legend>Postal address</legend>",
            "<legend>Visiting address</legend>",
            "<legend>Notes</legend>",
            '<button type="submit">Save</button>',
            'maxlength="200"',
            '<option value="SE" selected>Sweden</option>',
        ]:
            self.assertIn(expected, html)
        self.assertRegex(html, r'<input type="text" name="name"[^>]*autofocus')
        self.assertNotIn('name="is_active"', html)
        # The name comes first in tab order.
        self.assertLess(html.index('id="id_name"'), html.index('id="id_org_number"'))

    def test_it_creates_a_contact_and_opens_it(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            self.url("create"),
            self.data(
                org_number="5560125790",
                vat_number="se556012579001",
                is_customer="on",
                email="info@volvo.se",
                website="www.volvo.se",
                postal_country="NO",
            ),
            follow=True,
        )
        contact = Contact.objects.get()
        self.assertRedirects(response, self.url("detail", contact.id))
        self.assertEqual(contact.company, self.acme)
        self.assertEqual(
            (contact.org_number, contact.vat_number), ("556012-5790", "SE556012579001")
        )
        self.assertEqual(contact.website, "https://www.volvo.se")
        self.assertEqual(contact.postal_country, "NO")
        self.assertTrue(contact.is_customer and not contact.is_supplier and contact.is_active)
        self.assertIn("The contact Volvo AB is created.", self.text(response))

    def test_it_shows_the_organisation_number_message_under_its_field(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("create"), self.data(org_number="556012-5791"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["org_number"],
            ["556012-5791 is not a valid Swedish organisation number: the check digit is wrong."],
        )
        self.assertIn('id="id_org_number_error"', self.text(response))
        self.assertFalse(Contact.objects.exists())

    def test_it_attaches_the_message_in_swedish_too(self) -> None:
        self.login(self.alice, language="sv")
        response = self.client.post(self.url("create"), self.data(org_number="123"))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(response.context["form"].errors["org_number"]), 1)
        self.assertFalse(Contact.objects.exists())

    def test_it_shows_the_vat_number_message_under_its_field(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("create"), self.data(vat_number="SE123"))
        self.assertEqual(response.status_code, 400)
        self.assertIn(
            "SE123 is not a valid VAT number", response.context["form"].errors["vat_number"][0]
        )
        self.assertFalse(Contact.objects.exists())

    def test_it_refuses_an_over_long_name_and_saves_nothing(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("create"), self.data(name="x" * 201))
        self.assertEqual(response.status_code, 400)
        self.assertIn("name", response.context["form"].errors)
        self.assertIn('id="id_name_error"', self.text(response))
        self.assertFalse(Contact.objects.exists())

    def test_it_refuses_null_characters_and_saves_nothing(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("create"), self.data(notes="a\x00b"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("notes", response.context["form"].errors)
        self.assertFalse(Contact.objects.exists())

    def test_it_needs_a_name(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("create"), self.data(name="  "))
        self.assertEqual(response.status_code, 400)
        self.assertIn("name", response.context["form"].errors)


class ContactEditViewTests(ContactViewTestCase):
    def setUp(self) -> None:
        self.contact = make_contact(
            self.access(self.alice),
            "Volvo AB",
            phone="031-59 00 00",
            is_customer=True,
            is_active=False,
            notes="Old note",
        )

    def form_data(self, response) -> dict[str, str]:
        form = response.context["form"]
        data = {}
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, bool):
                if value:
                    data[name] = "on"
            elif value is not None:
                data[name] = str(value)
        return data

    def test_it_edits_and_keeps_what_the_form_does_not_show(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("edit", self.contact.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn('value="031-59 00 00"', self.text(response))
        data = self.form_data(response)
        data["phone"] = "031-66 00 00"
        response = self.client.post(self.url("edit", self.contact.id), data)
        self.assertRedirects(response, self.url("detail", self.contact.id))
        stored = Contact.objects.get(id=self.contact.id)
        self.assertEqual((stored.phone, stored.notes), ("031-66 00 00", "Old note"))
        self.assertTrue(stored.is_customer)
        self.assertFalse(stored.is_active)

    def test_it_saves_nothing_when_a_field_is_invalid(self) -> None:
        self.login(self.alice)
        data = self.form_data(self.client.get(self.url("edit", self.contact.id)))
        data.update(name="Volvo Cars AB", org_number="1234567890")
        response = self.client.post(self.url("edit", self.contact.id), data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("org_number", response.context["form"].errors)
        self.assertEqual(Contact.objects.get(id=self.contact.id).name, "Volvo AB")

    def test_it_refuses_an_over_long_name(self) -> None:
        self.login(self.alice)
        data = self.form_data(self.client.get(self.url("edit", self.contact.id)))
        data["name"] = "y" * 300
        response = self.client.post(self.url("edit", self.contact.id), data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("name", response.context["form"].errors)
        self.assertEqual(Contact.objects.get(id=self.contact.id).name, "Volvo AB")


class ContactSetActiveViewTests(ContactViewTestCase):
    def test_it_deactivates_and_activates(self) -> None:
        contact = make_contact(self.access(self.alice))
        self.login(self.bob)
        response = self.client.post(
            self.url("set_active", contact.id), {"active": "0"}, follow=True
        )
        self.assertRedirects(response, self.url("detail", contact.id))
        self.assertFalse(Contact.objects.get(id=contact.id).is_active)
        self.assertIn("is deactivated", self.text(response))
        self.client.post(self.url("set_active", contact.id), {"active": "1"})
        self.assertTrue(Contact.objects.get(id=contact.id).is_active)

    def test_it_only_answers_post(self) -> None:
        contact = make_contact(self.access(self.alice))
        self.login(self.alice)
        self.assertEqual(self.client.get(self.url("set_active", contact.id)).status_code, 405)


class ContactDeleteViewTests(ContactViewTestCase):
    def setUp(self) -> None:
        self.contact = make_contact(self.access(self.alice), "Volvo AB")
        make_person(self.access(self.alice), self.contact)

    def test_it_asks_before_deleting(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("delete", self.contact.id))
        self.assertEqual(response.status_code, 200)
        html = self.text(response)
        self.assertIn("Delete the contact <strong>Volvo AB</strong> for good?", html)
        self.assertIn("Its contact person is deleted too.", html)
        self.assertIn('<button type="submit" class="danger">Delete</button>', html)
        self.assertTrue(Contact.objects.exists())

    def test_it_deletes_and_returns_to_the_list(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("delete", self.contact.id), follow=True)
        self.assertRedirects(response, self.url("list"))
        self.assertIn("The contact Volvo AB is deleted.", self.text(response))
        self.assertFalse(Contact.objects.exists())
        self.assertFalse(ContactPerson.objects.exists())

    # No model refers to contacts yet (activities, vouchers and time reports come in later
    # issues), so a contact "in use" can only be simulated by patching contact_usages.
    def test_it_offers_deactivation_for_a_contact_in_use(self) -> None:
        self.login(self.alice)
        with mock.patch(
            "skrivbord.contacts.views.selectors.contact_usages", return_value=[("activities", 2)]
        ):
            response = self.client.get(self.url("delete", self.contact.id))
        html = self.text(response)
        self.assertEqual(response.status_code, 200)
        self.assertIn("This contact is in use and cannot be deleted", html)
        self.assertIn("<li>2 activities</li>", html)
        self.assertIn(f'action="{self.url("set_active", self.contact.id)}"', html)
        self.assertIn('<input type="hidden" name="active" value="0">', html)
        self.assertNotIn('class="danger">Delete', html)

    def test_it_refuses_to_delete_a_contact_in_use_with_409(self) -> None:
        self.login(self.alice)
        with mock.patch(
            "skrivbord.contacts.views.selectors.contact_usages", return_value=[("activities", 2)]
        ):
            response = self.client.post(self.url("delete", self.contact.id))
        self.assertEqual(response.status_code, 409)
        self.assertIn("This contact is in use and cannot be deleted", self.text(response))
        self.assertTrue(Contact.objects.exists())

    def test_it_explains_when_the_contact_came_into_use_meanwhile(self) -> None:
        # The page found no usage, but the service does (a reference made in between).
        self.login(self.alice)
        with mock.patch.object(services, "contact_usages", return_value=[("vouchers", 1)]):
            response = self.client.post(self.url("delete", self.contact.id))
        self.assertEqual(response.status_code, 409)
        self.assertIn("<li>1 vouchers</li>", self.text(response))
        self.assertTrue(Contact.objects.exists())


class ContactPersonViewTests(ContactViewTestCase):
    def setUp(self) -> None:
        self.contact = make_contact(self.access(self.alice), "IKEA AB")
        self.person = make_person(self.access(self.alice), self.contact, "Ingvar", "Kamprad")

    def test_it_adds_a_contact_person(self) -> None:
        self.login(self.bob)
        response = self.client.get(self.url("person_create", self.contact.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn('<button type="submit">Save</button>', self.text(response))
        response = self.client.post(
            self.url("person_create", self.contact.id),
            {
                "first_name": "Greta",
                "last_name": "Garbo",
                "email": "greta@ikea.se",
                "mobile": "070-1",
            },
            follow=True,
        )
        self.assertRedirects(response, self.url("detail", self.contact.id))
        person = ContactPerson.objects.get(first_name="Greta")
        self.assertEqual(
            (person.contact, person.company, person.email),
            (self.contact, self.acme, "greta@ikea.se"),
        )
        self.assertIn("Greta Garbo is added as a contact person.", self.text(response))

    def test_it_needs_a_name_for_a_contact_person(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url("person_create", self.contact.id), {"title": "CEO"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.context["form"].errors["last_name"], ["A contact person needs a name."]
        )
        self.assertEqual(ContactPerson.objects.count(), 1)

    def test_it_edits_a_contact_person(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("person_edit", self.contact.id, self.person.id))
        self.assertIn('value="Kamprad"', self.text(response))
        response = self.client.post(
            self.url("person_edit", self.contact.id, self.person.id),
            {"first_name": "Ingvar", "last_name": "Kamprad", "title": "Founder"},
        )
        self.assertRedirects(response, self.url("detail", self.contact.id))
        self.assertEqual(ContactPerson.objects.get(id=self.person.id).title, "Founder")

    def test_it_asks_then_deletes_a_contact_person(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("person_delete", self.contact.id, self.person.id))
        self.assertIn("Remove <strong>Ingvar Kamprad</strong>", self.text(response))
        self.assertTrue(ContactPerson.objects.exists())
        response = self.client.post(self.url("person_delete", self.contact.id, self.person.id))
        self.assertRedirects(response, self.url("detail", self.contact.id))
        self.assertFalse(ContactPerson.objects.exists())

    def test_it_hides_a_person_under_another_contact(self) -> None:
        other = make_contact(self.access(self.alice), "Volvo AB")
        self.login(self.alice)
        self.assertEqual(
            self.client.get(self.url("person_edit", other.id, self.person.id)).status_code, 404
        )
        self.assertEqual(
            self.client.post(self.url("person_delete", other.id, self.person.id)).status_code, 404
        )
        self.assertTrue(ContactPerson.objects.exists())


class ContactAccessTests(ContactViewTestCase):
    """Charlie sees nothing of Acme's; Rita reads but never writes."""

    def setUp(self) -> None:
        self.contact = make_contact(self.access(self.alice), "Volvo AB")
        self.person = make_person(self.access(self.alice), self.contact)
        c, p = self.contact.id, self.person.id
        self.read_urls = [self.url("list"), self.url("detail", c)]
        self.write_urls = [
            self.url("create"),
            self.url("edit", c),
            self.url("delete", c),
            self.url("set_active", c),
            self.url("person_create", c),
            self.url("person_edit", c, p),
            self.url("person_delete", c, p),
        ]
        self.form_urls = [url for url in self.write_urls if url != self.url("set_active", c)]
        self.post_data = {
            "name": "Taken",
            "kind": "organisation",
            "postal_country": "SE",
            "visiting_country": "SE",
            "active": "0",
            "last_name": "Taken",
        }

    def assert_unchanged(self) -> None:
        contact = Contact.objects.get(id=self.contact.id)
        self.assertEqual((contact.name, contact.is_active), ("Volvo AB", True))
        self.assertEqual(Contact.objects.count(), 1)
        self.assertEqual(list(ContactPerson.objects.values_list("last_name", flat=True)), ["Garbo"])

    def test_it_hides_every_contacts_view_from_another_company(self) -> None:
        self.login(self.charlie)
        for url in self.read_urls + self.write_urls:
            with self.subTest(url=url):
                if url not in self.write_urls or url in self.form_urls:
                    self.assertEqual(self.client.get(url).status_code, 404)
                self.assertEqual(self.client.post(url, self.post_data).status_code, 404)
        self.assert_unchanged()

    def test_it_lets_a_read_only_member_read(self) -> None:
        self.login(self.rita)
        for url in self.read_urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_it_forbids_a_read_only_member_every_write(self) -> None:
        self.login(self.rita)
        for url in self.form_urls:
            with self.subTest(url=url, method="GET"):
                self.assertEqual(self.client.get(url).status_code, 403)
        for url in self.write_urls:
            with self.subTest(url=url, method="POST"):
                self.assertEqual(self.client.post(url, self.post_data).status_code, 403)
        self.assert_unchanged()

    def test_it_sends_anonymous_visitors_to_log_in(self) -> None:
        for url in self.read_urls + self.form_urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("login"), response["Location"])
