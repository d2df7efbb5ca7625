from django.urls import reverse
from django.utils import translation

from skrivbord.core import services
from skrivbord.core.models import ApiToken
from tests.base import BaseTestCase


class AccountTests(BaseTestCase):
    def test_it_saves_name_and_language(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("account"), {"full_name": "Bob B", "language": "en"})
        self.assertRedirects(response, reverse("account"))
        self.bob.refresh_from_db()
        self.assertEqual((self.bob.full_name, self.bob.language), ("Bob B", "en"))

    def test_it_refuses_an_unknown_language(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("account"), {"full_name": "Bob", "language": "xx"})
        self.assertEqual(response.status_code, 200)
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.language, "sv")

    def test_it_creates_a_token_and_shows_the_secret_once(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("token_create"), {"name": "Excel"})
        self.assertEqual(response.status_code, 200)
        secret = response.context["new_secret"]
        self.assertContains(response, secret)
        self.assertEqual(services.token_authenticate(secret), self.bob)
        token = ApiToken.objects.get(user=self.bob)
        self.assertNotIn(secret, token.key_hash)
        # Not shown again.
        self.assertNotContains(self.client.get(reverse("account")), secret)

    def test_it_revokes_a_token(self) -> None:
        token, secret = services.token_create(user=self.bob, name="Old")
        self.login(self.bob)
        response = self.client.post(reverse("token_revoke", args=[token.id]))
        self.assertRedirects(response, reverse("account"))
        self.assertIsNone(services.token_authenticate(secret))

    def test_it_hides_other_users_tokens(self) -> None:
        token, secret = services.token_create(user=self.alice, name="Alice's")
        self.login(self.charlie)
        response = self.client.post(reverse("token_revoke", args=[token.id]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(services.token_authenticate(secret), self.alice)
        self.assertNotContains(self.client.get(reverse("account")), "Alice&#x27;s")

    def test_it_requires_a_token_name(self) -> None:
        self.login(self.bob)
        with translation.override("en"):
            response = self.client.post(reverse("token_create"), {"name": ""})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ApiToken.objects.filter(user=self.bob).exists())

    def test_it_escapes_a_hostile_name(self) -> None:
        self.login(self.bob)
        self.client.post(
            reverse("account"), {"full_name": "<script>alert(1)</script>", "language": "sv"}
        )
        response = self.client.get(reverse("account"))
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
