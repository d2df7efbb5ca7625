"""Connect and disconnect over real HTTP: the commands talk to Django's live server.

The live server plays the online node (its "Acme AB online" company) and the test the office
node (Acme AB), on one database: pairing only needs the two companies to be different rows.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import LiveServerTestCase, override_settings
from django.utils import translation

from skrivbord.contacts import services as contacts
from skrivbord.contacts.models import Contact
from skrivbord.core import services
from skrivbord.core.access import company_access
from skrivbord.core.models import Role
from skrivbord.sync import pairing
from skrivbord.sync.auth import credential_authenticate
from skrivbord.sync.models import SyncLink


class LiveConnectionTests(LiveServerTestCase):
    def setUp(self) -> None:
        # Messages are checked in English (the default UI language is Swedish).
        self.enterContext(translation.override("en"))
        details: dict[str, Any] = {
            "org_number": "556036-0793",
            "email": "info@acme.se",
            "phone": "08-123 45 67",
            "address": "Storgatan 1, 111 22 Stockholm",
        }
        self.office = services.company_create(name="Acme AB", **details)
        self.online = services.company_create(name="Acme AB online", **details)
        olle = services.user_create(email="olle@acme.se", password="x", check_password=False)
        services.membership_set(user=olle, company=self.online, role=Role.ADMINISTRATOR)
        self.online_access = company_access(olle, self.online.id)

    def run_command(self, *args: str) -> list[str]:
        out = StringIO()
        call_command(*args, stdout=out)
        return out.getvalue().splitlines()

    def test_an_office_connects_and_disconnects_over_http(self) -> None:
        token = self.run_command("sync_token_create", "--company", str(self.online.id))[-1]
        with override_settings(NODE="office"):
            lines = self.run_command(
                "sync_connect",
                "--company",
                str(self.office.id),
                "--url",
                self.live_server_url + "/",
                "--token",
                token,
            )
        assert "Connected Acme AB" in lines[-1]
        link = SyncLink.objects.get(company=self.office)
        assert link.remote_url == self.live_server_url
        assert link.remote_company_id == self.online.id
        assert credential_authenticate(link.credential).company == self.online

        online_contact = contacts.contact_create(access=self.online_access, name="Kund AB")
        with override_settings(NODE="office"):
            lines = self.run_command("sync_disconnect", "--company", str(self.office.id), "--yes")
        # One contact and the seven default activity types.
        assert "The online copy (8 rows) is removed" in lines[-1]
        assert not Contact.objects.filter(id=online_contact.id).exists()
        assert not SyncLink.objects.exists()

    def test_a_wrong_token_over_http_is_explained(self) -> None:
        with (
            override_settings(NODE="office"),
            pytest.raises(pairing.ConnectError, match="The pairing token is not valid"),
        ):
            pairing.connect(company=self.office, url=self.live_server_url, token="skp_x")
        assert not SyncLink.objects.exists()
