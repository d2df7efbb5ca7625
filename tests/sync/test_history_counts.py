"""The sync history counts what an exchange did, on both nodes.

The real agent runs as on the office machine; the online node's real sync API answers it in
this process (tests/sync/nodes.py). The model-based test checks the same on random
exchanges; these are the cases it found, one by one.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import httpx
from django.db import OperationalError
from django.test import override_settings

from skrivbord.sync import agent as agent_module
from skrivbord.sync import engine
from skrivbord.sync.agent import ExchangeResult
from skrivbord.sync.models import SyncLink, SyncSession
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, OnlineTransport, TwoNodes


@override_settings(SYNC_HISTORY_DAYS=0)
class HistoryCountTests(SyncTestCase):
    databases = {"default", "office"}

    def exchange(self, nodes: TwoNodes, **kwargs: Any) -> ExchangeResult:
        with nodes.running_on(OFFICE):
            return nodes.agent(**kwargs).exchange()

    def counts(self, nodes: TwoNodes, result: ExchangeResult) -> dict[str, dict[str, int]]:
        """The contact counts of the exchange in each node's history."""
        return {
            side: SyncSession.objects.using(side)
            .get(company=nodes.company(side), exchange_id=result.exchange_id)
            .counts.get("contacts.contact", {})
            for side in (OFFICE, ONLINE)
        }

    def test_an_edit_that_wins_against_a_delete_is_applied_only_where_the_row_was_deleted(
        self,
    ) -> None:
        nodes = TwoNodes(policy="online-wins")
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        self.exchange(nodes)
        nodes.contacts(OFFICE).filter(id=contact.id).delete()
        nodes.contacts(ONLINE).filter(id=contact.id).update(name="Kund 2 AB")

        result = self.exchange(nodes)

        # The online edit won: the row comes back at the office, and stays as it was online.
        self.assertEqual(nodes.contacts(OFFICE).get(id=contact.id).name, "Kund 2 AB")
        self.assertEqual(
            self.counts(nodes, result),
            {
                OFFICE: {"sent": 1, "received": 1, "applied": 1},
                ONLINE: {"sent": 1, "received": 1, "applied": 0},
            },
        )

    def test_an_exchange_reported_twice_is_one_session_online(self) -> None:
        nodes = TwoNodes()
        nodes.create_contact(OFFICE, name="Kund AB")

        class Twice(OnlineTransport):
            """A proxy that delivers the report of the session twice (a retried POST)."""

            def handle_request(self, request: httpx.Request) -> httpx.Response:
                if request.url.path.endswith("/session"):
                    self.serve(request)
                return super().handle_request(request)

        result = self.exchange(nodes, transport=Twice(nodes))

        sessions = SyncSession.objects.using(ONLINE).filter(exchange_id=result.exchange_id)
        self.assertEqual(
            [(session.outcome, session.counts) for session in sessions],
            [("success", {"contacts.contact": {"sent": 0, "received": 1, "applied": 1}})],
        )

    def test_an_exchange_ended_by_a_database_error_is_recorded_as_failed(self) -> None:
        nodes = TwoNodes()
        nodes.create_contact(ONLINE, name="Kund AB")
        link = SyncLink.objects.using(OFFICE).get(id=nodes.office_link.id)

        def locked(**kwargs: Any) -> None:
            raise OperationalError("database is locked")

        with mock.patch.object(engine, "apply", locked), self.assertRaises(OperationalError):
            self.exchange(nodes)

        # The agent retries database errors; the history must not call this one a success.
        for side in (OFFICE, ONLINE):
            session = SyncSession.objects.using(side).get(company=nodes.company(side))
            self.assertEqual(session.outcome, "failed", side)
            self.assertEqual(session.errors, ["database is locked"], side)
        self.assertEqual(SyncLink.objects.using(OFFICE).get(id=link.id).generation, link.generation)
        self.assertFalse(nodes.contacts(OFFICE).exists())

    def test_a_row_parked_until_its_parent_arrives_is_received_once(self) -> None:
        nodes = TwoNodes()
        # Connected long ago: the changes come from the feed, not a snapshot.
        SyncLink.objects.using(OFFICE).filter(id=nodes.office_link.id).update(snapshot_done=True)
        first = nodes.create_contact(ONLINE, name="Kund AB")
        person = nodes.persons(ONLINE).create(
            company=nodes.online_company, contact=first, first_name="Eva"
        )
        second = nodes.create_contact(ONLINE, name="Kund 2 AB")
        nodes.persons(ONLINE).filter(id=person.id).update(contact=second)

        # Two rows a batch: the first carries Eva, who now belongs to a contact that comes in
        # the second, so the office parks her until then.
        with mock.patch.object(agent_module, "BATCH_ROWS", 2):
            result = self.exchange(nodes)

        self.assertEqual(nodes.persons(OFFICE).get(id=person.id).contact_id, second.id)
        office = SyncSession.objects.using(OFFICE).get(exchange_id=result.exchange_id)
        self.assertEqual(
            office.counts,
            {
                "contacts.contact": {"sent": 0, "received": 2, "applied": 2},
                "contacts.contactperson": {"sent": 0, "received": 2, "applied": 1},
            },
        )
