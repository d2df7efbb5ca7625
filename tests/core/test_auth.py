from django.test import override_settings
from django.urls import reverse

from skrivbord.core import services
from skrivbord.core.models import Role
from tests.base import PASSWORD, BaseTestCase


class LoginTests(BaseTestCase):
    def _login(self, email: str, password: str, language: str = "sv"):
        return self.client.post(
            reverse("login"),
            {"username": email, "password": password},
            HTTP_ACCEPT_LANGUAGE=language,
        )

    def test_it_logs_in_by_email_and_opens_the_status_page(self) -> None:
        response = self._login("alice@acme.se", PASSWORD)
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)
        response = self.client.get(reverse("home"), follow=True)
        self.assertContains(response, "Acme AB")
        self.assertEqual(
            response.request["PATH_INFO"], reverse("status:index", args=[self.acme.id])
        )

    def test_it_accepts_the_email_in_any_case(self) -> None:
        response = self._login("Alice@ACME.se", PASSWORD)
        self.assertEqual(response.status_code, 302)

    def test_it_gives_one_generic_message_for_wrong_password_and_unknown_user(self) -> None:
        wrong_password = self._login("alice@acme.se", "nope", language="en")
        unknown_user = self._login("nobody@acme.se", "nope", language="en")
        self.assertEqual(wrong_password.status_code, 200)
        self.assertContains(wrong_password, "Wrong e-mail or password.")
        self.assertContains(unknown_user, "Wrong e-mail or password.")

    def test_it_shows_the_login_error_in_swedish_by_default(self) -> None:
        response = self._login("alice@acme.se", "nope")
        self.assertContains(response, "Fel e-postadress eller lösenord.")

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_it_throttles_repeated_failures(self) -> None:
        for _attempt in range(3):
            self._login("alice@acme.se", "wrong")
        # Even the right password is refused while locked out.
        response = self._login("alice@acme.se", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_has_csrf_protection_on_the_login_form(self) -> None:
        client = self.client_class(enforce_csrf_checks=True)
        response = client.post(
            reverse("login"), {"username": "alice@acme.se", "password": PASSWORD}
        )
        self.assertEqual(response.status_code, 403)

    def test_it_refuses_an_inactive_user(self) -> None:
        self.bob.is_active = False
        self.bob.save()
        response = self._login("bob@acme.se", PASSWORD)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_logs_out_with_post(self) -> None:
        self.login(self.alice)
        response = self.client.post(reverse("logout"))
        self.assertRedirects(response, reverse("login"), fetch_redirect_response=False)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_it_sends_anonymous_users_to_login(self) -> None:
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, f"{reverse('login')}?next=/", fetch_redirect_response=False)


class PasswordChangeTests(BaseTestCase):
    def test_it_changes_the_password(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "a much better passphrase 42",
                "new_password2": "a much better passphrase 42",
            },
        )
        self.assertRedirects(response, reverse("account"))
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.check_password("a much better passphrase 42"))

    def test_it_refuses_a_wrong_old_password(self) -> None:
        self.login(self.bob)
        response = self.client.post(
            reverse("password_change"),
            {
                "old_password": "wrong",
                "new_password1": "a much better passphrase 42",
                "new_password2": "a much better passphrase 42",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.bob.refresh_from_db()
        self.assertTrue(self.bob.check_password(PASSWORD))


class CompanySwitchTests(BaseTestCase):
    def test_it_switches_company_and_remembers_it(self) -> None:
        services.membership_set(user=self.alice, company=self.umbrella, role=Role.USER)
        self.login(self.alice)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, 'id="company-switch"')
        self.assertContains(response, "Umbrella AB")
        response = self.client.post(reverse("switch_company"), {"company": str(self.umbrella.id)})
        self.assertRedirects(response, reverse("status:index", args=[self.umbrella.id]))
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.default_company_id, self.umbrella.id)
        response = self.client.get(reverse("home"))
        self.assertRedirects(response, reverse("status:index", args=[self.umbrella.id]))

    def test_it_hides_other_companies_from_the_switch(self) -> None:
        self.login(self.charlie)
        response = self.client.post(reverse("switch_company"), {"company": str(self.acme.id)})
        self.assertEqual(response.status_code, 404)
        self.charlie.refresh_from_db()
        self.assertEqual(self.charlie.default_company_id, self.umbrella.id)

    def test_it_rejects_a_malformed_company_id(self) -> None:
        self.login(self.alice)
        response = self.client.post(reverse("switch_company"), {"company": "not-a-uuid"})
        self.assertEqual(response.status_code, 404)

    def test_it_shows_a_friendly_page_to_a_user_without_company(self) -> None:
        loner = services.user_create(
            email="loner@example.se", password=PASSWORD, language="en", check_password=False
        )
        self.login(loner)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "not a member of any company")


class LanguageTests(BaseTestCase):
    def test_it_defaults_to_swedish(self) -> None:
        self.login(self.alice)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, '<html lang="sv">')
        self.assertContains(response, "Kontakter")

    def test_it_switches_the_user_to_english_and_remembers_it(self) -> None:
        self.login(self.alice)
        url = reverse("status:index", args=[self.acme.id])
        response = self.client.post(reverse("set_language"), {"language": "en", "next": url})
        self.assertRedirects(response, url)
        self.alice.refresh_from_db()
        self.assertEqual(self.alice.language, "en")
        # A new session (another browser) gets the user's language too.
        self.client.logout()
        self.login(self.alice)
        response = self.client.get(url)
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, ">Contacts<")

    def test_it_ignores_an_offsite_next_url(self) -> None:
        self.login(self.alice)
        response = self.client.post(
            reverse("set_language"), {"language": "en", "next": "https://evil.example/"}
        )
        self.assertRedirects(response, reverse("home"), fetch_redirect_response=False)

    def test_it_lets_anonymous_visitors_choose_a_language(self) -> None:
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/login/"})
        self.assertEqual(response.cookies["django_language"].value, "en")
        response = self.client.get(reverse("login"))
        self.assertContains(response, '<html lang="en">')


class ErrorPageTests(BaseTestCase):
    def test_it_shows_a_translated_404_page_in_the_layout(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, "Sidan hittades inte", status_code=404)
        self.assertNotContains(response, "Acme", status_code=404)
