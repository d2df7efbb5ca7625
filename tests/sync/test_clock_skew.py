"""Wrong clocks: a node's clock decides which edit is the newest, within limits.

The office's clock is set wrong as on a real machine: the capture trigger's times, the
engine's HLC and the agent's clock in the handshake all follow it (tests/sync/nodes.py).
"""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from skrivbord.sync.agent import ExchangeResult, SyncError
from skrivbord.sync.models import SyncConflict, SyncSession
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


@override_settings(SYNC_HISTORY_DAYS=0)
class ClockSkewTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.nodes = TwoNodes(policy="newest-wins")
        self.enterContext(self.nodes.clocks())
        self.contact = self.nodes.create_contact(OFFICE, name="Kund AB")
        self.exchange()

    def exchange(self) -> ExchangeResult:
        with self.nodes.running_on(OFFICE):
            return self.nodes.agent().exchange()

    def edit(self, side: str, **values: str) -> None:
        self.nodes.contacts(side).filter(id=self.contact.id).update(**values)
        self.nodes.log_clock(side)

    def name(self, side: str) -> str:
        return self.nodes.contacts(side).get(id=self.contact.id).name

    def test_a_clock_ahead_within_the_limit_makes_its_edits_the_newest(self) -> None:
        self.nodes.set_clock(OFFICE, dt.timedelta(minutes=30))
        self.edit(OFFICE, name="Kontoret")
        self.edit(ONLINE, name="Webben")  # later in real time, earlier by the office's clock

        result = self.exchange()

        # The documented rule: the HLCs the nodes recorded decide, and a fast clock wins.
        self.assertEqual((self.name(OFFICE), self.name(ONLINE)), ("Kontoret", "Kontoret"))
        conflict = SyncConflict.objects.using(ONLINE).get()
        self.assertEqual(conflict.winner, "office")
        assert conflict.office_changed_at is not None
        self.assertGreater(conflict.office_changed_at, timezone.now() + dt.timedelta(minutes=29))
        self.assertIn("clock differs from the online node's by 1800 seconds", result.warnings[0])

    def test_a_clock_more_than_an_hour_off_is_refused_and_nothing_is_lost(self) -> None:
        self.nodes.set_clock(OFFICE, dt.timedelta(hours=2))
        self.edit(OFFICE, phone="08-1")
        self.edit(ONLINE, email="kund@example.se")

        with self.assertRaisesMessage(SyncError, "clock is more than an hour off") as refused:
            self.exchange()
        self.assertTrue(refused.exception.permanent)
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=self.contact.id).phone, "")
        self.assertEqual(self.nodes.contacts(OFFICE).get(id=self.contact.id).email, "")
        for side in (OFFICE, ONLINE):
            last = SyncSession.objects.using(side).order_by("-started_at").first()
            assert last is not None
            self.assertEqual(last.outcome, "failed", side)
            self.assertIn("more than an hour off", " ".join(last.errors), side)

        self.nodes.set_clock(OFFICE, dt.timedelta(0))
        self.exchange()
        for side in (OFFICE, ONLINE):
            row = self.nodes.contacts(side).get(id=self.contact.id)
            self.assertEqual((row.phone, row.email), ("08-1", "kund@example.se"), side)

    def test_edits_made_while_the_clock_was_a_year_ahead_do_not_win_after_it_is_corrected(
        self,
    ) -> None:
        self.nodes.set_clock(OFFICE, dt.timedelta(days=365))
        self.edit(OFFICE, notes="skrivet med fel år")
        with self.assertRaises(SyncError):
            self.exchange()
        self.nodes.set_clock(OFFICE, dt.timedelta(0))
        self.exchange()

        # Later edits on both sides, the online one a minute after the office's. The office's
        # year-ahead edit must not have moved its clock a year ahead.
        self.edit(OFFICE, name="Kontoret")
        self.nodes.set_clock(ONLINE, dt.timedelta(minutes=1))
        self.edit(ONLINE, name="Webben")
        self.exchange()

        self.assertEqual((self.name(OFFICE), self.name(ONLINE)), ("Webben", "Webben"))
        self.assertEqual(
            self.nodes.contacts(ONLINE).get(id=self.contact.id).notes, "skrivet med fel år"
        )
