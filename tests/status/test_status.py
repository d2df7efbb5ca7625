from django.urls import reverse
from django.utils import translation

from skrivbord.contacts import services as contact_services
from tests.base import BaseTestCase


class StatusPageTests(BaseTestCase):
    def test_it_shows_the_company_and_contact_figures(self) -> None:
        access = self.access(self.alice)
        contact_services.contact_create(access=access, name="Kund AB", is_customer=True)
        contact_services.contact_create(access=access, name="Leverantör AB", is_supplier=True)
        self.login(self.bob)
        with translation.override("en"):
            response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, "Acme AB")
        self.assertContains(response, "556036-0793")
        self.assertEqual(response.context["contact_counts"]["customers"], 1)
        self.assertEqual(response.context["contact_counts"]["suppliers"], 1)

    def test_it_hides_other_companies_status(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 404)

    def test_it_is_readable_by_read_only_members(self) -> None:
        self.login(self.rita)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 200)

    def test_it_builds_the_menu_from_the_registry(self) -> None:
        self.login(self.rita)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        menu_keys = [item["key"] for item in response.context["menu"]]
        self.assertEqual(menu_keys[:2], ["status", "contacts"])
