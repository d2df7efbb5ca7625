"""The demo's steps inside one node (`skrivbord demo --node NODE --step STEP`), in-process."""

from __future__ import annotations

import socket
import uuid
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, TestCase, override_settings
from django.utils import timezone

from skrivbord.accounting.models import Voucher
from skrivbord.contacts.models import Contact
from skrivbord.core.models import Company
from skrivbord.demo import launcher
from skrivbord.demo.loader import demo_load, demo_load_online
from skrivbord.demo.nodes import NodeState
from skrivbord.sync.models import SyncLink
from tests.accounting.base import node_is

ONLINE_URL = "http://127.0.0.1:8000"


def step(node: str, name: str, *args: str) -> NodeState | None:
    out = StringIO()
    # node_is: the database's capture triggers follow the node (the office imports books).
    with node_is(node), override_settings(MODE="demo"):
        call_command("demo", "--node", node, "--step", name, *args, stdout=out)
    return NodeState.parse(out.getvalue()) if name == "prepare" else None


def prepare(node: str) -> NodeState:
    args = ("--online-url", ONLINE_URL) if node == "office" else ()
    state = step(node, "prepare", *args)
    assert state is not None
    return state


def link(company: Company, **fields: object) -> SyncLink:
    # Sync state, not business data: a link as pairing leaves it.
    return SyncLink.objects.create(company=company, remote_company_id=uuid.uuid4(), **fields)


class PrepareTests(TestCase):
    def test_the_office_gets_the_master_copy_and_reports_its_company(self) -> None:
        state = prepare("office")
        company = Company.objects.get(id=state.company_id)
        assert company.name == "Demoföretaget AB"
        assert (state.contacts_created, state.persons_created) == (252, 326)
        assert Contact.objects.count() == 252
        # And its books, which reach the online desktop by sync too.
        assert state.vouchers_created == Voucher.objects.filter(company=company).count() > 2000
        assert state.companies == "Demoföretaget AB and Dotterbolaget Norr AB"
        assert (state.paired_with, state.password_ok) == (None, True)

    def test_a_second_run_adds_nothing_and_reports_the_pairing(self) -> None:
        first = prepare("office")
        remote = link(Company.objects.get(id=first.company_id), remote_url=ONLINE_URL)
        again = prepare("office")
        assert (again.company_id, again.contacts_created) == (first.company_id, 0)
        assert again.vouchers_created == 0
        assert again.paired_with == remote.remote_company_id
        assert Contact.objects.count() == 252

    def test_the_office_link_follows_the_demo_to_another_port(self) -> None:
        summary = demo_load()
        remote = link(summary.company, remote_url="http://127.0.0.1:9000")
        prepare("office")
        remote.refresh_from_db()
        assert remote.remote_url == ONLINE_URL

    def test_the_lease_of_a_killed_demo_agent_does_not_block_the_next(self) -> None:
        summary = demo_load()
        remote = link(
            summary.company,
            remote_url=ONLINE_URL,
            agent_id=uuid.uuid4(),
            agent_heartbeat=timezone.now(),
        )
        prepare("office")
        remote.refresh_from_db()
        assert (remote.agent_id, remote.agent_heartbeat) == (None, None)

    def test_the_online_node_gets_the_company_and_user_only(self) -> None:
        state = prepare("online")
        assert Company.objects.get(id=state.company_id).name == "Demoföretaget AB"
        assert (state.paired_with, state.contacts_created, state.password_ok) == (None, 0, True)
        assert not Contact.objects.exists()
        assert not Voucher.objects.exists()

    def test_a_changed_demo_password_is_reported(self) -> None:
        user = demo_load_online().user
        user.set_password("something else entirely")
        user.save()
        assert not prepare("online").password_ok


class UnpairTests(TestCase):
    def test_unpairing_the_office_forgets_the_link_and_keeps_the_data(self) -> None:
        summary = demo_load()
        link(summary.company, remote_url=ONLINE_URL)
        step("office", "unpair", "--company", str(summary.company.id))
        assert not SyncLink.objects.exists()
        assert Contact.objects.filter(company=summary.company).count() == 240

    def test_unpairing_online_ends_the_link(self) -> None:
        company = demo_load_online().company
        link(company)
        step("online", "unpair", "--company", str(company.id))
        assert not SyncLink.objects.exists()
        assert Company.objects.filter(id=company.id).exists()


class CommandGuardTests(TestCase):
    def test_it_refuses_to_run_outside_demo_mode(self) -> None:
        # A production database must never receive demo data by a mistyped command.
        for args in (("--no-serve",), ("--node", "office", "--step", "prepare")):
            with pytest.raises(CommandError, match="start it with `skrivbord demo`"):
                call_command("demo", *args, stdout=StringIO())
        assert not Company.objects.exists()

    def test_a_step_refuses_to_run_on_the_other_node(self) -> None:
        with (
            override_settings(MODE="demo", NODE="online"),
            pytest.raises(CommandError, match="This process is the online node"),
        ):
            call_command("demo", "--node", "office", "--step", "prepare", stdout=StringIO())
        assert not Company.objects.exists()

    @override_settings(MODE="demo")
    def test_it_refuses_a_taken_port_before_preparing_anything(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            with (
                mock.patch.object(launcher, "Child") as child,
                pytest.raises(CommandError, match=rf"127\.0\.0\.1:{port} is already in use\."),
            ):
                call_command("demo", "--port", str(port), stdout=StringIO())
        child.assert_not_called()
        assert not Company.objects.exists()

    @override_settings(MODE="demo")
    def test_the_office_port_must_exist(self) -> None:
        with pytest.raises(CommandError, match="--port must be between 1 and 65534"):
            call_command("demo", "--port", "65535", stdout=StringIO())


class HelperTests(SimpleTestCase):
    def test_a_node_never_inherits_the_shells_database_or_secrets(self) -> None:
        shell = {
            "DATABASE_URL": "postgres://prod/db",
            "SECRET_KEY": "production",
            "SECRET_KEY_FILE": "/run/secrets/key",
            "DEBUG": "1",
            "SKRIVBORD_NODE": "online",
            "PATH": "/usr/bin",
        }
        with mock.patch.dict("os.environ", shell, clear=True):
            env = launcher.node_env("office", Path("/srv/demo/office"))
        assert env["PATH"] == "/usr/bin"
        assert (env["SKRIVBORD_NODE"], env["SKRIVBORD_DATA_DIR"], env["SKRIVBORD_MODE"]) == (
            "office",
            "/srv/demo/office",
            "demo",
        )
        assert not {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"} & set(env)

    def test_the_agent_reaches_a_wildcard_address_on_loopback(self) -> None:
        assert launcher.loopback_host("0.0.0.0") == "127.0.0.1"  # noqa: S104
        assert launcher.loopback_host("::") == "[::1]"
        assert launcher.loopback_host("127.0.0.1") == "127.0.0.1"
        assert launcher.loopback_host("::1") == "[::1]"

    def test_node_state_round_trips_and_rejects_garbage(self) -> None:
        state = NodeState(
            company_id=uuid.uuid4(),
            paired_with=uuid.uuid4(),
            password_ok=False,
            contacts_created=3,
            persons_created=4,
            companies="A = B AB",
            vouchers_created=3012,
            books_seconds=0.75,
        )
        assert NodeState.parse("noise\n" + "\n".join(state.lines())) == state
        with pytest.raises(ValueError, match="Unexpected answer"):
            NodeState.parse("company_id=nonsense")
