"""A long transfer's progress on both nodes, with the agent against a real online node.

Batches are made small (5 rows), so a dozen contacts make a transfer of several batches.
The office's link is this test database; the online node's is read from its own SQLite file.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.test import override_settings

from skrivbord.contacts.models import Contact
from skrivbord.sync import agent as agent_module
from skrivbord.sync.agent import Agent, SyncError
from skrivbord.sync.models import SyncChange, SyncLink
from tests.sync import test_agent_live
from tests.sync.test_agent_live import run

Progress = tuple[str, int, int]


@override_settings(NODE="office")
@mock.patch.object(agent_module, "BATCH_ROWS", 5)
class AgentProgressTests(test_agent_live.AgentLiveTests):
    # The scenarios of AgentLiveTests run in their own module; this class borrows its setup.
    test_an_exchange_copies_office_contacts_online_and_back = None  # type: ignore[assignment]
    test_a_reconnected_company_syncs_again_without_duplicates = None  # type: ignore[assignment]
    test_the_sync_command_runs_once_and_refuses_a_second_agent = None  # type: ignore[assignment]
    test_a_revoked_credential_stops_the_agent_with_a_clear_message = None  # type: ignore[assignment]

    def office_progress(self) -> Progress:
        link = SyncLink.objects.get(id=self.link.id)
        return link.progress_phase, link.progress_done, link.progress_total

    def online_progress(self) -> Progress:
        database = Path(self.tmp.name) / "skrivbord.sqlite3"
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as online:
            row = online.execute(
                "SELECT progress_phase, progress_done, progress_total FROM sync_synclink "
                "WHERE company_id = ?",
                [self.online_company.replace("-", "")],
            ).fetchone()
        return row[0], row[1], row[2]

    def watch(self) -> tuple[list[Progress], list[tuple[Progress, Progress]], Any]:
        """A progress callback that also records both links as each report is made."""
        reports: list[Progress] = []
        links: list[tuple[Progress, Progress]] = []

        def progress(phase: str, done: int, total: int) -> None:
            reports.append((phase, done, total))
            links.append((self.office_progress(), self.online_progress()))

        return reports, links, progress

    def office_contacts(self, n: int) -> int:
        before = SyncChange.objects.filter(company_id=self.office.id).count()
        Contact.objects.bulk_create(
            Contact(company=self.office, name=f"Kund {i:02d}") for i in range(n)
        )
        return SyncChange.objects.filter(company_id=self.office.id).count() - before

    def test_a_long_push_shows_its_progress_on_both_nodes_and_clears_it_at_the_end(self) -> None:
        changes = self.office_contacts(12)
        reports, links, progress = self.watch()
        Agent(self.link, progress=progress).exchange()

        pushes = [report for report in reports if report[0] == "push"]
        self.assertEqual(
            pushes,
            [
                ("push", 0, changes),
                ("push", 5, changes),
                ("push", 10, changes),
                ("push", changes, changes),
            ],
        )
        # While it ran, both Status pages had the same figures as the terminal.
        self.assertEqual(links[1], (("push", 5, changes), ("push", 5, changes)))
        self.assertEqual(links[2], (("push", 10, changes), ("push", 10, changes)))
        # At the end, neither shows a transfer any more.
        self.assertEqual(self.office_progress(), ("", changes, changes))
        self.assertEqual(self.online_progress(), ("", changes, changes))
        self.assertEqual(len(self.online_contacts()), 12)

    def test_a_short_push_reports_nothing(self) -> None:
        self.office_contacts(3)
        reports, _links, progress = self.watch()
        Agent(self.link, progress=progress).exchange()
        self.assertEqual(reports, [])
        self.assertEqual(self.office_progress(), ("", 0, 0))
        self.assertEqual(self.online_progress(), ("", 0, 0))

    def test_a_long_snapshot_shows_its_progress_on_both_nodes(self) -> None:
        run(
            self.env,
            "shell",
            "-c",
            "from skrivbord.contacts.models import Contact\n"
            f"Contact.objects.bulk_create(Contact(company_id='{self.online_company}', "
            "name=f'Online {n:02d}') for n in range(12))",
        )
        reports, links, progress = self.watch()
        Agent(self.link, progress=progress).exchange()
        snapshots = [report for report in reports if report[0] == "snapshot"]
        self.assertEqual(
            snapshots, [("snapshot", 5, 12), ("snapshot", 10, 12), ("snapshot", 12, 12)]
        )
        self.assertEqual(links[0], (("snapshot", 5, 12), ("snapshot", 5, 12)))
        self.assertEqual(self.office_progress(), ("", 12, 12))
        self.assertEqual(self.online_progress(), ("", 12, 12))
        self.assertEqual(Contact.objects.filter(company=self.office).count(), 12)

    def test_a_transfer_cut_by_an_error_clears_the_office_progress(self) -> None:
        self.office_contacts(12)
        agent = Agent(self.link)
        real_call = agent._call
        pushes = 0

        def call(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
            nonlocal pushes
            if path == "/push":
                pushes += 1
                if pushes == 2:
                    raise SyncError("The online node did not answer: cut")
            return real_call(method, path, *args, **kwargs)

        agent._call = call  # type: ignore[method-assign]
        with self.assertRaises(SyncError):
            agent.exchange()
        self.assertEqual(self.office_progress()[0], "")
        # The online node cannot be told; its progress goes stale (the tile ignores it).
        self.assertEqual(self.online_progress()[0], "push")

    def test_the_sync_command_writes_plain_progress_lines_to_a_log(self) -> None:
        changes = self.office_contacts(12)
        out = StringIO()
        call_command("sync", "--company", str(self.office.id), "--once", stdout=out)
        lines = out.getvalue().splitlines()
        self.assertIn(f"Sending: 0 of {changes} rows (0%)", lines)
        self.assertIn(f"Sending: {changes} of {changes} rows (100%)", lines)
        self.assertTrue(lines[-1].startswith("Exchange done: sent 12"))
