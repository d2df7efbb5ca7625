"""The Online desktop connection page on both nodes: who sees what, and who may change it."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from django.test import override_settings
from django.urls import reverse

from skrivbord.contacts import services as contacts
from skrivbord.contacts.models import Contact
from skrivbord.sync import pairing
from skrivbord.sync.models import PairingToken, SyncLink
from tests.sync.test_connection import ONLINE_URL, ConnectionTestCase, unreachable


def url(name: str, company: Any) -> str:
    return reverse(f"sync_connection:{name}", kwargs={"company_id": company.id})


class OnlinePageTests(ConnectionTestCase):
    """NODE=online (the default): pairing tokens and ending the connection from this side."""

    def test_an_administrator_sees_the_status_and_the_token_button(self) -> None:
        self.login(self.alice)
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, "Not connected")
        self.assertContains(response, "Create pairing token")

    def test_a_user_sees_the_page_without_the_button(self) -> None:
        self.login(self.bob)
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, "Only an administrator can make pairing tokens.")
        self.assertNotContains(response, "Create pairing token")

    def test_the_token_is_shown_once_with_its_expiry(self) -> None:
        self.login(self.alice)
        response = self.client.post(url("token_create", self.acme))
        match = re.search(r'id="pairing-token">(skp_[\w-]+)<', response.content.decode())
        assert match is not None
        token = PairingToken.objects.get()
        assert token.token_hash == pairing.hash_secret(match.group(1))
        self.assertContains(response, token.expires_at.astimezone().strftime("%Y-%m-%d %H:%M"))
        self.assertContains(response, "http://testserver")
        again = self.client.get(url("index", self.acme))
        self.assertNotContains(again, match.group(1))
        self.assertContains(again, "1 pairing token is waiting to be used.")

    def test_only_an_administrator_makes_tokens(self) -> None:
        for user in (self.bob, self.rita):
            self.login(user)
            assert self.client.post(url("token_create", self.acme)).status_code == 403
        assert not PairingToken.objects.exists()

    def test_charlie_cannot_see_or_change_acmes_connection(self) -> None:
        self.login(self.charlie)
        assert self.client.get(url("index", self.acme)).status_code == 404
        assert self.client.post(url("token_create", self.acme)).status_code == 404
        assert self.client.get(url("online_disconnect", self.acme)).status_code == 404
        assert self.client.post(url("online_disconnect", self.acme)).status_code == 404
        assert not PairingToken.objects.exists()

    def test_a_connected_company_shows_the_link_and_no_token_button(self) -> None:
        with override_settings(NODE="office"):
            self.connect()
        self.login(self.olle)
        response = self.client.get(url("index", self.online))
        self.assertContains(response, "Connected to the company's office system since")
        self.assertContains(response, "End the connection")
        self.assertNotContains(response, "Create pairing token")

    def test_an_administrator_ends_the_connection_after_confirming(self) -> None:
        with override_settings(NODE="office"):
            self.connect()
        contacts.contact_create(access=self.online_access(), name="Kund AB")
        self.login(self.olle)
        confirm = self.client.get(url("online_disconnect", self.online))
        self.assertContains(confirm, "The online copy of the company's data is removed.")
        response = self.client.post(url("online_disconnect", self.online), follow=True)
        self.assertContains(response, "The connection is ended and the online copy removed.")
        assert not SyncLink.objects.filter(company=self.online).exists()
        assert not Contact.objects.filter(company=self.online).exists()

    def test_only_an_administrator_ends_the_connection(self) -> None:
        with override_settings(NODE="office"):
            self.connect(self.acme)
        # Acme's own online link, as the online node sees it, for Bob and Rita to try.
        SyncLink.objects.create(company=self.umbrella, remote_company_id=self.acme.id)
        for user in (self.bob, self.rita):
            self.login(user)
            assert self.client.get(url("online_disconnect", self.acme)).status_code == 403
            assert self.client.post(url("online_disconnect", self.acme)).status_code == 403
        assert SyncLink.objects.filter(company=self.acme).exists()

    def test_office_actions_are_not_found_on_the_online_node(self) -> None:
        self.login(self.alice)
        assert self.client.post(url("connect", self.acme)).status_code == 404
        assert self.client.get(url("disconnect", self.acme)).status_code == 404


@override_settings(NODE="office")
class OfficePageTests(ConnectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(pairing, "post_json", self.post)
        patcher.start()
        self.addCleanup(patcher.stop)

    def connect_form(self, token: str | None = None) -> dict[str, str]:
        return {"url": ONLINE_URL, "token": token or self.online_token()}

    def test_an_administrator_sees_the_checklist_and_the_form(self) -> None:
        self.login(self.alice)
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, "The organisation number is filled in")
        self.assertContains(response, "You are an administrator of the company")
        self.assertContains(response, "Pairing token")
        self.assertContains(response, 'name="url"')

    def test_missing_details_are_listed_and_there_is_no_form(self) -> None:
        self.login(self.charlie)
        response = self.client.get(url("index", self.umbrella))
        self.assertContains(response, "The company&#x27;s phone number is missing.")
        self.assertContains(response, "The company&#x27;s e-mail address is missing.")
        self.assertNotContains(response, 'name="url"')

    def test_a_user_sees_why_they_cannot_connect(self) -> None:
        self.login(self.bob)
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, "Only an administrator of the company can connect it.")
        self.assertNotContains(response, 'name="url"')

    def test_the_licence_rule_is_explained_on_the_page(self) -> None:
        SyncLink.objects.create(
            company=self.umbrella, remote_company_id=self.online.id, remote_url=ONLINE_URL
        )
        self.login(self.alice)
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, "disconnect Umbrella AB first or get a licence")
        self.assertNotContains(response, 'name="url"')

    def test_an_administrator_connects(self) -> None:
        self.login(self.alice)
        response = self.client.post(url("connect", self.acme), self.connect_form(), follow=True)
        self.assertContains(response, "is connected to the online desktop at")
        self.assertContains(response, "Disconnect…")
        assert SyncLink.objects.get(company=self.acme).remote_url == ONLINE_URL

    def test_a_refused_token_is_explained_and_nothing_is_stored(self) -> None:
        self.login(self.alice)
        response = self.client.post(url("connect", self.acme), self.connect_form("skp_wrong"))
        assert response.status_code == 400
        self.assertContains(response, "The pairing token is not valid", status_code=400)
        self.assertContains(response, ONLINE_URL, status_code=400)  # the form keeps the input
        assert not SyncLink.objects.filter(company=self.acme).exists()

    def test_an_empty_form_is_refused(self) -> None:
        self.login(self.alice)
        response = self.client.post(url("connect", self.acme), {})
        assert response.status_code == 400
        assert not SyncLink.objects.exists()

    def test_bob_and_rita_cannot_connect_or_disconnect(self) -> None:
        for user in (self.bob, self.rita):
            self.login(user)
            form = self.connect_form()
            assert self.client.post(url("connect", self.acme), form).status_code == 403
            assert self.client.get(url("disconnect", self.acme)).status_code == 403
            assert self.client.post(url("disconnect", self.acme)).status_code == 403
        assert not SyncLink.objects.filter(company=self.acme).exists()

    def test_charlie_cannot_connect_or_disconnect_acme(self) -> None:
        self.connect()
        self.login(self.charlie)
        form = self.connect_form("skp_never-used")
        assert self.client.get(url("index", self.acme)).status_code == 404
        assert self.client.post(url("connect", self.acme), form).status_code == 404
        assert self.client.get(url("disconnect", self.acme)).status_code == 404
        assert self.client.post(url("disconnect", self.acme)).status_code == 404
        assert SyncLink.objects.filter(company=self.acme).exists()

    def test_disconnect_explains_first_then_disconnects(self) -> None:
        self.connect()
        self.login(self.alice)
        confirm = self.client.get(url("disconnect", self.acme))
        for sentence in (
            "The online copy of the company's data is removed.",
            "Users and their access stay.",
            "Your office data is not touched.",
            "You can connect again later; nothing is duplicated.",
        ):
            self.assertContains(confirm, sentence)
        assert SyncLink.objects.filter(company=self.acme).exists()
        response = self.client.post(url("disconnect", self.acme), follow=True)
        self.assertContains(response, "Disconnected. The online copy is removed")
        assert not SyncLink.objects.exists()

    def test_an_unreachable_online_node_offers_to_forget_after_a_second_confirmation(
        self,
    ) -> None:
        self.connect()
        self.login(self.alice)
        with mock.patch.object(pairing, "post_json", unreachable):
            response = self.client.post(url("disconnect", self.acme))
        assert response.status_code == 502
        self.assertContains(response, "could not be reached", status_code=502)
        self.assertContains(response, "Forget the connection here only", status_code=502)
        assert SyncLink.objects.filter(company=self.acme).exists()
        response = self.client.post(url("disconnect", self.acme), {"forget": "1"}, follow=True)
        self.assertContains(response, "The online copy stays until an administrator")
        assert not SyncLink.objects.filter(company=self.acme).exists()
        assert SyncLink.objects.filter(company=self.online).exists()

    def test_the_disconnect_page_of_an_unconnected_company_leads_back(self) -> None:
        self.login(self.alice)
        response = self.client.get(url("disconnect", self.acme), follow=True)
        self.assertContains(response, "Acme AB is not connected to the online desktop.")

    def test_pairing_tokens_are_not_made_on_the_office_node(self) -> None:
        self.login(self.alice)
        assert self.client.post(url("token_create", self.acme)).status_code == 404
