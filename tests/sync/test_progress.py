"""First-sync progress: what the Status page shows of a long transfer, on both nodes, and the
protocol fields that carry it."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO
from typing import Any

from django.db import connection
from django.test import SimpleTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from skrivbord.contacts.models import Contact
from skrivbord.core.ids import new_id
from skrivbord.core.models import User
from skrivbord.sync.agent import SyncError
from skrivbord.sync.health import TransferProgress
from skrivbord.sync.management.commands.sync import Command as SyncCommand
from skrivbord.sync.models import SyncCredential, SyncLink
from skrivbord.sync.pairing import hash_secret
from skrivbord.sync.protocol import decode, encode
from tests.sync.base import SyncTestCase

NBSP = "\xa0"

#: What the sync carries, in words (the checks' resolved marks travel the other way).
SYNCED = "contacts, contact persons, activities, accounting and resolved marks"


class ProgressTileTests(SyncTestCase):
    def link(self, **values: Any) -> SyncLink:
        return SyncLink.objects.create(
            company=self.acme,
            remote_company_id=new_id(),
            last_seen_at=timezone.now(),
            **values,
        )

    def running(
        self, phase: str = "push", done: int = 12_000, total: int = 40_000, **values: Any
    ) -> SyncLink:
        return self.link(
            progress_phase=phase,
            progress_done=done,
            progress_total=total,
            progress_at=timezone.now() - dt.timedelta(seconds=5),
            **values,
        )

    def status(self, user: User | None = None) -> str:
        self.login(user or self.bob)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def tile(self, user: User | None = None) -> Any:
        if user is not None:
            self.login(user)
        return self.client.get(
            reverse("status:sync_tile", args=[self.acme.id]), headers={"HX-Request": "true"}
        )

    @override_settings(NODE="office")
    def test_it_shows_the_first_sync_with_a_bar_and_swedish_number_formats(self) -> None:
        self.running()
        page = self.status()
        self.assertIn("First sync</strong>:", page)
        self.assertIn("sending to the online desktop", page)
        self.assertIn(
            f"12{NBSP}000 of 40{NBSP}000 {SYNCED} (30%)",
            page,
        )
        self.assertIn('<progress value="12000" max="40000"', page)

    @override_settings(NODE="online")
    def test_the_online_node_shows_the_same_transfer_as_received(self) -> None:
        self.running(done=2_000, total=3_000, last_success_at=timezone.now())
        page = self.status()
        self.assertIn("Catching up</strong>:", page)
        self.assertIn("receiving from the office", page)
        self.assertIn(
            f"2{NBSP}000 of 3{NBSP}000 {SYNCED} (66%)",
            page,
        )

    @override_settings(NODE="office")
    def test_a_snapshot_is_received_by_the_office_and_sent_by_the_online_node(self) -> None:
        self.running(phase="snapshot")
        self.assertIn("receiving from the online desktop", self.status())
        with override_settings(NODE="online"):
            self.assertIn("sending to the office", self.status())

    @override_settings(NODE="office")
    def test_a_long_pull_of_unknown_size_shows_what_arrived_so_far(self) -> None:
        self.running(phase="pull", done=6_000, total=0)
        page = self.status()
        self.assertIn("receiving from the online desktop", page)
        self.assertIn(f"6{NBSP}000 {SYNCED} so far", page)
        self.assertIn('<progress aria-labelledby="sync-progress-label"></progress>', page)

    def test_a_stale_progress_is_not_shown_and_nothing_polls(self) -> None:
        link = self.running()
        SyncLink.objects.filter(id=link.id).update(
            progress_at=timezone.now() - dt.timedelta(minutes=3)
        )
        page = self.status()
        self.assertNotIn("<progress", page)
        self.assertNotIn("First sync", page)
        self.assertNotIn("hx-trigger", page)

    def test_without_a_transfer_nothing_shows_and_nothing_polls(self) -> None:
        self.link(
            progress_phase="",
            progress_done=40_000,
            progress_total=40_000,
            progress_at=timezone.now(),
        )
        page = self.status()
        self.assertIn("Sync agent online", page)
        self.assertNotIn("<progress", page)
        self.assertNotIn("hx-trigger", page)

    def test_the_tile_polls_its_fragment_while_a_transfer_runs(self) -> None:
        self.running()
        fragment_url = reverse("status:sync_tile", args=[self.acme.id])
        page = self.status()
        self.assertIn(f'hx-get="{fragment_url}" hx-trigger="every 3s" hx-swap="outerHTML"', page)

        response = self.tile(self.rita)
        self.assertEqual(response.status_code, 200)
        fragment = response.content.decode()
        self.assertTrue(fragment.strip().startswith('<section class="card tile sync-health"'))
        self.assertNotIn("<html", fragment)
        self.assertIn("12\xa0000 of 40\xa0000", fragment)
        self.assertIn('hx-trigger="every 3s"', fragment)

        # The transfer ends: the next refresh has no trigger, so the polling stops.
        SyncLink.objects.filter(company=self.acme).update(progress_phase="")
        fragment = self.tile(self.rita).content.decode()
        self.assertNotIn("<progress", fragment)
        self.assertNotIn("hx-trigger", fragment)
        self.assertIn("Sync agent online", fragment)

    def test_charlie_gets_no_fragment_of_another_company(self) -> None:
        self.running()
        response = self.tile(self.charlie)
        self.assertEqual(response.status_code, 404)
        page = response.content.decode()
        self.assertNotIn("40\xa0000", page)
        self.assertNotIn("First sync", page)

    def test_the_fragment_needs_a_login(self) -> None:
        response = self.client.get(reverse("status:sync_tile", args=[self.acme.id]))
        self.assertEqual(response.status_code, 302)

    def test_the_fragment_query_count_is_pinned(self) -> None:
        self.running()
        self.tile(self.alice)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = self.tile()
        self.assertEqual(response.status_code, 200)
        # session, user, membership, sync link, pending changes, open conflicts
        self.assertEqual(len(queries), 6, [query["sql"] for query in queries])

    def test_the_status_page_query_count_stays_pinned_during_a_transfer(self) -> None:
        self.running()
        self.status(self.alice)
        url = reverse("status:index", args=[self.acme.id])
        with CaptureQueriesContext(connection) as queries:
            self.client.get(url)
        # As without a transfer (test_health.py): the progress is read with the link.
        self.assertEqual(len(queries), 10, [query["sql"] for query in queries])


class TransferProgressTests(SyncTestCase):
    def progress(self, **values: Any) -> TransferProgress:
        defaults: dict[str, Any] = {
            "phase": "push",
            "done": 0,
            "total": 0,
            "node": "office",
            "first_sync": True,
            "what": "contacts",
        }
        return TransferProgress(**{**defaults, **values})

    def test_the_percentage_is_rounded_down_so_100_means_done(self) -> None:
        self.assertEqual(self.progress(done=39_999, total=40_000).percent, 99)
        self.assertEqual(self.progress(done=40_000, total=40_000).percent, 100)
        self.assertEqual(self.progress(done=41_000, total=40_000).percent, 100)
        self.assertIsNone(self.progress(done=5, total=0).percent)

    def test_each_node_knows_whether_it_sends_or_receives(self) -> None:
        self.assertTrue(self.progress(phase="push", node="office").sending)
        self.assertFalse(self.progress(phase="push", node="online").sending)
        self.assertFalse(self.progress(phase="snapshot", node="office").sending)
        self.assertTrue(self.progress(phase="snapshot", node="online").sending)
        self.assertFalse(self.progress(phase="pull", node="office").sending)


SECRET = "sks_" + "p" * 43


@override_settings(NODE="online")
class ProgressProtocolTests(SyncTestCase):
    """The online node learns the agent's push progress from the push body and keeps its own
    for the snapshots it serves."""

    def setUp(self) -> None:
        super().setUp()
        SyncCredential.objects.create(
            company=self.acme, key_hash=hash_secret(SECRET), prefix=SECRET[:12]
        )
        self.link = SyncLink.objects.create(company=self.acme, remote_company_id=uuid.uuid4())
        self.headers = {"Authorization": f"Bearer {SECRET}"}

    def push(self, upto: int, **extra: Any) -> Any:
        row = {
            "entity": "contacts.contact",
            "id": str(uuid.uuid4()),
            "deleted": False,
            "values": {"kind": "organisation", "name": f"Kund {upto}"},
            "versions": {name: [upto, 0, 1] for name in ("kind", "name", "_deleted")},
        }
        body = encode({"after": upto - 1, "upto": upto, "rows": [row], **extra})
        return self.client.post(
            "/api/v1/sync/push",
            body,
            content_type="application/json",
            headers={**self.headers, "Content-Encoding": "gzip"},
        )

    def snapshot(self, **params: Any) -> dict[str, Any]:
        response = self.client.get("/api/v1/sync/snapshot", params, headers=self.headers)
        self.assertEqual(response.status_code, 200, response.content)
        return decode(response.content, compressed=True)

    def progress(self) -> tuple[str, int, int]:
        self.link.refresh_from_db()
        return self.link.progress_phase, self.link.progress_done, self.link.progress_total

    def test_a_push_with_progress_shows_it_until_the_last_batch(self) -> None:
        self.assertEqual(
            self.push(1, progress={"phase": "push", "done": 2000, "total": 5000}).status_code,
            200,
        )
        self.assertEqual(self.progress(), ("push", 2000, 5000))
        self.assertIsNotNone(self.link.progress_at)
        self.push(2, progress={"phase": "", "done": 5000, "total": 5000})
        self.assertEqual(self.progress(), ("", 5000, 5000))

    def test_a_push_without_progress_leaves_it_alone(self) -> None:
        self.push(1, progress={"phase": "push", "done": 2000, "total": 5000})
        self.assertEqual(self.push(2).status_code, 200)  # an older agent, or a short push
        self.assertEqual(self.progress(), ("push", 2000, 5000))

    def test_a_malformed_progress_is_refused_and_changes_nothing(self) -> None:
        for bad in (
            {"phase": "dance", "done": 1, "total": 2},
            {"phase": "push", "done": -1, "total": 2},
            {"phase": "push", "done": "1", "total": 2},
            [1, 2],
        ):
            response = self.push(1, progress=bad)
            self.assertEqual(response.status_code, 400, bad)
            self.assertIn("progress must be", response.json()["detail"])
        self.assertFalse(Contact.objects.exists())
        self.assertEqual(self.progress(), ("", 0, 0))

    def test_the_snapshot_answers_its_size_and_keeps_its_own_progress(self) -> None:
        Contact.objects.bulk_create(Contact(company=self.acme, name=f"Kund {n}") for n in range(12))
        first = self.snapshot(limit=5)
        self.assertEqual((len(first["rows"]), first["total"], first["done"]), (5, 12, 0))
        self.assertEqual(self.progress(), ("snapshot", 5, 12))
        second = self.snapshot(limit=5, position=first["position"])
        self.assertNotIn("total", second)  # counted only when asked, or on the first page
        self.assertEqual(self.progress(), ("snapshot", 10, 12))
        # A resumed snapshot asks where it stands.
        resumed = self.snapshot(limit=5, position=second["position"], count="true")
        self.assertEqual((resumed["total"], resumed["done"], resumed["position"]), (12, 10, ""))
        self.assertEqual(self.progress(), ("", 12, 12))

    def test_a_snapshot_of_one_page_shows_no_progress(self) -> None:
        Contact.objects.bulk_create(Contact(company=self.acme, name=f"K {n}") for n in range(3))
        answer = self.snapshot(limit=5)
        self.assertEqual((answer["total"], answer["done"], answer["position"]), (3, 0, ""))
        self.assertEqual(self.progress(), ("", 0, 0))

    def test_the_progress_fields_are_in_the_openapi_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("progress", paths["/api/v1/sync/push"]["post"]["description"])
        snapshot = paths["/api/v1/sync/snapshot"]["get"]
        self.assertIn("total", snapshot["description"])
        self.assertIn("count", [parameter["name"] for parameter in snapshot["parameters"]])


class TerminalProgressTests(SimpleTestCase):
    """`skrivbord sync` draws a bar on a terminal and writes plain lines to a log."""

    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    def command(self, out: StringIO) -> SyncCommand:
        return SyncCommand(stdout=out)

    def test_a_terminal_gets_a_bar_with_the_real_total_and_a_newline_at_the_end(self) -> None:
        out = self.Terminal()
        command = self.command(out)
        command._progress("push", 0, 40_000)
        command._progress("push", 12_000, 40_000)
        self.assertTrue(command._bar_open)
        command._progress("push", 40_000, 40_000)
        frames = out.getvalue().split("\r")
        self.assertIn("Sending [.........", frames[1])
        self.assertIn("Sending [#########.....", frames[2])
        self.assertIn("12 000 of 40 000 rows (30%)", frames[2])
        self.assertTrue(frames[3].endswith("40 000 of 40 000 rows (100%)\n"))
        self.assertFalse(command._bar_open)

    def test_a_cut_transfer_ends_its_bar_line(self) -> None:
        out = self.Terminal()
        command = self.command(out)
        command._progress("snapshot", 2_000, 9_000)
        command._problem(SyncError("503: down"))
        self.assertTrue(out.getvalue().endswith("(22%)\n"))

    def test_a_log_gets_a_line_each_tenth_of_the_way_and_at_the_end(self) -> None:
        out = StringIO()
        command = self.command(out)
        for done in range(0, 40_001, 2_000):
            command._progress("push", done, 40_000)
        lines = out.getvalue().splitlines()
        self.assertNotIn("\r", out.getvalue())
        self.assertEqual(len(lines), 11)
        self.assertEqual(lines[0], "Sending: 0 of 40 000 rows (0%)")
        self.assertEqual(lines[1], "Sending: 4 000 of 40 000 rows (10%)")
        self.assertEqual(lines[-1], "Sending: 40 000 of 40 000 rows (100%)")

    def test_a_pull_of_unknown_size_says_how_much_arrived(self) -> None:
        out = StringIO()
        self.command(out)._progress("pull", 4_000, 0)
        self.assertEqual(out.getvalue(), "Receiving: 4 000 rows so far\n")
