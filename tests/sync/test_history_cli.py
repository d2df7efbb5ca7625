"""skrivbord sync_history and sync_prune."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from skrivbord.sync import history
from skrivbord.sync.models import SyncSession
from tests.sync.base import SyncTestCase


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def at(day: str, time: str = "12:00") -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(f"{day} {time}"))


@override_settings(SYNC_HISTORY_DAYS=0)
class SyncHistoryCommandTests(SyncTestCase):
    def record(self, day: str, outcome: str = "success", errors: list[str] | None = None) -> None:
        session = history.session_begin(company=self.acme, started_at=at(day, "10:00"))
        history.session_end(
            session,
            outcome=outcome,
            counts={
                "contacts.contact": {"sent": 4, "received": 2, "applied": 2},
                "contacts.contactperson": {"sent": 1, "received": 0, "applied": 0},
            },
            bytes_sent=3 * 1024 * 1024,
            bytes_received=100,
            conflicts=1,
            errors=errors or [],
            ended_at=at(day, "10:00") + dt.timedelta(seconds=42),
        )

    def test_the_table_shows_times_outcome_counts_bytes_conflicts_and_errors(self) -> None:
        self.record("2026-03-01", outcome="failed", errors=["Credential revoked (401)."])
        lines = run("sync_history", "--company", str(self.acme.id)).splitlines()
        self.assertTrue(lines[0].startswith("Start"))
        self.assertIn("Bytes sent", lines[0])
        self.assertRegex(
            lines[1],
            r"^2026-03-01 10:00:00  2026-03-01 10:00:42  42 s +failed +5 +2 "
            r"+3.0 MB +100 bytes +1 +1$",
        )
        self.assertIn("    contacts.contact: sent 4, received 2, applied 2", lines)
        self.assertIn("    contacts.contactperson: sent 1, received 0, applied 0", lines)
        self.assertIn("    error: Credential revoked (401).", lines)

    def test_json_lists_sessions_with_iso_times(self) -> None:
        self.record("2026-03-01")
        data = json.loads(run("sync_history", "--company", str(self.acme.id), "--format", "json"))
        self.assertEqual(len(data), 1)
        session = data[0]
        self.assertEqual(
            dt.datetime.fromisoformat(session["started_at"]), at("2026-03-01", "10:00")
        )
        self.assertEqual(session["duration_seconds"], 42)
        self.assertEqual(session["outcome"], "success")
        self.assertEqual(
            session["counts"]["contacts.contact"], {"sent": 4, "received": 2, "applied": 2}
        )
        self.assertEqual((session["bytes_sent"], session["conflicts"]), (3 * 1024 * 1024, 1))
        self.assertEqual(session["errors"], [])

    def test_it_filters_by_date_outcome_and_limit(self) -> None:
        for day in ("2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"):
            self.record(day, outcome="failed" if day == "2026-03-03" else "success")
        company = str(self.acme.id)

        def days(*args: str) -> list[str]:
            data = json.loads(run("sync_history", "--company", company, "--format", "json", *args))
            return [session["started_at"][:10] for session in data]

        self.assertEqual(
            days("--since", "2026-03-02", "--until", "2026-03-03"), ["2026-03-03", "2026-03-02"]
        )
        self.assertEqual(days("--outcome", "failed"), ["2026-03-03"])
        self.assertEqual(days("--limit", "2"), ["2026-03-04", "2026-03-03"])
        self.assertEqual(len(days("--limit", "0")), 4)

    def test_it_shows_only_the_given_companys_sessions(self) -> None:
        self.record("2026-03-01")
        out = run("sync_history", "--company", str(self.umbrella.id))
        self.assertEqual(out.strip(), "No sync sessions for Umbrella AB match.")
        self.assertEqual(
            json.loads(run("sync_history", "--company", str(self.umbrella.id), "--format", "json")),
            [],
        )

    def test_it_refuses_an_unknown_company_and_a_bad_date(self) -> None:
        with pytest.raises(CommandError, match="There is no company with the id nope"):
            run("sync_history", "--company", "nope")
        with pytest.raises(CommandError, match="write it as YYYY-MM-DD"):
            run("sync_history", "--company", str(self.acme.id), "--since", "1/3/2026")


class SyncPruneCommandTests(SyncTestCase):
    @override_settings(SYNC_HISTORY_DAYS=90)
    def test_it_removes_old_sessions_and_keeps_recent_ones(self) -> None:
        old = history.session_begin(
            company=self.acme, started_at=timezone.now() - dt.timedelta(days=120)
        )
        recent = history.session_begin(
            company=self.acme, started_at=timezone.now() - dt.timedelta(days=2)
        )
        out = run("sync_prune")
        self.assertIn("Removed 1 sync history entries", out)
        self.assertIn("older than 90 days", out)
        self.assertEqual(list(SyncSession.objects.values_list("id", flat=True)), [recent.id])
        self.assertNotEqual(old.id, recent.id)

    @override_settings(SYNC_HISTORY_DAYS=0)
    def test_zero_days_keeps_everything(self) -> None:
        history.session_begin(company=self.acme, started_at=timezone.now() - dt.timedelta(days=999))
        self.assertIn("kept for ever", run("sync_prune"))
        self.assertEqual(SyncSession.objects.count(), 1)
