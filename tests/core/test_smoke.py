from django.urls import reverse

from tests.base import BaseTestCase


class HomeTests(BaseTestCase):
    def test_it_redirects_to_the_default_company_status(self) -> None:
        self.login(self.alice)
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, reverse("status:index", args=[self.acme.id]))

    def test_it_hides_other_companies_status_page(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 404)
