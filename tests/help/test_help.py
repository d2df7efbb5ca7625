from django.urls import reverse
from django.utils import translation

from skrivbord.core import registry
from skrivbord.help.pages import available_pages, load_page
from tests.base import BaseTestCase


class HelpTests(BaseTestCase):
    def test_every_module_has_a_help_page_in_both_languages(self) -> None:
        for module in registry.all_modules():
            for language in ("sv", "en"):
                page = load_page(module.help_page, language)
                self.assertIsNotNone(page, f"{module.help_page} ({language})")
                assert page is not None
                self.assertEqual(page.language, language, f"{module.help_page} falls back")

    def test_the_help_link_opens_the_current_screens_page(self) -> None:
        self.login(self.alice)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, f'href="{reverse("help:page", args=["status"])}"')
        response = self.client.get(reverse("contacts:list", args=[self.acme.id]))
        self.assertContains(response, f'href="{reverse("help:page", args=["contacts"])}"')

    def test_it_renders_a_page_in_the_users_language(self) -> None:
        with translation.override("en"):
            en = self.client.get(reverse("help:page", args=["index"]), HTTP_ACCEPT_LANGUAGE="en")
        self.assertEqual(en.status_code, 200)
        sv = self.client.get(reverse("help:page", args=["index"]), HTTP_ACCEPT_LANGUAGE="sv")
        self.assertEqual(sv.status_code, 200)
        self.assertNotEqual(en.context["page"].html, sv.context["page"].html)

    def test_it_answers_404_for_unknown_or_hostile_pages(self) -> None:
        self.assertEqual(self.client.get("/help/no-such-page/").status_code, 404)
        self.assertEqual(self.client.get("/help/..%2Fsettings/").status_code, 404)
        self.assertIsNone(load_page("../../settings", "sv"))

    def test_it_lists_the_pages(self) -> None:
        self.assertIn("index", available_pages("sv"))
