"""The sync history: sessions recorded by the engine, listed and filtered, pruned by age."""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from skrivbord.core.ids import new_id
from skrivbord.core.services import user_set_language
from skrivbord.sync import history
from skrivbord.sync.models import SyncConflict, SyncSession
from tests.sync.base import SyncTestCase


def at(day: str, time: str = "12:00") -> dt.datetime:
    """A moment in the installation's time zone."""
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day} {time}"))


# Fixed dates in the past: retention is off unless a test is about it.
@override_settings(SYNC_HISTORY_DAYS=0)
class HistoryServiceTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        history._last_prune = None

    def test_a_session_a_killed_agent_left_running_is_closed_as_failed_when_the_next_begins(
        self,
    ) -> None:
        left = history.session_begin(company=self.acme)
        other_company = history.session_begin(company=self.umbrella)
        self.assertEqual(history.sessions_interrupted(company=self.acme), 1)
        left.refresh_from_db()
        self.assertEqual(left.outcome, SyncSession.Outcome.FAILED)
        self.assertIsNotNone(left.ended_at)
        self.assertIn("stopped before this exchange ended", left.errors[0])
        other_company.refresh_from_db()
        self.assertEqual(other_company.outcome, SyncSession.Outcome.RUNNING)

    def record(
        self, started_at: dt.datetime, outcome: str = "success", **kwargs: object
    ) -> SyncSession:
        session = history.session_begin(company=self.acme, started_at=started_at)
        values: dict = {
            "counts": {"contacts.contact": {"sent": 2, "received": 1, "applied": 1}},
            "bytes_sent": 2048,
            "bytes_received": 512,
            "conflicts": 0,
            "errors": [],
            "ended_at": started_at + dt.timedelta(seconds=3),
            **kwargs,
        }
        return history.session_end(session, outcome=outcome, **values)

    def test_a_session_runs_until_it_ends_with_its_counts(self) -> None:
        exchange = new_id()
        session = history.session_begin(company=self.acme, exchange_id=exchange)
        self.assertEqual(session.outcome, "running")
        self.assertIsNone(session.ended_at)
        history.session_end(
            session,
            outcome="partial",
            counts={"contacts.contact": {"sent": 3, "received": 2, "applied": 1}},
            bytes_sent=1000,
            bytes_received=2000,
            conflicts=1,
            errors=["Contact 42 was parked: its parent has not arrived."],
        )
        stored = SyncSession.objects.get(id=session.id)
        self.assertEqual(stored.exchange_id, exchange)
        self.assertEqual(stored.outcome, "partial")
        self.assertIsNotNone(stored.ended_at)
        self.assertEqual(
            stored.counts["contacts.contact"], {"sent": 3, "received": 2, "applied": 1}
        )
        self.assertEqual(
            (stored.bytes_sent, stored.bytes_received, stored.conflicts), (1000, 2000, 1)
        )
        self.assertEqual(stored.errors, ["Contact 42 was parked: its parent has not arrived."])

    def test_it_refuses_to_end_a_session_as_running(self) -> None:
        session = history.session_begin(company=self.acme)
        with self.assertRaises(ValueError):
            history.session_end(
                session,
                outcome="running",
                counts={},
                bytes_sent=0,
                bytes_received=0,
                conflicts=0,
                errors=[],
            )

    def test_it_lists_the_newest_first_and_only_the_companys_own(self) -> None:
        older = self.record(at("2026-03-01"))
        newer = self.record(at("2026-03-02"))
        history.session_begin(company=self.umbrella, started_at=at("2026-03-03"))
        listed = list(history.session_list(access=self.access(self.rita)))
        self.assertEqual(listed, [newer, older])

    def test_it_filters_by_days_both_included_and_by_outcome(self) -> None:
        first = self.record(at("2026-03-01", "00:00"))
        failed = self.record(at("2026-03-02", "23:59"), outcome="failed")
        self.record(at("2026-03-03", "00:00"))
        access = self.access(self.alice)
        days = history.session_list(
            access=access, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 2)
        )
        self.assertEqual(list(days), [failed, first])
        self.assertEqual(list(history.session_list(access=access, outcome="failed")), [failed])

    @override_settings(SYNC_HISTORY_DAYS=90)
    def test_pruning_removes_old_sessions_and_settled_conflicts_and_keeps_the_rest(self) -> None:
        history._last_prune = time.monotonic()  # as if pruned a minute ago: only the call below
        now = timezone.now()
        old = self.record(now - dt.timedelta(days=91))
        recent = self.record(now - dt.timedelta(days=89))
        conflict = {
            "company": self.acme,
            "entity": "contacts.contact",
            "row_id": new_id(),
            "field": "phone",
            "policy": "ask",
        }
        old_settled = SyncConflict.objects.create(
            **conflict, status="resolved", created_at=now - dt.timedelta(days=100)
        )
        old_open = SyncConflict.objects.create(
            **conflict, status="open", created_at=now - dt.timedelta(days=100)
        )
        recent_settled = SyncConflict.objects.create(
            **conflict, status="decided", created_at=now - dt.timedelta(days=10)
        )
        self.assertEqual(history.prune_history(now=now), 2)
        self.assertFalse(SyncSession.objects.filter(id=old.id).exists())
        self.assertTrue(SyncSession.objects.filter(id=recent.id).exists())
        self.assertFalse(SyncConflict.objects.filter(id=old_settled.id).exists())
        self.assertCountEqual(
            SyncConflict.objects.values_list("id", flat=True), [old_open.id, recent_settled.id]
        )

    @override_settings(SYNC_HISTORY_DAYS=0)
    def test_zero_days_keeps_the_history_for_ever(self) -> None:
        self.record(timezone.now() - dt.timedelta(days=3650))
        self.assertEqual(history.prune_history(), 0)
        self.assertEqual(SyncSession.objects.count(), 1)

    @override_settings(SYNC_HISTORY_DAYS=30)
    def test_ending_a_session_prunes_at_most_once_an_hour(self) -> None:
        self.record(timezone.now() - dt.timedelta(days=40))  # first end: prunes itself away
        self.assertEqual(SyncSession.objects.count(), 0)
        self.record(timezone.now() - dt.timedelta(days=40))  # within the hour: kept for now
        self.assertEqual(SyncSession.objects.count(), 1)
        history._last_prune = (history._last_prune or 0) - history.PRUNE_INTERVAL_SECONDS
        self.record(timezone.now())
        self.assertEqual(SyncSession.objects.count(), 1)

    def test_durations_read_at_a_glance(self) -> None:
        with translation.override("en"):  # Swedish number formats in both languages
            self.assertEqual(history.format_duration(0.42), "0,4 s")
            self.assertEqual(history.format_duration(12), "12 s")
            self.assertEqual(history.format_duration(185), "3 min 5 s")
            self.assertEqual(history.format_duration(7500), "2 h 5 min")
        with translation.override("sv"):
            self.assertEqual(history.format_duration(1.5), "1,5 s")


@override_settings(SYNC_HISTORY_DAYS=0)
class HistoryPageTests(SyncTestCase):
    def url(self, company_id: object = None) -> str:
        return reverse("sync:history", args=[company_id or self.acme.id])

    def session(self, started_at: dt.datetime, **values: object) -> SyncSession:
        session = history.session_begin(company=self.acme, started_at=started_at)
        fields: dict = {
            "outcome": "success",
            "counts": {"contacts.contact": {"sent": 1234, "received": 5, "applied": 5}},
            "bytes_sent": 1_572_864,
            "bytes_received": 2048,
            "conflicts": 0,
            "errors": [],
            "ended_at": started_at + dt.timedelta(seconds=75),
            **values,
        }
        return history.session_end(session, **fields)

    def test_every_member_reads_the_sessions_with_counts_bytes_and_errors(self) -> None:
        self.session(
            at("2026-03-02", "10:15"),
            outcome="failed",
            errors=["The online desktop refused the credential (401)."],
        )
        self.login(self.rita)
        with translation.override("sv"):
            response = self.client.get(self.url(), HTTP_ACCEPT_LANGUAGE="sv")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2026-03-02 10:15:00")
        self.assertContains(response, "1 min 15 s")
        self.assertContains(response, "1\xa0234")  # Swedish thousands
        self.assertContains(response, "1,5\xa0MB")
        self.assertContains(response, "The online desktop refused the credential (401).")
        self.assertContains(response, "<details>")

    def test_it_filters_by_date_and_outcome(self) -> None:
        self.session(at("2026-03-01"), outcome="failed", errors=["error-alpha"])
        self.session(at("2026-03-05"), outcome="success", errors=["error-beta"])
        self.session(at("2026-03-09"), outcome="failed", errors=["error-gamma"])
        self.login(self.bob)
        response = self.client.get(
            self.url(), {"since": "2026-03-02", "until": "2026-03-31", "outcome": "failed"}
        )
        self.assertContains(response, "error-gamma")
        self.assertNotContains(response, "error-alpha")
        self.assertNotContains(response, "error-beta")

    def test_a_mistyped_date_is_shown_and_the_other_filters_still_apply(self) -> None:
        self.session(at("2026-03-01"), outcome="failed", errors=["kept"])
        self.session(at("2026-03-05"), outcome="success", errors=["filtered away"])
        self.login(self.bob)
        response = self.client.get(self.url(), {"since": "yesterday", "outcome": "failed"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["since"])
        self.assertContains(response, "kept")
        self.assertNotContains(response, "filtered away")

    def test_it_pages_through_many_sessions(self) -> None:
        start = at("2026-03-01")
        for n in range(30):
            self.session(start + dt.timedelta(minutes=n))
        self.login(self.bob)
        first = self.client.get(self.url())
        self.assertEqual(len(first.context["rows"]), 25)
        second = self.client.get(self.url(), {"page": 2})
        self.assertEqual(len(second.context["rows"]), 5)

    def test_the_empty_history_tells_an_administrator_where_to_connect(self) -> None:
        connection_url = reverse("sync_connection:index", args=[self.acme.id])
        for user in (self.alice, self.rita):
            user_set_language(user=user, language="en")
        self.login(self.alice)
        response = self.client.get(self.url())
        self.assertContains(response, "No sync sessions yet")
        self.assertContains(response, f'href="{connection_url}">Online desktop connection</a>')
        self.login(self.rita)
        response = self.client.get(self.url())
        self.assertContains(response, "An administrator connects the office system")

    def test_the_sub_navigation_links_history_conflicts_and_connection(self) -> None:
        self.login(self.bob)
        response = self.client.get(self.url())
        for name in ("sync:history", "sync:conflicts", "sync_connection:index"):
            self.assertContains(response, f'href="{reverse(name, args=[self.acme.id])}"')

    def test_it_hides_other_companies_history(self) -> None:
        self.session(at("2026-03-01"), errors=["acme's secret"])
        self.login(self.charlie)
        self.assertEqual(self.client.get(self.url()).status_code, 404)
        own = self.client.get(self.url(self.umbrella.id))
        self.assertEqual(own.status_code, 200)
        self.assertNotContains(own, "acme's secret")


@override_settings(SYNC_HISTORY_DAYS=0)
class SyncPageQueryTests(SyncTestCase):
    """The list pages cost the same number of queries for one row as for a full page."""

    def queries(self, url: str) -> int:
        self.client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(captured)

    def test_the_history_page_has_no_query_per_session(self) -> None:
        self.login(self.bob)
        url = reverse("sync:history", args=[self.acme.id])
        history.session_begin(company=self.acme)
        one = self.queries(url)
        for _n in range(20):
            history.session_begin(company=self.acme)
        self.assertEqual(self.queries(url), one)
        self.assertLessEqual(one, 8)

    def test_the_conflicts_page_has_no_query_per_conflict(self) -> None:
        from skrivbord.contacts import services as contact_services

        access = self.access(self.alice)
        self.login(self.bob)
        url = reverse("sync:conflicts", args=[self.acme.id])

        def conflict() -> None:
            contact = contact_services.contact_create(access=access, name="Kund AB")
            SyncConflict.objects.create(
                company=self.acme,
                entity="contacts.contact",
                row_id=contact.id,
                field="name",
                policy="ask",
                status="open",
            )

        conflict()
        one = self.queries(url)
        for _n in range(20):
            conflict()
        self.assertEqual(self.queries(url), one)
        self.assertLessEqual(one, 9)
