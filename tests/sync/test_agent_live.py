"""The agent against a real online node: `skrivbord serve` in its own process, own database.

The office node is this test process (its test database); the online node is a subprocess
with SKRIVBORD_NODE=online. Pairing, pushing, pulling, conflicts and the history all go over
real HTTP with compressed batches.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import urllib.request
import uuid
from io import StringIO
from pathlib import Path
from typing import Any, ClassVar

from django.core.management import CommandError, call_command
from django.test import override_settings

from skrivbord.contacts import services as contact_services
from skrivbord.core import services as core_services
from skrivbord.core.access import company_access
from skrivbord.core.models import Role
from skrivbord.sync import lease, pairing
from skrivbord.sync.agent import Agent, SyncError
from skrivbord.sync.models import SyncLink, SyncSession
from tests.cli.processes import clean_env, free_port, skrivbord, wait_for_http
from tests.sync.base import SyncTestCase

ORGNR = "556036-0793"


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command line
        skrivbord(*args), env=env, capture_output=True, text=True, timeout=60, check=True
    )
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


class OnlineNode:
    """An online node in a process of its own, with one company and an API user."""

    online: ClassVar[subprocess.Popen[str]]
    url: ClassVar[str]
    env: ClassVar[dict[str, str]]
    api_token: ClassVar[str]
    online_company: ClassVar[str]
    tmp: ClassVar[tempfile.TemporaryDirectory[str]]

    @classmethod
    def start_online_node(cls) -> None:
        cls.tmp = tempfile.TemporaryDirectory(prefix="skrivbord-online-")
        port = free_port()
        cls.url = f"http://127.0.0.1:{port}"
        cls.env = clean_env(
            Path(cls.tmp.name),
            SKRIVBORD_NODE="online",
            SKRIVBORD_HTTPS="0",
            SECRET_KEY="online-test-key",
            ALLOWED_HOSTS="127.0.0.1",
        )
        run(cls.env, "migrate", "--no-input", "-v", "0")
        cls.online_company = run(
            cls.env, "company_create", "--name", "Kontoret AB", "--orgnr", ORGNR
        )
        run(
            cls.env,
            "user_create",
            "--email",
            "online@kontoret.se",
            "--password",
            "a long online passphrase",
            "--company",
            cls.online_company,
            "--role",
            "administrator",
        )
        cls.api_token = run(cls.env, "token_create", "--email", "online@kontoret.se")
        cls.online = subprocess.Popen(  # noqa: S603
            skrivbord("serve", "--port", str(port), "--no-migrate", "--no-collectstatic"),
            env=cls.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for_http(cls.online, cls.url + "/login/", timeout=30)

    @classmethod
    def stop_online_node(cls) -> None:
        cls.online.terminate()
        cls.online.wait(timeout=15)
        cls.tmp.cleanup()

    def online_contacts(self) -> dict[str, dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 - our own server
            f"{self.url}/api/v1/companies/{self.online_company}/contacts?limit=500",
            headers={"Authorization": f"Bearer {self.api_token}", "Accept-Language": "en"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            items = json.loads(response.read())["items"]
        return {item["id"]: item for item in items}

    def online_patch(self, contact_id: str, **values: Any) -> None:
        request = urllib.request.Request(  # noqa: S310
            f"{self.url}/api/v1/companies/{self.online_company}/contacts/{contact_id}",
            data=json.dumps(values).encode(),
            method="PATCH",
            headers={
                "Authorization": f"Bearer {self.api_token}",
                "Content-Type": "application/json",
            },
        )
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310


@override_settings(NODE="office")
class AgentLiveTests(OnlineNode, SyncTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.start_online_node()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.stop_online_node()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.office = core_services.company_create(
            name="Kontoret AB",
            org_number=ORGNR,
            email="info@kontoret.se",
            phone="08-1",
            address="Storgatan 1, 111 22 Stockholm",
        )
        core_services.membership_set(user=self.alice, company=self.office, role=Role.ADMINISTRATOR)
        self.office_access = company_access(self.alice, self.office.id)
        token = run(self.env, "sync_token_create", "--company", self.online_company)
        pairing.connect(company=self.office, url=self.url, token=token)
        self.link = SyncLink.objects.get(company=self.office)

    def tearDown(self) -> None:
        # Leave the online node empty and unconnected for the next test.
        with contextlib.suppress(pairing.ConnectError):
            pairing.disconnect(company=self.office)
        super().tearDown()

    def test_an_exchange_copies_office_contacts_online_and_back(self) -> None:
        contact = contact_services.contact_create(
            access=self.office_access, name="Kund AB", phone="08-1", is_customer=True
        )
        contact_services.contact_person_create(
            access=self.office_access, contact=contact, first_name="Eva"
        )
        result = Agent(self.link).exchange()
        self.assertEqual(result.sent["contacts.contact"], 1)
        online = self.online_contacts()[str(contact.id)]
        self.assertEqual((online["name"], online["phone"]), ("Kund AB", "08-1"))
        self.assertEqual([p["first_name"] for p in online["persons"]], ["Eva"])

        self.online_patch(str(contact.id), phone="08-2")
        contact_services.contact_update(access=self.office_access, contact=contact, name="Kund 2")
        Agent(self.link).exchange()
        contact.refresh_from_db()
        self.assertEqual((contact.name, contact.phone), ("Kund 2", "08-2"))
        self.assertEqual(self.online_contacts()[str(contact.id)]["name"], "Kund 2")

        session = SyncSession.objects.filter(company=self.office).first()
        assert session is not None
        self.assertEqual(session.outcome, "success")
        self.assertGreater(session.bytes_sent, 0)
        # The online node keeps the same history from its side: what it received and applied.
        online_history = subprocess.run(  # noqa: S603
            skrivbord("sync_history", "--company", self.online_company, "--format", "json"),
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        first = next(
            entry
            for entry in json.loads(online_history)
            if entry["exchange_id"] == str(result.exchange_id)
        )
        self.assertEqual(first["outcome"], "success")
        self.assertEqual(first["counts"]["contacts.contact"]["received"], 1)
        self.assertEqual(first["counts"]["contacts.contact"]["applied"], 1)

    def test_a_reconnected_company_syncs_again_without_duplicates(self) -> None:
        for n in range(3):
            contact_services.contact_create(access=self.office_access, name=f"Kund {n}")
        Agent(self.link).exchange()
        self.assertEqual(len(self.online_contacts()), 3)
        pairing.disconnect(company=self.office)
        self.assertEqual(self.online_contacts(), {})  # the online copy is removed
        token = run(self.env, "sync_token_create", "--company", self.online_company)
        pairing.connect(company=self.office, url=self.url, token=token)
        self.link = SyncLink.objects.get(company=self.office)
        Agent(self.link).exchange()
        Agent(self.link).exchange()
        names = sorted(c["name"] for c in self.online_contacts().values())
        self.assertEqual(names, ["Kund 0", "Kund 1", "Kund 2"])

    def test_the_sync_command_runs_once_and_refuses_a_second_agent(self) -> None:
        contact_services.contact_create(access=self.office_access, name="Via kommandot AB")
        out = StringIO()
        call_command("sync", "--company", str(self.office.id), "--once", stdout=out)
        self.assertIn("Exchange done: sent 1", out.getvalue())
        self.assertIn("Via kommandot AB", [c["name"] for c in self.online_contacts().values()])
        lease.claim(self.link, uuid.uuid4())  # another agent holds the company
        with self.assertRaisesMessage(CommandError, "Another sync agent is already running"):
            call_command("sync", "--company", str(self.office.id), "--once")

    def test_a_revoked_credential_stops_the_agent_with_a_clear_message(self) -> None:
        real = self.link.credential
        SyncLink.objects.filter(id=self.link.id).update(credential="sks_forged")
        self.link.refresh_from_db()
        with self.assertRaises(SyncError) as caught:
            Agent(self.link).exchange()
        SyncLink.objects.filter(id=self.link.id).update(credential=real)
        self.assertTrue(caught.exception.permanent)
        self.assertIn("401", str(caught.exception))
        session = SyncSession.objects.get(company=self.office)
        self.assertEqual(session.outcome, "failed")
        self.assertIn("401", str(session.errors[0]))
