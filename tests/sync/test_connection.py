"""Connecting an office company to the online desktop, and disconnecting it (services, CLI).

One database plays both nodes here: Acme AB is the office company and "Acme AB online" the
online company, and the office's HTTP calls go to the same Django through the test client.
test_connection_live.py makes the same trip over real HTTP.
"""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import translation

from skrivbord.contacts import services as contacts
from skrivbord.contacts.models import Contact
from skrivbord.core import services
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company, Membership, Role, User
from skrivbord.sync import pairing
from skrivbord.sync.auth import credential_authenticate
from skrivbord.sync.models import (
    PairingToken,
    SyncChange,
    SyncCredential,
    SyncLink,
    SyncNode,
    SyncParked,
    SyncRow,
)
from tests.sync.base import SyncTestCase

ONLINE_URL = "https://online.example.se"


def client_post(client: Client) -> pairing.PostJson:
    """pairing.post_json, answered by this Django through the test client (no sockets)."""

    def post(
        url: str, payload: dict[str, Any], *, timeout: float, bearer: str | None = None
    ) -> pairing.Reply:
        language = translation.get_language() or "en"
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        headers["Accept-Language"] = language
        # The nested request activates its own language; the calling view must keep its own,
        # as it would with a real online node in another process.
        with translation.override(language):
            response = client.post(
                urlsplit(url).path, payload, content_type="application/json", headers=headers
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        return pairing.Reply(response.status_code, body, dict(response.headers))

    return post


def unreachable(*args: Any, **kwargs: Any) -> pairing.Reply:
    raise pairing.RemoteUnreachable("[Errno 111] Connection refused")


class ConnectionTestCase(SyncTestCase):
    online: Company
    olle: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The same company as it exists on the online desktop, with its administrator Olle.
        cls.online = services.company_create(
            name="Acme AB online", org_number="556036-0793", email="info@acme.se"
        )
        cls.olle = cls._user("olle@acme.se", "Olle Online", cls.online, Role.ADMINISTRATOR)
        cls.olle.language = "en"
        cls.olle.save(update_fields=["language"])

    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.post = client_post(Client())

    def online_token(self) -> str:
        # Made "on the online node": the same database plays both roles here.
        with override_settings(NODE="online"):
            _token, secret = pairing.pairing_token_issue(company=self.online, created_by="test")
        return secret

    def connect(self, company: Company | None = None, **kwargs: Any) -> SyncLink:
        kwargs.setdefault("url", ONLINE_URL + "/")
        if "token" not in kwargs:
            kwargs["token"] = self.online_token()
        kwargs.setdefault("post", self.post)
        return pairing.connect(company=company or self.acme, **kwargs)

    def online_access(self) -> CompanyAccess:
        return self.access(self.olle, self.online)


@override_settings(NODE="office")
class ConnectTests(ConnectionTestCase):
    def test_it_links_the_office_company_to_the_online_company(self) -> None:
        link = self.connect()
        assert link.company == self.acme
        assert link.remote_company_id == self.online.id
        assert link.remote_url == ONLINE_URL  # without the trailing slash
        assert link.remote_epoch == SyncNode.objects.get(id=1).epoch
        assert credential_authenticate(link.credential).company == self.online
        online_link = SyncLink.objects.get(company=self.online)
        assert online_link.remote_company_id == self.acme.id
        assert SyncCredential.objects.get().office_node_id == SyncNode.objects.get().node_id

    def test_it_lists_every_missing_prerequisite_and_asks_nothing_of_the_online_node(
        self,
    ) -> None:
        post = mock.Mock(side_effect=AssertionError("must not be called"))
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(self.umbrella, post=post)
        assert raised.value.messages == [
            "The company's postal address is incomplete: street, postal code and city.",
            "The company's phone number is missing.",
            "The company's e-mail address is missing.",
        ]
        assert not SyncLink.objects.exists()

    def test_the_connecting_person_must_be_an_administrator(self) -> None:
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(access=self.access(self.bob))
        assert raised.value.messages == ["Only an administrator of the company can connect it."]
        assert self.connect(access=self.access(self.alice)).company == self.acme

    def test_the_prerequisites_read_as_a_checklist(self) -> None:
        items = pairing.connect_prerequisites(company=self.acme, access=self.access(self.rita))
        assert [(item.key, item.met) for item in items] == [
            ("name", True),
            ("org_number", True),
            ("address", True),
            ("phone", True),
            ("email", True),
            ("admin", False),
        ]

    def test_only_one_company_per_system_database_may_be_connected(self) -> None:
        second = services.company_create(
            name="Beta AB",
            org_number="556677-8899",
            email="info@beta.se",
            phone="08-1",
            address="Gatan 2, 222 33 Lund",
        )
        self.connect()
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(second, token="skp_never-sent")
        assert raised.value.messages == [
            "Only one company database per system database can be connected to the online "
            "desktop; disconnect Acme AB first or get a licence that allows more."
        ]
        assert not SyncLink.objects.filter(company=second).exists()

    def test_a_wrong_token_stores_nothing_and_says_why(self) -> None:
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(token="skp_wrong")
        assert "The pairing token is not valid" in raised.value.messages[0]
        assert not raised.value.retryable
        assert not SyncLink.objects.exists()

    def test_a_used_token_says_so(self) -> None:
        secret = self.online_token()
        self.connect(token=secret)
        pairing.connection_forget(company=self.acme)
        pairing.online_disconnect(company=self.online)
        with pytest.raises(pairing.ConnectError, match="already used"):
            self.connect(token=secret)

    def test_an_unreachable_online_node_stores_nothing_and_is_worth_a_retry(self) -> None:
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(post=unreachable)
        assert "could not be reached" in raised.value.messages[0]
        assert "Connection refused" in raised.value.messages[0]
        assert raised.value.retryable
        assert not SyncLink.objects.exists()
        assert PairingToken.objects.get().used_at is None

    def test_a_closed_port_is_unreachable_over_real_http(self) -> None:
        with pytest.raises(pairing.RemoteUnreachable):
            pairing.post_json("http://127.0.0.1:9/api/v1/sync/pair", {}, timeout=2)

    def test_an_address_that_is_no_online_desktop_is_named(self) -> None:
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(url="https://example.se/not-here")
        assert raised.value.messages == [
            "The address https://example.se/not-here did not answer as a skrivbord online "
            "desktop (HTTP 404). Check the address."
        ]

    def test_a_redirect_names_the_address_to_use(self) -> None:
        def redirected(*args: Any, **kwargs: Any) -> pairing.Reply:
            return pairing.Reply(301, None, {"location": "https://online.example.se/"})

        with pytest.raises(pairing.ConnectError, match="Use that address instead"):
            self.connect(url="http://online.example.se", post=redirected)

    def test_it_refuses_an_address_that_is_no_web_address(self) -> None:
        with pytest.raises(pairing.ConnectError, match="Enter the online desktop's address"):
            self.connect(url="ftp://online.example.se")
        assert PairingToken.objects.get().used_at is None

    def test_an_already_connected_company_is_refused(self) -> None:
        self.connect()
        with pytest.raises(pairing.ConnectError, match="already connected"):
            self.connect(token="skp_never-sent")
        assert SyncLink.objects.filter(company=self.acme).count() == 1

    def test_the_online_company_being_connected_already_is_explained(self) -> None:
        # The office forgot its connection; the online side still has it.
        first, second = self.online_token(), self.online_token()
        self.connect(token=first)
        pairing.connection_forget(company=self.acme)
        with pytest.raises(pairing.ConnectError) as raised:
            self.connect(token=second)
        assert "already connected to an office; disconnect first" in raised.value.messages[0]
        assert not SyncLink.objects.filter(company=self.acme).exists()


class ConnectOnTheOnlineNodeTests(ConnectionTestCase):
    def test_an_online_node_does_not_connect(self) -> None:
        with pytest.raises(pairing.ConnectError, match="SKRIVBORD_NODE=office"):
            self.connect()


@override_settings(NODE="office")
class DisconnectTests(ConnectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link = self.connect()
        # What the sync would have put on each side, plus Umbrella's own data online.
        online = self.online_access()
        self.online_contact = contacts.contact_create(access=online, name="Kund AB")
        contacts.contact_person_create(access=online, contact=self.online_contact, first_name="Eva")
        self.office_contact = contacts.contact_create(
            access=self.access(self.alice), name="Kund AB"
        )
        umbrella = self.access(self.charlie, self.umbrella)
        self.umbrella_contact = contacts.contact_create(access=umbrella, name="Umbrellas kund")
        for company, contact in (
            (self.online, self.online_contact),
            (self.umbrella, self.umbrella_contact),
        ):
            SyncRow.objects.create(
                entity="contacts.contact", row_id=contact.id, company_id=company.id
            )
            SyncParked.objects.create(
                company=company,
                entity="contacts.contactperson",
                row_id=uuid.uuid4(),
                payload={"first_name": "Parked"},
            )

    def test_it_removes_the_online_copy_of_that_company_only(self) -> None:
        changes_before = set(
            SyncChange.objects.exclude(company_id=self.online.id).values_list("id", flat=True)
        )
        result = pairing.disconnect(company=self.acme, post=self.post)
        removed = {label: count for label, count in result.removed_online.items() if count}
        # The default activity types go too (every node makes them again when needed).
        assert removed == {
            "contacts.contactperson": 1,
            "contacts.contact": 1,
            "activities.activitytype": 7,
        }
        assert not Contact.objects.filter(company=self.online).exists()
        assert not SyncRow.objects.filter(company_id=self.online.id).exists()
        assert not SyncChange.objects.filter(company_id=self.online.id).exists()
        assert not SyncParked.objects.filter(company=self.online).exists()
        # Umbrella's online data and its sync state stay; so does the office's own data.
        assert Contact.objects.filter(id=self.umbrella_contact.id).exists()
        assert SyncRow.objects.filter(company_id=self.umbrella.id).count() == 1
        assert SyncParked.objects.filter(company=self.umbrella).count() == 1
        assert Contact.objects.filter(id=self.office_contact.id).exists()
        # The deletes were not captured as changes to send anywhere.
        assert set(SyncChange.objects.values_list("id", flat=True)) == changes_before

    def test_the_company_and_its_users_stay_online(self) -> None:
        pairing.disconnect(company=self.acme, post=self.post)
        assert Company.objects.filter(id=self.online.id).exists()
        assert Membership.objects.filter(company=self.online, user=self.olle).exists()

    def test_it_ends_the_link_on_both_sides_and_revokes_the_credential(self) -> None:
        pairing.disconnect(company=self.acme, post=self.post)
        assert not SyncLink.objects.exists()
        assert SyncCredential.objects.get().revoked_at is not None

    def test_it_can_connect_again_afterwards(self) -> None:
        pairing.disconnect(company=self.acme, post=self.post)
        link = self.connect()
        assert link.remote_company_id == self.online.id
        assert SyncCredential.objects.filter(revoked_at__isnull=True).count() == 1

    def test_an_unreachable_online_node_keeps_the_link_until_it_is_forgotten(self) -> None:
        with pytest.raises(pairing.ConnectError) as raised:
            pairing.disconnect(company=self.acme, post=unreachable)
        assert raised.value.unreachable
        assert SyncLink.objects.filter(company=self.acme).exists()
        assert pairing.connection_forget(company=self.acme)
        assert not SyncLink.objects.filter(company=self.acme).exists()
        # The online copy stays until an administrator there ends the connection.
        assert Contact.objects.filter(id=self.online_contact.id).exists()
        assert SyncLink.objects.filter(company=self.online).exists()
        assert Contact.objects.filter(id=self.office_contact.id).exists()

    def test_a_connection_ended_online_is_removed_here_too(self) -> None:
        pairing.online_disconnect(company=self.online)
        result = pairing.disconnect(company=self.acme, post=self.post)
        assert result.already_ended_online
        assert not SyncLink.objects.exists()

    def test_a_server_error_keeps_the_link(self) -> None:
        def failing(*args: Any, **kwargs: Any) -> pairing.Reply:
            return pairing.Reply(503, None, {})

        with pytest.raises(pairing.ConnectError) as raised:
            pairing.disconnect(company=self.acme, post=failing)
        assert raised.value.retryable
        assert SyncLink.objects.filter(company=self.acme).exists()

    def test_a_company_that_is_not_connected_is_said_to_be_so(self) -> None:
        with pytest.raises(pairing.ConnectError, match="Umbrella AB is not connected"):
            pairing.disconnect(company=self.umbrella, post=self.post)


def run(command: str, *args: str, stdin: str | None = None) -> list[str]:
    out = StringIO()
    kwargs: dict[str, Any] = {"stdout": out}
    if stdin is not None:
        kwargs["stdin"] = StringIO(stdin)
    call_command(command, *args, **kwargs)
    return out.getvalue().splitlines()


@override_settings(NODE="office")
class ConnectCommandTests(ConnectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        patcher = mock.patch.object(pairing, "post_json", self.post)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_it_connects_and_says_how_to_start_the_agent(self) -> None:
        lines = run(
            "sync_connect",
            "--company",
            str(self.acme.id),
            "--url",
            ONLINE_URL,
            "--token",
            self.online_token(),
        )
        assert SyncLink.objects.get(company=self.acme).remote_url == ONLINE_URL
        assert f"skrivbord sync --company {self.acme.id}" in lines[-1]

    def test_it_reads_the_token_from_standard_input(self) -> None:
        args = ("--company", str(self.acme.id), "--url", ONLINE_URL, "--token", "-")
        run("sync_connect", *args, stdin=self.online_token() + "\n")
        assert SyncLink.objects.filter(company=self.acme).exists()

    def test_it_lists_the_missing_prerequisites(self) -> None:
        args = ("--company", str(self.umbrella.id), "--url", ONLINE_URL, "--token", "skp_x")
        with pytest.raises(CommandError) as raised:
            run("sync_connect", *args)
        assert str(raised.value).splitlines() == [
            "Cannot connect Umbrella AB:",
            "- The company's postal address is incomplete: street, postal code and city.",
            "- The company's phone number is missing.",
            "- The company's e-mail address is missing.",
        ]

    def test_it_says_a_failed_call_stored_nothing(self) -> None:
        args = ("--company", str(self.acme.id), "--url", ONLINE_URL, "--token", "skp_x")
        with (
            mock.patch.object(pairing, "post_json", unreachable),
            pytest.raises(CommandError, match="Nothing was stored"),
        ):
            run("sync_connect", *args)
        assert not SyncLink.objects.exists()

    def test_disconnect_asks_first_and_a_no_changes_nothing(self) -> None:
        self.connect()
        with pytest.raises(CommandError, match="Nothing was changed"):
            run("sync_disconnect", "--company", str(self.acme.id), stdin="n\n")
        assert SyncLink.objects.filter(company=self.acme).exists()

    def test_disconnect_explains_then_disconnects(self) -> None:
        self.connect()
        lines = run("sync_disconnect", "--company", str(self.acme.id), stdin="ja\n")
        assert "Your office data is not touched" in lines[0]
        assert "Disconnected Acme AB" in lines[-1]
        assert not SyncLink.objects.exists()

    def test_disconnect_with_yes_does_not_ask(self) -> None:
        self.connect()
        run("sync_disconnect", "--company", str(self.acme.id), "--yes")
        assert not SyncLink.objects.exists()

    def test_an_unreachable_online_node_points_to_forget(self) -> None:
        self.connect()
        with (
            mock.patch.object(pairing, "post_json", unreachable),
            pytest.raises(CommandError, match="--forget"),
        ):
            run("sync_disconnect", "--company", str(self.acme.id), "--yes")
        assert SyncLink.objects.filter(company=self.acme).exists()
        lines = run("sync_disconnect", "--company", str(self.acme.id), "--forget", stdin="y\n")
        assert "online copy" in lines[0]
        assert not SyncLink.objects.filter(company=self.acme).exists()
        assert SyncLink.objects.filter(company=self.online).exists()

    def test_disconnect_of_a_company_that_is_not_connected_fails(self) -> None:
        with pytest.raises(CommandError, match="not connected"):
            run("sync_disconnect", "--company", str(self.acme.id), "--yes")
