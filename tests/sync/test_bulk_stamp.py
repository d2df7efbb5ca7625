"""Stamping many first inserts in SQL gives exactly what stamping them one by one gives."""

import datetime as dt
from typing import Any
from unittest import mock

from django.db import connections

from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.models import Company
from skrivbord.sync import engine, hlc
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncNode, SyncRow
from tests.sync.base import SyncTestCase


def _recording(function: Any, results: list[Any]) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        results.append(function(*args, **kwargs))
        return results[-1]

    return call


class BulkStampTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.company = Company.objects.create(name="Kontoret AB")
        self.now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)

    def _insert(self, contacts: int) -> None:
        made = Contact.objects.bulk_create(
            Contact(company=self.company, name=f"Kund {n} AB") for n in range(contacts)
        )
        ContactPerson.objects.bulk_create(
            ContactPerson(company=self.company, contact=contact, first_name="Eva")
            for contact in made
        )

    def _set_times(self, times: list[dt.datetime]) -> None:
        """Give the logged changes these wall times, in change order (cycling)."""
        ids = list(SyncChange.objects.order_by("seq").values_list("id", flat=True))
        for index, change_id in enumerate(ids):
            SyncChange.objects.filter(id=change_id).update(changed_at=times[index % len(times)])

    def _stamp_both_ways(self, side: Side = Side.OFFICE) -> tuple[Any, Any, Any]:
        """The rows and clock after a bulk stamp, and after the one-by-one stamp."""
        results = []
        # Both stamps at the same "now": a change from the future counts as made now.
        self.enterContext(mock.patch("django.utils.timezone.now", return_value=self.now))
        for bulk in (True, False):
            SyncRow.objects.all().delete()
            SyncNode.objects.update_or_create(id=1, defaults={"stamp_cursor": 0, "hlc": 0})
            if bulk:
                taken: list[Any] = []
                with mock.patch.object(
                    engine, "_stamp_inserts", side_effect=_recording(engine._stamp_inserts, taken)
                ):
                    folded = engine.stamp(side=side)
                self.assertIsNotNone(taken[0], "the bulk path was not taken")
            else:
                with mock.patch.object(engine, "_stamp_inserts", return_value=None):
                    folded = engine.stamp(side=side)
            rows = sorted(SyncRow.objects.values_list("entity", "row_id", "versions", "deleted"))
            results.append((folded, rows, SyncNode.objects.get(id=1).hlc))
        return results[0], results[1], SyncChange.objects.count()

    def test_it_gives_first_inserts_the_versions_the_general_path_gives(self) -> None:
        self._insert(1500)
        bulk, general, changes = self._stamp_both_ways()
        self.assertEqual(bulk, general)
        self.assertEqual(bulk[0], changes)
        versions = bulk[1][0][2]
        self.assertEqual(list(versions), ["*"])
        self.assertEqual(versions["*"][1], 0)  # the office's edit, unknown online

    def test_it_counts_the_hlc_like_the_general_path_when_wall_time_stalls_or_jumps(
        self,
    ) -> None:
        self._insert(1500)
        base = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
        # Runs in the same millisecond, a clock stepping back, sub-millisecond digits, and a
        # time in the future (counted as now).
        self._set_times(
            [
                base,
                base,
                base + dt.timedelta(microseconds=1500),
                base - dt.timedelta(seconds=3),
                base + dt.timedelta(milliseconds=2),
                base + dt.timedelta(days=400),
                base + dt.timedelta(milliseconds=2),
            ]
        )
        bulk, general, _changes = self._stamp_both_ways()
        self.assertEqual(bulk, general)
        self.assertGreater(hlc.milliseconds(bulk[2]), int(base.timestamp() * 1000))

    def test_the_counter_saturates_like_the_general_path(self) -> None:
        self._insert(1500)
        self._set_times([dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)])
        SyncNode.objects.update_or_create(id=1, defaults={"hlc": 0})
        bulk, general, _changes = self._stamp_both_ways()
        self.assertEqual(bulk, general)

    def test_it_keeps_the_actor_and_the_online_side(self) -> None:
        self._insert(1500)
        first = SyncChange.objects.order_by("id").values_list("id", flat=True)[:100]
        SyncChange.objects.filter(id__in=list(first)).update(actor="alice@example.com")
        bulk, general, _changes = self._stamp_both_ways(side=Side.ONLINE)
        self.assertEqual(bulk, general)
        with_actor = [row for row in bulk[1] if len(row[2]["*"]) == 4]
        self.assertEqual(len(with_actor), 100)
        self.assertEqual(with_actor[0][2]["*"][0], 0)  # made online: unknown to the office

    def test_it_leaves_edits_and_rows_with_versions_to_the_general_path(self) -> None:
        self._insert(1500)
        engine.stamp()
        before = dict(SyncRow.objects.values_list("row_id", "versions"))
        # Re-logged inserts of rows that already have versions, and edits among them.
        Contact.objects.filter(company=self.company).update(phone="08-1")
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "INSERT INTO sync_syncchange (company_id, entity, row_id, op, fields, "
                "changed_at, actor) SELECT company_id, entity, row_id, 'u', '*', changed_at, '' "
                "FROM sync_syncchange WHERE entity = 'contacts.contactperson'"
            )
        engine.stamp()
        contact = Contact.objects.filter(company=self.company).first()
        assert contact is not None
        after = SyncRow.objects.get(row_id=contact.id).versions
        self.assertIn("phone", after)
        self.assertNotEqual(after, before[contact.id])
        self.assertEqual(SyncRow.objects.count(), 3000)
