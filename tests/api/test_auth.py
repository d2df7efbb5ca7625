from __future__ import annotations

from django.utils import timezone

from skrivbord.contacts.models import Contact
from skrivbord.core.models import ApiToken
from skrivbord.core.services import token_create, token_revoke, user_set_language
from tests.api.base import ApiTestCase


class AuthenticationTests(ApiTestCase):
    def assert_unauthorized(self, response) -> None:
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("Bearer", response.json()["detail"])
        self.assertTrue(response["WWW-Authenticate"].startswith("Bearer"))

    def test_it_refuses_a_request_without_a_token(self) -> None:
        self.assert_unauthorized(self.client.get(self.contacts_url()))
        self.assert_unauthorized(self.client.get("/api/v1/me"))

    def test_it_refuses_a_wrong_token(self) -> None:
        for header in (
            "Bearer skb_not-a-real-token",
            "Bearer ",
            "Bearer",
            "Basic YWxpY2U6eA==",
            "skb_x",
        ):
            with self.subTest(header=header):
                response = self.client.get(self.contacts_url(), HTTP_AUTHORIZATION=header)
                self.assert_unauthorized(response)

    def test_it_refuses_a_revoked_token(self) -> None:
        token, secret = token_create(user=self.bob, name="laptop")
        ok = self.client.get(self.contacts_url(), HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assertEqual(ok.status_code, 200)
        token_revoke(user=self.bob, token_id=token.id)
        response = self.client.get(self.contacts_url(), HTTP_AUTHORIZATION=f"Bearer {secret}")
        self.assert_unauthorized(response)

    def test_it_refuses_the_token_of_a_deactivated_user(self) -> None:
        self.bob.is_active = False
        self.bob.save(update_fields=["is_active"])
        self.assert_unauthorized(self.get(self.contacts_url(), user=self.bob))

    def test_it_records_when_a_token_was_last_used(self) -> None:
        before = timezone.now()
        self.get("/api/v1/me", user=self.bob)
        token = ApiToken.objects.get(user=self.bob)
        self.assertIsNotNone(token.last_used_at)
        self.assertGreaterEqual(token.last_used_at, before)

    def test_it_refuses_writes_without_a_token(self) -> None:
        response = self.client.post(
            self.contacts_url(), {"name": "X"}, content_type="application/json"
        )
        self.assert_unauthorized(response)
        self.assertFalse(Contact.objects.filter(name="X").exists())


class SessionTests(ApiTestCase):
    """A logged-in browser may read the API (the docs page's "Try it out") but never write."""

    def test_a_logged_in_browser_may_read(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.contacts_url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["count"], 2)

    def test_a_logged_in_browser_may_not_write_with_its_session(self) -> None:
        self.login(self.alice)
        client = self.client_class(enforce_csrf_checks=True)
        client.force_login(self.alice)
        for response in (
            client.post(
                self.contacts_url(), {"name": "Via session"}, content_type="application/json"
            ),
            client.patch(
                self.contact_url(self.volvo), {"name": "Hacked"}, content_type="application/json"
            ),
            client.delete(self.contact_url(self.volvo)),
        ):
            self.assertEqual(response.status_code, 401)
        self.volvo.refresh_from_db()
        self.assertEqual(self.volvo.name, "Volvo Personvagnar AB")
        self.assertEqual(Contact.objects.filter(company=self.acme).count(), 2)

    def test_a_session_of_another_company_sees_nothing(self) -> None:
        self.login(self.charlie)
        self.assertEqual(self.client.get(self.contacts_url()).status_code, 404)


class MeTests(ApiTestCase):
    def test_it_tells_who_the_token_belongs_to(self) -> None:
        response = self.get("/api/v1/me", user=self.bob)
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["id"], self.bob.id)
        self.assertEqual(body["email"], "bob@acme.se")
        self.assertEqual(body["full_name"], "Bob Berg")
        self.assertEqual(body["language"], "en")
        self.assertEqual(
            body["companies"],
            [
                {
                    "id": str(self.acme.id),
                    "name": "Acme AB",
                    "org_number": "556036-0793",
                    "role": "user",
                    "is_default": True,
                }
            ],
        )

    def test_it_lists_only_the_callers_companies(self) -> None:
        body = self.get("/api/v1/me", user=self.charlie).json()
        self.assertEqual([company["name"] for company in body["companies"]], ["Umbrella AB"])
        self.assertNotIn("Acme", str(body))

    def test_it_shows_a_read_only_role(self) -> None:
        body = self.get("/api/v1/me", user=self.rita).json()
        self.assertEqual(body["companies"][0]["role"], "read-only")


class LanguageTests(ApiTestCase):
    """Messages come in the user's language; the user's setting wins over Accept-Language."""

    def set_language(self, user, language: str) -> None:
        user_set_language(user=user, language=language)

    def test_an_english_user_gets_english_messages(self) -> None:
        self.set_language(self.bob, "en")
        response = self.post(
            self.contacts_url(), {"name": "Bad", "org_number": "556036-0794"}, user=self.bob
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            response.json()["errors"]["org_number"],
            ["556036-0794 is not a valid Swedish organisation number: the check digit is wrong."],
        )
        self.assertEqual(response["Content-Language"], "en")

    def test_a_swedish_user_gets_swedish_messages(self) -> None:
        self.set_language(self.bob, "sv")
        response = self.post(
            self.contacts_url(), {"name": "Bad", "org_number": "556036-0794"}, user=self.bob
        )
        self.assertEqual(response.status_code, 422)
        self.assertIn("org_number", response.json()["errors"])
        self.assertEqual(response["Content-Language"], "sv")
        # Django's own Swedish catalogue translates the e-mail message already.
        response = self.post(
            self.contacts_url(), {"name": "Bad", "email": "not-an-address"}, user=self.bob
        )
        self.assertEqual(response.json()["errors"]["email"], ["Fyll i en giltig e-postadress."])

    def test_the_users_setting_wins_over_accept_language(self) -> None:
        self.set_language(self.bob, "sv")
        response = self.client.post(
            self.contacts_url(),
            '{"name": "Bad", "email": "not-an-address"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens[self.bob.email]}",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        self.assertEqual(response.json()["errors"]["email"], ["Fyll i en giltig e-postadress."])

        self.set_language(self.bob, "en")
        response = self.client.post(
            self.contacts_url(),
            '{"name": "Bad", "email": "not-an-address"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {self.tokens[self.bob.email]}",
            HTTP_ACCEPT_LANGUAGE="sv",
        )
        self.assertEqual(response.json()["errors"]["email"], ["Enter a valid email address."])
