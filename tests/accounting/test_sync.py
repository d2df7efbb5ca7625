"""The books sync office -> online and are read-only on the online node."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import DatabaseError, transaction
from django.http import Http404

from skrivbord.accounting import models as m
from skrivbord.accounting.importer import sie_import
from skrivbord.core.access import KeptElsewhere, company_access
from skrivbord.sync import engine, protocol
from skrivbord.sync.merge import Side
from tests.accounting.base import node_is
from tests.accounting.books import books_of
from tests.accounting.files import BOOKS, PAYMENT, sie, voucher
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes

REFUSED = (
    "This information is kept in the office's business system and synchronised here. Change "
    "it in the office; the change then reaches the online desktop."
)


class ImportSyncsTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        # The office database is an office node; the online one stays an online node.
        self.enterContext(node_is("office", OFFICE))
        self.nodes = TwoNodes()

    def import_at_the_office(self, data: bytes) -> None:
        sie_import(company=self.nodes.office_company, source=data, using=OFFICE)

    def assert_same_books(self) -> None:
        self.assertEqual(
            books_of(self.nodes.online_company, using=ONLINE),
            books_of(self.nodes.office_company, using=OFFICE),
        )

    def test_an_import_at_the_office_reaches_the_online_node(self) -> None:
        self.nodes.exchange()  # the new companies' default activity types, first
        self.import_at_the_office(BOOKS)
        sent = self.nodes.push()
        rows = sum(model.objects.using(OFFICE).count() for model in m.BOOKS_MODELS)
        self.assertEqual(sent, rows)
        self.assert_same_books()
        online = m.TransactionRow.objects.using(ONLINE).get(
            voucher__series="A", voucher__number=1, position=2
        )
        self.assertEqual(online.amount, Decimal("-1000.00"))
        self.assertEqual(online.object_list, [[1, "10"], [6, "P1"]])
        self.assertEqual(self.nodes.pull(), 0, "nothing comes back")

    def test_a_batch_of_the_books_travels_as_json_with_exact_amounts(self) -> None:
        self.import_at_the_office(BOOKS)
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        batch = engine.collect(company=self.nodes.office_company, after=0, using=OFFICE)
        decoded = protocol.decode(protocol.encode(batch.rows), compressed=True)
        amounts = [
            row["values"]["amount"] for row in decoded if row["entity"] == "accounting.balance"
        ]
        self.assertIn("11250.00", amounts)

    def test_a_later_import_updates_and_deletes_on_the_online_node_too(self) -> None:
        self.import_at_the_office(BOOKS)
        self.nodes.exchange()
        later = sie(
            "#UB 0 1930 11250.00",
            voucher("A", 1, "20250105", "Rättad", "#TRANS 1510 {} 1250", "#TRANS 3001 {} -1250"),
            PAYMENT,
        )
        self.import_at_the_office(later)
        self.nodes.exchange()
        self.assert_same_books()
        self.assertFalse(m.Voucher.objects.using(ONLINE).filter(series="A", number=2).exists())
        self.assertEqual(m.Voucher.objects.using(ONLINE).get(series="A", number=1).text, "Rättad")


class OnlineReadOnlyTests(SyncTestCase):
    """On the online node (the tests' default node) the books cannot be changed."""

    def setUp(self) -> None:
        super().setUp()
        # Rows as the sync writes them there: under the engine's marker.
        with engine.applying("default"):
            self.year = m.FiscalYear.objects.create(
                company=self.acme, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
            )
            self.account = m.Account.objects.create(company=self.acme, number="1930", name="Bank")

    def test_the_access_check_refuses_a_change_with_the_plain_explanation(self) -> None:
        with self.assertRaises(KeptElsewhere) as refused:
            company_access(self.alice, self.acme.id, module="accounting", write=True)
        self.assertEqual(refused.exception.message, REFUSED)
        # Reading stays allowed, for a read-only member too.
        company_access(self.rita, self.acme.id, module="accounting")

    def test_the_database_refuses_a_write_that_bypasses_the_services(self) -> None:
        for write in (
            lambda: m.Account.objects.filter(id=self.account.id).update(name="Ändrad online"),
            lambda: m.Account.objects.create(company=self.acme, number="1910", name="Kassa"),
            lambda: m.FiscalYear.objects.filter(id=self.year.id).delete(),
        ):
            with (
                self.subTest(write=write),
                self.assertRaisesMessage(DatabaseError, "kept on the office node"),
                transaction.atomic(),
            ):
                write()
        self.assertEqual(m.Account.objects.get(id=self.account.id).name, "Bank")

    def test_the_import_is_refused_online(self) -> None:
        with self.assertRaises(KeptElsewhere):
            sie_import(company=self.acme, source=BOOKS)

    def test_another_company_cannot_even_read(self) -> None:
        with self.assertRaises(Http404):
            company_access(self.charlie, self.acme.id, module="accounting")
