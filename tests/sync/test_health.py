"""Sync health: computed from the link and the change log, shown on the Status page."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from skrivbord.contacts import services as contact_services
from skrivbord.core.ids import new_id
from skrivbord.core.models import User
from skrivbord.core.services import user_set_language
from skrivbord.sync.health import sync_health
from skrivbord.sync.models import SyncChange, SyncConflict, SyncLink
from tests.sync.base import SyncTestCase


class SyncHealthTests(SyncTestCase):
    def link(self, **values: object) -> SyncLink:
        return SyncLink.objects.create(company=self.acme, remote_company_id=new_id(), **values)

    def edit_contacts(self, n: int) -> None:
        access = self.access(self.alice)
        for i in range(n):
            contact_services.contact_create(access=access, name=f"Kund {i} AB")

    def test_a_company_without_a_link_is_not_connected(self) -> None:
        health = sync_health(access=self.access(self.bob))
        self.assertFalse(health.connected)
        self.assertIsNone(health.pending_to_online)

    def test_the_agent_is_online_when_seen_within_two_minutes(self) -> None:
        now = timezone.now()
        self.link(last_seen_at=now - dt.timedelta(seconds=100))
        health = sync_health(access=self.access(self.rita), now=now)
        self.assertTrue(health.connected)
        self.assertTrue(health.agent_online)
        later = sync_health(access=self.access(self.rita), now=now + dt.timedelta(minutes=1))
        self.assertFalse(later.agent_online)
        self.assertEqual(later.last_seen_at, now - dt.timedelta(seconds=100))

    def test_an_agent_never_seen_is_offline(self) -> None:
        self.link()
        self.assertFalse(sync_health(access=self.access(self.alice)).agent_online)

    @override_settings(NODE="office")
    def test_the_office_counts_its_changes_after_the_push_cursor(self) -> None:
        self.edit_contacts(3)
        seqs = list(SyncChange.objects.order_by("seq").values_list("seq", flat=True))
        self.link(push_cursor=seqs[0], pull_cursor=10**9)
        health = sync_health(access=self.access(self.alice))
        self.assertEqual(health.pending_to_online, 2)
        self.assertIsNone(health.pending_to_office)  # held on the online node: not known here

    @override_settings(NODE="online")
    def test_the_online_node_counts_changes_waiting_for_the_office(self) -> None:
        self.edit_contacts(4)
        seqs = list(SyncChange.objects.order_by("seq").values_list("seq", flat=True))
        self.link(pull_cursor=seqs[1], push_cursor=10**9)
        health = sync_health(access=self.access(self.alice))
        self.assertEqual(health.pending_to_office, 2)
        self.assertIsNone(health.pending_to_online)

    @override_settings(NODE="online")
    def test_pending_counts_only_the_companys_own_changes(self) -> None:
        self.link()
        SyncChange.objects.create(
            company_id=self.umbrella.id, entity="contacts.contact", row_id=new_id(), op="u"
        )
        SyncChange.objects.create(
            company_id=self.acme.id, entity="contacts.contact", row_id=new_id(), op="u"
        )
        self.assertEqual(sync_health(access=self.access(self.alice)).pending_to_office, 1)

    def test_it_counts_open_conflicts_and_warns_about_clock_skew(self) -> None:
        self.link(clock_skew_seconds=-150.0)
        for status in ("open", "open", "resolved"):
            SyncConflict.objects.create(
                company=self.acme,
                entity="contacts.contact",
                row_id=new_id(),
                field="name",
                policy="ask",
                status=status,
            )
        SyncConflict.objects.create(
            company=self.umbrella,
            entity="contacts.contact",
            row_id=new_id(),
            field="name",
            policy="ask",
            status="open",
        )
        health = sync_health(access=self.access(self.alice))
        self.assertEqual(health.open_conflicts, 2)
        self.assertTrue(health.clock_skew_warning)
        self.assertEqual(health.clock_skew_minutes, 2)

    def test_a_small_clock_difference_is_no_warning(self) -> None:
        self.link(clock_skew_seconds=119.0)
        self.assertFalse(sync_health(access=self.access(self.alice)).clock_skew_warning)


class StatusTileTests(SyncTestCase):
    def status(self, user: User) -> str:
        user_set_language(user=user, language="en")
        self.login(user)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_without_a_link_it_says_not_connected_and_shows_admins_where_to_connect(self) -> None:
        connection_url = reverse("sync_connection:index", args=[self.acme.id])
        page = self.status(self.alice)
        self.assertIn("Not connected to an office system yet.", page)
        self.assertIn(f'href="{connection_url}"', page)
        self.assertNotIn(f'href="{connection_url}"', self.status(self.rita))

    @override_settings(NODE="office")
    def test_the_office_node_says_it_is_not_connected_to_the_online_desktop(self) -> None:
        self.assertIn("Not connected to the online desktop yet.", self.status(self.bob))

    @override_settings(NODE="online")
    def test_it_shows_agent_last_sync_pending_conflicts_and_clock_warning(self) -> None:
        seen = timezone.now() - dt.timedelta(minutes=30)
        success = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 30))
        SyncLink.objects.create(
            company=self.acme,
            remote_company_id=new_id(),
            last_seen_at=seen,
            last_success_at=success,
            clock_skew_seconds=600,
        )
        contact_services.contact_create(access=self.access(self.alice), name="Väntar AB")
        SyncConflict.objects.create(
            company=self.acme,
            entity="contacts.contact",
            row_id=new_id(),
            field="name",
            policy="ask",
            status="open",
        )
        page = self.status(self.rita)
        offline_since = timezone.localtime(seen).strftime("%Y-%m-%d %H:%M")
        self.assertIn(f"Sync agent offline since {offline_since}", page)
        self.assertIn("Last successful sync: 2026-03-02 09:30", page)
        self.assertIn("1 change", page)  # waiting to go to the office
        self.assertIn("—", page)  # office changes not yet sent: not known online
        self.assertIn("1 conflict waits for a decision", page)
        self.assertIn(f'href="{reverse("sync:conflicts", args=[self.acme.id])}"', page)
        self.assertIn("differ by about 10 minutes", page)
        self.assertIn(f'href="{reverse("sync:history", args=[self.acme.id])}"', page)

    def test_an_online_agent_shows_its_last_contact(self) -> None:
        SyncLink.objects.create(
            company=self.acme, remote_company_id=new_id(), last_seen_at=timezone.now()
        )
        page = self.status(self.bob)
        self.assertIn("Sync agent online", page)
        self.assertNotIn("differ by about", page)

    def test_the_status_page_query_count_is_pinned(self) -> None:
        SyncLink.objects.create(
            company=self.acme, remote_company_id=new_id(), last_seen_at=timezone.now()
        )
        access = self.access(self.alice)
        for i in range(5):
            contact_services.contact_create(access=access, name=f"Kund {i} AB")
        self.login(self.alice)
        url = reverse("status:index", args=[self.acme.id])
        self.client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        # session, user, membership, contact counts, menu memberships, sync link,
        # pending changes, open conflicts, the latest fiscal year (key-figure tiles),
        # the user's activities today and overdue
        self.assertEqual(len(queries), 10, [query["sql"] for query in queries])
