"""Who changed what: every write path records its actor with the captured change, and no
actor outlives the request, command or block that set it."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from typing import Any
from unittest import mock

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, TransactionTestCase
from django.urls import reverse

from skrivbord import cli
from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, Role, User
from skrivbord.core.services import membership_set, token_create
from skrivbord.sync import actor
from skrivbord.sync.actor import acting_as
from skrivbord.sync.middleware import ActorMiddleware
from skrivbord.sync.models import SyncChange, SyncConflict, SyncRow
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


def last_change() -> SyncChange:
    change = SyncChange.objects.order_by("-id").first()
    assert change is not None
    return change


def set_config_calls() -> Any:
    """Counts the statements that set skrivbord.actor on a PostgreSQL connection."""
    return mock.patch.object(actor, "_set_setting", wraps=actor._set_setting)


class ActorCaptureTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.contact = contact_services.contact_create(
            access=self.access(self.alice), name="Volvo AB", phone="031-59 00 00"
        )

    def edit_phone(self, phone: str) -> None:
        Contact.objects.filter(id=self.contact.id).update(phone=phone)

    def test_it_records_the_logged_in_user_of_a_web_ui_edit(self) -> None:
        self.login(self.bob)
        url = reverse("contacts:edit", args=[self.acme.id, self.contact.id])
        form = self.client.get(url).context["form"]
        data = {
            name: ("on" if value is True else str(value))
            for name in form.fields
            if (value := form[name].value()) not in (None, False)
        }
        data["phone"] = "031-66 00 00"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        change = last_change()
        self.assertEqual((change.fields, change.actor), ("phone", "bob@acme.se"))

    def test_it_records_the_token_owner_of_an_api_edit(self) -> None:
        # Alice's browser session is there too: the token decides who writes.
        self.login(self.alice)
        token = token_create(user=self.bob, name="integration")[1]
        response = self.client.patch(
            f"/api/v1/companies/{self.acme.id}/contacts/{self.contact.id}",
            '{"phone": "031-77 00 00"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(last_change().actor, "bob@acme.se")

    def test_it_records_the_administrator_of_an_admin_edit(self) -> None:
        root = User.objects.create_superuser("root@example.se", "x" * 20)
        self.client.force_login(root)
        response = self.client.post(
            reverse("admin:contacts_contact_delete", args=[self.contact.id]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        change = last_change()
        self.assertEqual((change.op, change.actor), ("d", "root@example.se"))

    def test_it_records_the_command_of_a_command_line_edit(self) -> None:
        code = (
            "from skrivbord.contacts.models import Contact; "
            f"Contact.objects.filter(id='{self.contact.id}').update(phone='08-1')"
        )
        # The console script closes every connection when a command ends, which here would
        # end the test's transaction: keep it open.
        with (
            contextlib.redirect_stdout(io.StringIO()),
            mock.patch("django.core.management.base.connections.close_all"),
        ):
            cli.main(["skrivbord", "shell", "--no-imports", "-c", code])
        change = last_change()
        self.assertEqual((change.fields, change.actor), ("phone", "cli:shell"))
        self.assertEqual(actor.current_actor(), "")

    def test_it_records_the_actor_of_a_raw_queryset_update(self) -> None:
        with acting_as("import:bank-file"):
            self.edit_phone("08-2")
        self.assertEqual(last_change().actor, "import:bank-file")

    def test_a_write_outside_any_actor_is_nobodys(self) -> None:
        self.edit_phone("08-3")
        self.assertEqual(last_change().actor, "")

    def test_an_inner_actor_ends_with_its_block(self) -> None:
        with acting_as("alice@acme.se"):
            with acting_as("cli:import"):
                self.edit_phone("08-4")
            self.assertEqual(last_change().actor, "cli:import")
            self.edit_phone("08-5")
            self.assertEqual(last_change().actor, "alice@acme.se")
        self.edit_phone("08-6")
        self.assertEqual(last_change().actor, "")

    def test_no_actor_outlives_a_web_request(self) -> None:
        self.login(self.bob)
        self.client.post(
            reverse("contacts:set_active", args=[self.acme.id, self.contact.id]), {"active": "0"}
        )
        self.assertEqual(last_change().actor, "bob@acme.se")
        self.edit_phone("08-7")
        self.assertEqual(last_change().actor, "")

    def test_no_actor_outlives_an_api_request(self) -> None:
        token = token_create(user=self.bob, name="integration")[1]
        self.client.patch(
            f"/api/v1/companies/{self.acme.id}/contacts/{self.contact.id}",
            '{"phone": "031-77 00 00"}',
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        self.assertEqual(last_change().actor, "bob@acme.se")
        self.edit_phone("08-8")
        self.assertEqual(last_change().actor, "")

    def test_an_anonymous_request_acts_for_nobody_whatever_came_before(self) -> None:
        seen: list[str] = []

        def view(request: HttpRequest) -> HttpResponse:
            seen.append(actor.current_actor())
            return HttpResponse()

        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        with acting_as("cli:serve"):
            ActorMiddleware(view)(request)
            self.assertEqual(actor.current_actor(), "cli:serve")
        self.assertEqual(seen, [""])

    def test_an_actor_for_the_rest_of_a_request_needs_a_block_that_ends(self) -> None:
        with self.assertRaisesMessage(RuntimeError, "needs an acting_as() block"):
            actor.act_for_rest_of_request("alice@acme.se")
        self.assertEqual(actor.current_actor(), "")

    def test_a_long_actor_is_cut_to_fit(self) -> None:
        with acting_as("x" * 300):
            self.edit_phone("08-9")
        self.assertEqual(last_change().actor, "x" * actor.MAX_LENGTH)

    def test_it_keeps_the_actor_after_a_rolled_back_block(self) -> None:
        # On PostgreSQL the rollback also undoes telling the connection who acts.
        with acting_as(""):
            with contextlib.suppress(RuntimeError), transaction.atomic():
                actor.act_for_rest_of_request("alice@acme.se")  # as a token is checked
                self.edit_phone("08-10")
                raise RuntimeError("rolled back")
            self.edit_phone("08-11")
            self.assertEqual(last_change().actor, "alice@acme.se")
        self.edit_phone("08-12")
        self.assertEqual(last_change().actor, "")

    def test_it_tells_the_database_only_when_the_actor_changes(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite calls the actor function instead")
        self.edit_phone("08-13")
        with set_config_calls() as calls, acting_as("alice@acme.se"):
            for n in range(5):
                self.edit_phone(f"08-2{n}")
        self.assertEqual(calls.call_count, 1)
        with set_config_calls() as calls:
            self.edit_phone("08-30")
            self.edit_phone("08-31")
        self.assertEqual(calls.call_count, 1)
        self.assertEqual(last_change().actor, "")

    def test_it_trusts_the_schema_so_the_triggers_may_call_the_function(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("SQLite only")
        raw: sqlite3.Connection = connection.connection
        raw.execute("PRAGMA trusted_schema = OFF")
        with (
            self.assertRaisesMessage(Exception, "unsafe use of skrivbord_actor()"),
            transaction.atomic(),
        ):
            self.edit_phone("08-16")
        actor.on_connection_created(None, connection)
        self.edit_phone("08-17")
        self.assertEqual(raw.execute("PRAGMA trusted_schema").fetchone(), (1,))


class ActorTransactionTests(TransactionTestCase):
    """Real commits and rollbacks (a TestCase only ever rolls back to savepoints)."""

    def setUp(self) -> None:
        company = Company.objects.create(name="Acme AB")
        self.contact = Contact.objects.create(company=company, name="Volvo AB")

    def edit_and_read_actor(self, phone: str) -> str:
        Contact.objects.filter(id=self.contact.id).update(phone=phone)
        return SyncChange.objects.filter(row_id=self.contact.id).order_by("-id")[0].actor

    def test_it_keeps_the_actor_right_across_commits_rollbacks_and_reconnects(self) -> None:
        with acting_as("alice@acme.se"):
            with transaction.atomic():
                self.assertEqual(self.edit_and_read_actor("1"), "alice@acme.se")
            self.assertEqual(self.edit_and_read_actor("2"), "alice@acme.se")
        with acting_as("bob@acme.se"):
            with contextlib.suppress(RuntimeError), transaction.atomic():
                self.assertEqual(self.edit_and_read_actor("3"), "bob@acme.se")
                raise RuntimeError("rolled back")
            self.assertEqual(self.edit_and_read_actor("4"), "bob@acme.se")
        self.assertEqual(self.edit_and_read_actor("5"), "")
        with acting_as("rita@acme.se"):
            self.assertEqual(self.edit_and_read_actor("6"), "rita@acme.se")
            connection.close()
            self.assertEqual(self.edit_and_read_actor("7"), "rita@acme.se")
        connection.close()
        self.assertEqual(self.edit_and_read_actor("8"), "")

    def test_another_program_writing_to_sqlite_fails_loudly_unless_it_names_itself(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("on PostgreSQL another program's writes are recorded as nobody's")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        self.addCleanup(other.close)
        update = "UPDATE contacts_contact SET phone = '9' WHERE id = ?"
        with self.assertRaisesMessage(sqlite3.OperationalError, "no such function"):
            other.execute(update, [self.contact.id.hex])
        other.create_function(actor.SQLITE_FUNCTION, 0, lambda: "integration:crm")
        other.execute(update, [self.contact.id.hex])
        change = SyncChange.objects.filter(row_id=self.contact.id).order_by("-id")[0]
        self.assertEqual((change.fields, change.actor), ("phone", "integration:crm"))


class WhoChangedWhatAcrossNodesTests(SyncTestCase):
    """The online node on "default", the office on "office" (tests/sync/nodes.py)."""

    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.nodes = TwoNodes()
        self.contact = self.nodes.create_contact(OFFICE, name="Kund AB", phone="08-111 11 11")
        self.nodes.exchange()
        online = self.nodes.online_company
        membership_set(user=self.alice, company=online, role=Role.ADMINISTRATOR)
        membership_set(user=self.bob, company=online, role=Role.USER)

    def versions(self, side: str) -> dict[str, list[Any]]:
        return SyncRow.objects.using(side).get(row_id=self.contact.id).versions

    def test_a_conflict_names_who_changed_each_side_and_the_page_shows_both(self) -> None:
        with acting_as("alice@acme.se"):
            self.nodes.contacts(OFFICE).filter(id=self.contact.id).update(phone="08-222 22 22")
        bob = company_access(self.bob, self.nodes.online_company.id)
        with acting_as("bob@acme.se"):
            contact_services.contact_update(
                access=bob,
                contact=self.nodes.contacts(ONLINE).get(id=self.contact.id),
                phone="070-333 33 33",
            )
        self.nodes.exchange()
        conflict = SyncConflict.objects.get()
        self.assertEqual(
            (conflict.field, conflict.office_value, conflict.online_value, conflict.winner),
            ("phone", "08-222 22 22", "070-333 33 33", "office"),
        )
        self.assertEqual((conflict.office_by, conflict.online_by), ("alice@acme.se", "bob@acme.se"))
        self.assertEqual(self.versions(OFFICE)["phone"][3], "alice@acme.se")

        self.login(self.alice)
        company_id = self.nodes.online_company.id
        page = self.client.get(reverse("sync:conflicts", args=[company_id]), {"status": "all"})
        self.assertContains(page, "Changed by alice@acme.se")
        self.assertContains(page, "Changed by bob@acme.se")
        detail = self.client.get(reverse("sync:conflict_detail", args=[company_id, conflict.id]))
        self.assertContains(detail, "Changed by alice@acme.se")
        self.assertContains(detail, "Changed by bob@acme.se")

    def test_who_made_an_edit_travels_with_its_version(self) -> None:
        with acting_as("alice@acme.se"):
            self.nodes.contacts(OFFICE).filter(id=self.contact.id).update(phone="08-222 22 22")
        self.nodes.exchange()
        self.assertEqual(self.versions(ONLINE)["phone"][3], "alice@acme.se")
        with acting_as("bob@acme.se"):
            self.nodes.contacts(ONLINE).filter(id=self.contact.id).update(name="Kund 2 AB")
        self.nodes.exchange()
        self.assertEqual(self.versions(OFFICE)["name"][3], "bob@acme.se")
        self.assertEqual(self.versions(OFFICE)["phone"][3], "alice@acme.se")
        self.assertFalse(SyncConflict.objects.exists())

    def test_an_edit_by_nobody_syncs_with_a_plain_version(self) -> None:
        self.nodes.contacts(OFFICE).filter(id=self.contact.id).update(phone="08-444 44 44")
        self.nodes.exchange()
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=self.contact.id).phone, "08-444 44 44")
        for side in (OFFICE, ONLINE):
            self.assertEqual(len(self.versions(side)["phone"]), 3, side)
