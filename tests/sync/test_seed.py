"""The first sync in bulk: a seed file written by the office, checked and applied online."""

# The SQL here spoils test files on purpose, from constants.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import sqlite3
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock, skipUnless

import httpx
from django.conf import settings
from django.db import IntegrityError, connections
from django.test import Client, TransactionTestCase

from skrivbord.contacts.models import Contact
from skrivbord.sync import agent as agent_module
from skrivbord.sync import engine, hlc, seed
from skrivbord.sync.agent import SyncError
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncLink, SyncRow, SyncSession
from skrivbord.sync.protocol import SCHEMA_VERSION
from tests.sync.nodes import OFFICE, ONLINE, OnlineTransport, TwoNodes

sqlite_office = skipUnless(
    connections.settings["office"]["ENGINE"].endswith("sqlite3"),
    "the office writes its seed from an SQLite database (a PostgreSQL office sends batches)",
)
CLOCK = hlc.pack(1_764_288_000_000, 0)


def write_seed(
    path: Path,
    company: uuid.UUID,
    contacts: int = 3,
    *,
    change: Callable[[sqlite3.Connection], None] | None = None,
) -> list[str]:
    """A seed file as an office writes it: `contacts` contacts with one person each. Its
    contact ids; `change` may spoil the file before it is closed."""
    layout = {table.entity: table for table in seed.tables()}
    connection = sqlite3.connect(path)
    for statement in seed.schema():
        connection.execute(statement)
    ids = [uuid.uuid4().hex for _n in range(contacts)]
    version = json.dumps({"*": [1, 0, CLOCK]})

    def insert(entity: str, rows: list[dict[str, Any]]) -> None:
        table = layout[entity]
        names = [column for _field, column in table.columns]
        values = [
            [row.get(column, _default(field)) for field, column in table.columns] + [version, 0]
            for row in rows
        ]
        marks = ", ".join("?" * (len(names) + 2))
        connection.executemany(f"INSERT INTO {table.name} VALUES ({marks})", values)

    insert(
        "contacts.contact",
        [{"id": i, "name": f"Kund {n} AB", "is_customer": 1} for n, i in enumerate(ids)],
    )
    insert(
        "contacts.contactperson",
        [{"id": uuid.uuid4().hex, "contact_id": i, "first_name": "Eva"} for i in ids],
    )
    meta = {
        "schema_version": SCHEMA_VERSION,
        "company": str(company),
        "upto": 7,
        "counts": {"contacts.contact": contacts, "contacts.contactperson": contacts},
    }
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
    )
    if change:
        change(connection)
    connection.commit()
    connection.close()
    return ids


def _default(field: Any) -> Any:
    default = field.get_default()
    if isinstance(default, bool):
        return int(default)
    return default if default is not None else ""


class SeedTestCase(TransactionTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        self.nodes = TwoNodes()
        self.tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.path = self.tmp / "seed.sqlite3"

    def apply(self) -> seed.Applied:
        return seed.apply(self.nodes.online_link.id, self.path, using=ONLINE)

    def online_rows(self) -> int:
        return Contact.objects.using(ONLINE).count() + SyncRow.objects.using(ONLINE).count()


class SeedFileTests(SeedTestCase):
    """Files written by hand: the online side on both databases, SQLite and PostgreSQL."""

    def test_it_applies_a_valid_file_with_its_versions_and_cursor(self) -> None:
        ids = write_seed(self.path, self.nodes.office_company.id)
        applied = self.apply()
        self.assertEqual(applied.upto, 7)
        self.assertEqual(applied.counts["contacts.contact"], 3)
        online = self.nodes.contacts(ONLINE).get(id=uuid.UUID(ids[0]))
        self.assertEqual((online.name, online.is_customer), ("Kund 0 AB", True))
        self.assertEqual(online.company_id, self.nodes.online_company.id)
        self.assertEqual(self.nodes.persons(ONLINE).get(contact=online).first_name, "Eva")
        versions = SyncRow.objects.using(ONLINE).get(row_id=online.id).versions
        self.assertEqual(versions, {"*": [1, 0, CLOCK]})
        link = SyncLink.objects.using(ONLINE).get(id=self.nodes.online_link.id)
        self.assertEqual(link.push_cursor, 7)
        # Applied by the sync: nothing logged to send back to the office.
        engine.stamp(using=ONLINE, side=Side.ONLINE)
        self.assertEqual(self.nodes.pull(), 0)

    def assertRefused(self, message: str, **kwargs: Any) -> None:
        write_seed(self.path, kwargs.pop("company", self.nodes.office_company.id), **kwargs)
        with self.assertRaisesMessage(seed.SeedError, message):
            self.apply()
        self.assertEqual(self.online_rows(), 0)

    def test_it_refuses_a_file_that_is_not_sqlite(self) -> None:
        self.path.write_bytes(b"#FLAGGA 0\n" * 10)
        with self.assertRaisesMessage(seed.SeedError, "it is not an SQLite database"):
            self.apply()

    def test_it_refuses_a_damaged_file(self) -> None:
        write_seed(self.path, self.nodes.office_company.id, contacts=400)
        data = bytearray(self.path.read_bytes())
        data[4096 : 4096 + 12] = b"\xff" * 12  # a b-tree page's header overwritten
        self.path.write_bytes(bytes(data))
        with self.assertRaises(seed.SeedError):
            self.apply()
        self.assertEqual(self.online_rows(), 0)

    def test_it_refuses_a_file_with_a_trigger_or_view(self) -> None:
        for extra in (
            "CREATE TRIGGER t AFTER INSERT ON t0 BEGIN DELETE FROM t1; END",
            "CREATE VIEW v AS SELECT * FROM t0",
            "CREATE INDEX i ON t0 (name)",
        ):
            with self.subTest(extra):
                self.path.unlink(missing_ok=True)
                self.assertRefused(
                    "its tables are not those of this version",
                    change=lambda c, sql=extra: c.execute(sql),  # type: ignore[misc]
                )

    def test_it_names_the_table_row_and_field_of_a_wrong_value(self) -> None:
        cases = {
            "UPDATE t0 SET is_customer = 'yes' WHERE rowid = 2": (
                "contacts.contact, row 2: the field is_customer is not valid"
            ),
            "UPDATE t0 SET name = x'00ff' WHERE rowid = 1": (
                "contacts.contact, row 1: the field name is not valid"
            ),
            f"UPDATE t0 SET name = '{'x' * 201}' WHERE rowid = 3": (
                "contacts.contact, row 3: the field name is not valid"
            ),
            "UPDATE t0 SET id = 'not a uuid' WHERE rowid = 1": (
                "contacts.contact, row 1: the field id is not valid"
            ),
            # A person of a contact the file does not hold (another company's, say).
            f"UPDATE t1 SET contact_id = '{uuid.uuid4().hex}' WHERE rowid = 3": (
                "contacts.contactperson: the field contact refers to a record that is neither "
                "in the file nor on this node"
            ),
            "UPDATE t1 SET contact_id = 'x' WHERE rowid = 2": (
                "contacts.contactperson, row 2: the field contact is not valid"
            ),
            """UPDATE t1 SET sync_versions = '{"*": [1, -1, 5]}' WHERE rowid = 1""": (
                "contacts.contactperson, row 1: the field versions is not valid"
            ),
            """UPDATE t1 SET sync_versions = '{"password": [1, 0, 5]}' WHERE rowid = 1""": (
                "contacts.contactperson, row 1: the field versions is not valid"
            ),
            "UPDATE t1 SET sync_versions = 'null' WHERE rowid = 2": (
                "contacts.contactperson, row 2: the field versions is not valid"
            ),
            "UPDATE t1 SET sync_deleted = 2 WHERE rowid = 2": (
                "contacts.contactperson, row 2: the field deleted is not valid"
            ),
            "DELETE FROM t1 WHERE rowid = 1": "contacts.contactperson: 2 rows",
            """UPDATE meta SET value = '"x"' WHERE key = 'upto'""": "meta data is incomplete",
        }
        for sql, message in cases.items():
            with self.subTest(sql):
                self.path.unlink(missing_ok=True)
                self.assertRefused(message, change=lambda c, sql=sql: c.execute(sql))  # type: ignore[misc]

    def test_it_refuses_another_companys_file(self) -> None:
        self.assertRefused("another company's books", company=uuid.uuid4())

    def test_it_refuses_when_the_online_copy_is_not_empty(self) -> None:
        self.nodes.create_contact(ONLINE, name="Made online")
        write_seed(self.path, self.nodes.office_company.id)
        with self.assertRaisesMessage(seed.SeedError, "is not empty"):
            self.apply()
        self.assertEqual(Contact.objects.using(ONLINE).count(), 1)

    def test_a_file_naming_a_record_of_another_company_changes_nothing(self) -> None:
        other = self.nodes.contacts(ONLINE).create(
            company=self.nodes.online_company.__class__.objects.using(ONLINE).create(
                name="Annat AB"
            ),
            name="Annat AB",
        )
        write_seed(
            self.path,
            self.nodes.office_company.id,
            change=lambda c: c.executescript(
                f"UPDATE t1 SET contact_id = '{other.id.hex}' WHERE contact_id = "
                f"(SELECT id FROM t0 WHERE rowid = 1); "
                f"UPDATE t0 SET id = '{other.id.hex}' WHERE rowid = 1;"
            ),
        )
        with self.assertRaises(IntegrityError):
            self.apply()
        self.assertEqual(Contact.objects.using(ONLINE).count(), 1)
        self.assertEqual(SyncRow.objects.using(ONLINE).count(), 0)


class SeedApiTests(SeedTestCase):
    def post(self, body: bytes, *, gzipped: bool = True, credential: str = "") -> Any:
        headers = {"Authorization": f"Bearer {credential or self.credential()}"}
        if gzipped:
            headers["Content-Encoding"] = "gzip"
        with self.nodes.running_on(ONLINE):
            return Client().generic(
                "POST",
                "/api/v1/sync/seed",
                data=gzip.compress(body) if gzipped else body,
                content_type="application/vnd.sqlite3",
                headers=headers,
            )

    def credential(self) -> str:
        return SyncLink.objects.using(OFFICE).get(id=self.nodes.office_link.id).credential

    def test_it_takes_a_compressed_or_plain_file_once(self) -> None:
        write_seed(self.path, self.nodes.office_company.id)
        answer = self.post(self.path.read_bytes())
        self.assertEqual(answer.status_code, 200, answer.content)
        body = json.loads(gzip.decompress(answer.content))
        self.assertEqual(body["push_cursor"], 7)
        self.assertEqual(Contact.objects.using(ONLINE).count(), 3)
        again = self.post(self.path.read_bytes(), gzipped=False)
        self.assertEqual(again.status_code, 409)
        self.assertIn("not empty", again.json()["detail"])
        self.assertEqual(Contact.objects.using(ONLINE).count(), 3)

    def test_it_answers_422_naming_the_fault_and_400_for_a_cut_upload(self) -> None:
        write_seed(
            self.path,
            self.nodes.office_company.id,
            change=lambda c: c.execute("UPDATE t0 SET is_active = 7 WHERE rowid = 1"),
        )
        answer = self.post(self.path.read_bytes())
        self.assertEqual(answer.status_code, 422)
        self.assertIn("row 1: the field is_active is not valid", answer.json()["detail"])
        cut = gzip.compress(self.path.read_bytes())[:-200]
        with self.nodes.running_on(ONLINE):
            answer = Client().generic(
                "POST",
                "/api/v1/sync/seed",
                data=cut,
                content_type="application/vnd.sqlite3",
                headers={
                    "Authorization": f"Bearer {self.credential()}",
                    "Content-Encoding": "gzip",
                },
            )
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(self.online_rows(), 0)

    def test_without_a_valid_credential_it_is_401(self) -> None:
        write_seed(self.path, self.nodes.office_company.id)
        answer = self.post(self.path.read_bytes(), credential="skr_wrong")
        self.assertEqual(answer.status_code, 401)
        self.assertEqual(self.online_rows(), 0)

    def test_the_handshake_offers_a_seed_only_while_the_copy_is_empty(self) -> None:
        agent = self.nodes.agent()
        with self.nodes.running_on(OFFICE):
            answer = agent.handshake(mock.Mock(warnings=[], bytes_sent=0, bytes_received=0))
        self.assertTrue(answer["seed"])
        self.nodes.create_contact(ONLINE, name="Made online")
        with self.nodes.running_on(OFFICE):
            answer = agent.handshake(mock.Mock(warnings=[], bytes_sent=0, bytes_received=0))
        self.assertFalse(answer["seed"])


@sqlite_office
class SeedFromTheOfficeTests(SeedTestCase):
    """The office writes the file from its own database: the real thing end to end."""

    def setUp(self) -> None:
        super().setUp()
        office = self.nodes.office_company
        contacts = [self.nodes.create_contact(OFFICE, name=f"Kund {n} AB") for n in range(20)]
        for contact in contacts[:10]:
            self.nodes.persons(OFFICE).create(company=office, contact=contact, first_name="Eva")
        self.nodes.contacts(OFFICE).filter(id=contacts[-1].id).delete()  # a tombstone
        self.contacts = contacts

    def build(self) -> seed.Built:
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        built = seed.build(self.nodes.office_company, self.path, using=OFFICE)
        assert built is not None
        return built

    def test_the_online_node_ends_up_as_the_batches_would_leave_it(self) -> None:
        built = self.build()
        self.assertEqual(built.counts["contacts.contact"], 20)  # the tombstone included
        self.assertEqual(built.counts["contacts.contactperson"], 10)
        self.apply()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        # (Earlier tests' flush can leave change rows of their companies behind.)
        office = dict(
            SyncRow.objects.using(OFFICE)
            .filter(company_id=self.nodes.office_company.id)
            .values_list("row_id", "versions")
        )
        online = dict(SyncRow.objects.using(ONLINE).values_list("row_id", "versions"))
        self.assertEqual(online, office)
        # Then both sides go on as usual: an edit each, merged, no conflict.
        self.nodes.contacts(OFFICE).filter(id=self.contacts[0].id).update(phone="08-1")
        self.nodes.contacts(ONLINE).filter(id=self.contacts[0].id).update(email="a@b.se")
        self.nodes.exchange()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertEqual(self.nodes.conflicts, [])

    def test_an_edit_made_after_the_stamp_follows_by_the_change_feed(self) -> None:
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        self.nodes.contacts(OFFICE).filter(id=self.contacts[1].id).update(name="Ändrad AB")
        built = seed.build(self.nodes.office_company, self.path, using=OFFICE)
        assert built is not None
        self.apply()
        SyncLink.objects.using(OFFICE).filter(id=self.nodes.office_link.id).update(
            push_cursor=built.upto
        )
        self.assertEqual(self.nodes.push(), 1)
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=self.contacts[1].id).name, "Ändrad AB")
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertEqual(self.nodes.conflicts, [])

    def test_the_agent_sends_a_large_first_sync_as_one_file(self) -> None:
        agent = self.nodes.agent()
        with (
            mock.patch.object(seed, "SEED_MIN_ROWS", 10),
            self.nodes.running_on(OFFICE),
        ):
            result = agent.exchange()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertEqual(result.sent["contacts.contact"], 20)
        self.assertEqual(result.applied_online["contacts.contactperson"], 10)
        online = SyncSession.objects.using(ONLINE).get()
        self.assertEqual(online.counts["contacts.contact"]["received"], 20)
        link = SyncLink.objects.using(OFFICE).get(id=self.nodes.office_link.id)
        self.assertGreater(link.push_cursor, 0)
        # Later edits travel in batches.
        self.nodes.contacts(OFFICE).filter(id=self.contacts[2].id).update(name="Ny AB")
        with self.nodes.running_on(OFFICE):
            result = agent.exchange()
        self.assertEqual(result.sent["contacts.contact"], 1)
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=self.contacts[2].id).name, "Ny AB")

    def test_a_small_first_sync_goes_in_batches(self) -> None:
        agent = self.nodes.agent()
        with self.nodes.running_on(OFFICE), mock.patch.object(seed, "build") as build:
            agent.exchange()
        build.assert_not_called()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))

    def test_the_agent_shows_the_progress_of_the_file(self) -> None:
        agent = self.nodes.agent()
        seen: list[tuple[str, int, int]] = []
        agent.progress = lambda phase, done, total: seen.append((phase, done, total))
        with (
            mock.patch.object(seed, "SEED_MIN_ROWS", 10),
            mock.patch("skrivbord.sync.agent.BATCH_ROWS", 5),
            self.nodes.running_on(OFFICE),
        ):
            agent.exchange()
        pushes = [entry for entry in seen if entry[0] == "push"]
        self.assertGreater(len(pushes), 1)
        self.assertEqual(pushes[-1][1], pushes[-1][2])  # it ends complete
        link = SyncLink.objects.using(OFFICE).get(id=self.nodes.office_link.id)
        self.assertEqual(link.progress_phase, "")

    def test_a_refused_file_falls_back_to_the_batches_with_a_warning(self) -> None:
        agent = self.nodes.agent()
        refused = seed.SeedError("The seed file is not valid: a test fault.")
        with (
            mock.patch.object(seed, "SEED_MIN_ROWS", 10),
            mock.patch.object(seed, "apply", side_effect=refused),
            self.nodes.running_on(OFFICE),
        ):
            result = agent.exchange()
        self.assertIn("a test fault", " ".join(result.warnings))
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertTrue(agent.seed_failed)

    def test_activities_may_refer_to_the_types_each_node_makes_itself(self) -> None:
        from skrivbord.activities.models import Activity, ActivityType
        from skrivbord.activities.services import default_type_id

        office = self.nodes.office_company
        meeting = default_type_id(office, "meeting")
        self.assertTrue(ActivityType.objects.using(ONLINE).filter(id=meeting).exists())
        Activity.objects.using(OFFICE).create(
            company=office,
            type_id=meeting,
            subject="Möte om offerten",
            contact=self.contacts[0],
            start=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
            end=dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC),
        )
        agent = self.nodes.agent()
        with mock.patch.object(seed, "SEED_MIN_ROWS", 10), self.nodes.running_on(OFFICE):
            result = agent.exchange()
        self.assertEqual(result.warnings, [])  # the seed was taken, not refused
        self.assertEqual(result.applied_online["activities.activity"], 1)
        online = Activity.objects.using(ONLINE).get()
        self.assertEqual((online.subject, online.type_id), ("Möte om offerten", meeting))


class SeedInPartsTests(SeedTestCase):
    """A seed upload survives a cut line and a restarted agent: it goes on from what the
    online node has, and the file is not written again."""

    def call(self, method: str, upload: str, body: bytes = b"", **headers: str) -> Any:
        credential = SyncLink.objects.using(OFFICE).get(id=self.nodes.office_link.id).credential
        with self.nodes.running_on(ONLINE):
            return Client().generic(
                method,
                f"/api/v1/sync/seed/{upload}",
                data=body,
                content_type="application/octet-stream",
                headers={"Authorization": f"Bearer {credential}", **headers},
            )

    def received(self, upload: str) -> int:
        answer = self.call("GET", upload)
        self.assertEqual(answer.status_code, 200, answer.content)
        return int(json.loads(gzip.decompress(answer.content))["received"])

    def test_the_online_node_keeps_the_parts_and_applies_the_whole(self) -> None:
        write_seed(self.path, self.nodes.office_company.id, contacts=50)
        packed = gzip.compress(self.path.read_bytes())
        upload = hashlib.sha256(packed).hexdigest()
        total = str(len(packed))
        half = len(packed) // 2
        self.assertEqual(self.received(upload), 0)
        first = self.call("PUT", upload, packed[:half], x_sync_offset="0", x_sync_total=total)
        self.assertEqual(first.status_code, 200, first.content)
        self.assertEqual(self.received(upload), half)
        # A part that does not follow on is refused, naming where to go on.
        wrong = self.call("PUT", upload, packed[:10], x_sync_offset="0", x_sync_total=total)
        self.assertEqual(wrong.status_code, 409)
        self.assertIn(f"byte {half}", wrong.json()["detail"])
        rest = self.call("PUT", upload, packed[half:], x_sync_offset=str(half), x_sync_total=total)
        self.assertEqual(rest.status_code, 200, rest.content)
        self.assertEqual(self.online_rows(), 0)  # nothing applied before the whole is asked for
        applied = self.call("POST", upload, x_sync_rows="100")
        self.assertEqual(applied.status_code, 200, applied.content)
        self.assertEqual(Contact.objects.using(ONLINE).count(), 50)
        self.assertEqual(self.received(upload), 0)  # the parts are gone

    def test_parts_that_do_not_make_the_announced_file_are_dropped(self) -> None:
        write_seed(self.path, self.nodes.office_company.id)
        packed = gzip.compress(self.path.read_bytes())
        upload = hashlib.sha256(b"another file").hexdigest()
        self.call("PUT", upload, packed, x_sync_offset="0", x_sync_total=str(len(packed)))
        answer = self.call("POST", upload)
        self.assertEqual(answer.status_code, 422)
        self.assertIn("send it again", answer.json()["detail"])
        self.assertEqual(self.received(upload), 0)
        self.assertEqual(self.online_rows(), 0)
        self.assertEqual(self.call("GET", "not-a-digest").status_code, 400)

    def test_another_companys_credential_sees_nothing_of_an_upload(self) -> None:
        write_seed(self.path, self.nodes.office_company.id)
        packed = gzip.compress(self.path.read_bytes())
        upload = hashlib.sha256(packed).hexdigest()
        self.call("PUT", upload, packed, x_sync_offset="0", x_sync_total=str(len(packed)))
        other = TwoNodes()  # a second pair: another company with its own credential
        credential = SyncLink.objects.using(OFFICE).get(id=other.office_link.id).credential
        with self.nodes.running_on(ONLINE):
            answer = Client().get(
                f"/api/v1/sync/seed/{upload}", headers={"Authorization": f"Bearer {credential}"}
            )
            applied = Client().post(
                f"/api/v1/sync/seed/{upload}", headers={"Authorization": f"Bearer {credential}"}
            )
        self.assertEqual(json.loads(gzip.decompress(answer.content))["received"], 0)
        self.assertEqual(applied.status_code, 409)
        self.assertEqual(self.received(upload), len(packed))  # the first company's is kept

    @sqlite_office
    def test_a_restarted_agent_sends_only_the_rest_of_the_same_file(self) -> None:
        office = self.nodes.office_company
        for n in range(400):
            contact = self.nodes.create_contact(OFFICE, name=f"Kund {n} AB med ett längre namn")
            self.nodes.persons(OFFICE).create(company=office, contact=contact, first_name="Eva")
        parts: list[int] = []

        class LineCut(httpx.BaseTransport):
            """The line breaks after the first part of the seed."""

            def __init__(self, inner: OnlineTransport) -> None:
                self.inner = inner

            def handle_request(self, request: httpx.Request) -> httpx.Response:
                if request.method == "PUT":
                    if parts:
                        raise httpx.ReadError("the line was cut")
                    parts.append(len(request.read()))
                return self.inner.handle_request(request)

        build = seed.build
        with (
            mock.patch.object(seed, "SEED_MIN_ROWS", 10),
            mock.patch.object(agent_module, "SEED_PART", 4096),
            mock.patch.object(seed, "build", side_effect=build) as built,
            self.nodes.running_on(OFFICE),
        ):
            with self.assertRaises(SyncError):
                self.nodes.agent(LineCut(OnlineTransport(self.nodes))).exchange()
            sent: list[int] = []
            offsets: list[int] = []
            totals: set[int] = set()

            class Counting(OnlineTransport):
                def handle_request(self, request: httpx.Request) -> httpx.Response:
                    if request.method == "PUT":
                        sent.append(len(request.read()))
                        offsets.append(int(request.headers["X-Sync-Offset"]))
                        totals.add(int(request.headers["X-Sync-Total"]))
                    return super().handle_request(request)

            self.nodes.agent(Counting(self.nodes)).exchange()
        self.assertEqual(built.call_count, 1)  # written once
        self.assertEqual(parts, [4096])
        # The rest only, of the same file: what arrived before the cut is not sent again.
        (total,) = totals
        self.assertEqual(offsets[0], 4096)
        self.assertEqual(sum(sent), total - 4096)
        self.assertFalse(list((Path(settings.DATA_DIR) / "sync-seed").glob("*.gz")))
        self.assertEqual(Contact.objects.using(ONLINE).count(), 400)
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))

    def test_a_kept_file_no_seed_is_wanted_for_goes(self) -> None:
        self.nodes.create_contact(OFFICE, name="Kund AB")
        self.nodes.exchange()  # the online copy is not empty any more
        link = SyncLink.objects.using(OFFICE).get(id=self.nodes.office_link.id)
        kept = agent_module.SeedUpload._paths(link)
        kept[0].parent.mkdir(parents=True, exist_ok=True)
        for path in kept:
            path.write_bytes(b"left from an earlier run")
        with self.nodes.running_on(OFFICE):
            self.nodes.agent().exchange()
        self.assertFalse(any(path.exists() for path in kept))
