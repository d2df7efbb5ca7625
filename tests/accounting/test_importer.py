"""Importing SIE files: what lands in the books, repeated and later imports, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import SimpleTestCase

from skrivbord.accounting import models as m
from skrivbord.accounting.importer import (
    ImportRefused,
    OrgNumberMismatch,
    _Seen,
    _Writer,
    books_import,
    sie_import,
)
from skrivbord.core.access import KeptElsewhere
from skrivbord.core.models import Company
from skrivbord.sync.actor import acting_as
from skrivbord.sync.models import SyncChange
from tests.accounting.base import BooksTestCase
from tests.accounting.books import books_of
from tests.accounting.files import BOOKS, HEAD, PAYMENT, sie, voucher


class ImportTests(BooksTestCase):
    def test_it_imports_a_file_and_says_what_it_held(self) -> None:
        result = sie_import(company=self.acme, source=BOOKS, filename="acme.se")
        self.assertEqual(result.kind, "4E")
        self.assertEqual(result.program, "Testprogrammet 1.0")
        self.assertEqual(result.company_name, "Acme AB")
        self.assertEqual(
            result.fiscal_years,
            [
                (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
                (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
            ],
        )
        self.assertEqual(
            (result.accounts, result.vouchers, result.transactions, result.balances),
            (5, 3, 7, 9),
        )
        self.assertEqual(result.created["accounting.voucher"], 3)
        self.assertEqual(result.created["accounting.transactionrow"], 7)
        self.assertEqual(result.warnings, [])
        sale = m.Voucher.objects.get(company=self.acme, series="A", number=1)
        self.assertEqual(sale.text, "Faktura 1")
        self.assertEqual(sale.fiscal_year.start, dt.date(2025, 1, 1))
        rows = list(sale.rows.order_by("position"))
        self.assertEqual([r.amount for r in rows], [Decimal("1250.00"), -1000, -250])
        self.assertEqual(rows[1].cost_centre, "10")
        self.assertEqual(rows[1].project, "P1")
        self.assertEqual(rows[1].object_list, [[1, "10"], [6, "P1"]])
        self.assertEqual(rows[0].date, dt.date(2025, 1, 5))  # the voucher's date
        account = m.Account.objects.get(company=self.acme, number="1930")
        self.assertEqual((account.name, account.type), ("Företagskonto", "T"))
        self.assertEqual(
            m.Balance.objects.get(
                company=self.acme, kind="UB", account="1930", fiscal_year=sale.fiscal_year
            ).amount,
            Decimal("11250.00"),
        )
        self.assertEqual(
            sorted(
                m.VoucherSeries.objects.filter(company=self.acme).values_list("code", flat=True)
            ),
            ["A", "B"],
        )

    def test_importing_the_same_file_again_changes_nothing(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        changes = SyncChange.objects.count()
        updated = m.TransactionRow.objects.order_by("-updated_at").values_list(
            "updated_at", flat=True
        )[0]
        again = sie_import(company=self.acme, source=BOOKS)
        self.assertFalse(again.changed)
        self.assertEqual(SyncChange.objects.count(), changes)
        self.assertEqual(m.Voucher.objects.filter(company=self.acme).count(), 3)
        self.assertEqual(
            m.TransactionRow.objects.order_by("-updated_at").values_list("updated_at", flat=True)[
                0
            ],
            updated,
        )

    def test_a_later_export_of_the_same_books_updates_them_without_duplicates(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        # Later: voucher A 1 got another text and a corrected row, A 2 is gone, C 1 is new,
        # and the closing balances follow.
        corrected = voucher(
            "A",
            1,
            "20250105",
            "Faktura 1 (rättad)",
            "#TRANS 1510 {} 1250.00",
            '#TRANS 3001 {1 "20" 6 "P1"} -1000.00',
            "#TRANS 2611 {} -250.00",
        )
        new = voucher("C", 1, "20250401", "Kontant", "#TRANS 1930 {} 100", "#TRANS 3001 {} -100")
        later = sie(
            "#IB 0 1930 10000.00",
            "#IB 0 2440 -10000.00",
            "#UB 0 1930 11350.00",
            "#UB 0 2440 -10000.00",
            "#UB 0 2611 -250.00",
            "#RES 0 3001 -1100.00",
            "#UB -1 1930 10000.00",
            "#UB -1 2440 -10000.00",
            corrected,
            PAYMENT,
            new,
        )
        result = sie_import(company=self.acme, source=later)
        self.assertEqual(result.created["accounting.voucher"], 1)
        self.assertEqual(result.updated["accounting.voucher"], 1)
        self.assertEqual(result.updated["accounting.transactionrow"], 1)
        self.assertEqual(result.deleted["accounting.voucher"], 1)
        self.assertEqual(result.deleted["accounting.transactionrow"], 2)
        self.assertEqual(result.deleted["accounting.balance"], 1)  # UB 1510 is zero now
        self.assertEqual(result.updated["accounting.balance"], 2)  # UB 1930, RES 3001
        # The books are now exactly what the later file says, as if imported afresh.
        fresh = Company.objects.create(name="Fresh AB")
        sie_import(company=fresh, source=later)
        mine, theirs = books_of(self.acme), books_of(fresh)
        for part in ("vouchers", "balances", "years", "accounts"):
            self.assertEqual(mine[part], theirs[part], part)
        # The kept voucher and its unchanged rows kept their ids (the sync sends only changes).
        self.assertEqual(m.Voucher.objects.filter(company=self.acme, series="A").count(), 1)

    def test_a_4i_file_adds_vouchers_and_leaves_the_balances_alone(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        balances = m.Balance.objects.filter(company=self.acme).count()
        invoices = sie(
            voucher("A", 3, "20250501", "Faktura 3", "#TRANS 1510 {} 50", "#TRANS 3001 {} -50"),
            head=[line for line in HEAD if not line.startswith("#RAR")],
        )
        result = sie_import(company=self.acme, source=invoices, filename="FAKT.SI")
        self.assertEqual(result.kind, "4I")
        self.assertEqual(result.created["accounting.voucher"], 1)
        self.assertEqual(m.Voucher.objects.filter(company=self.acme).count(), 4)
        self.assertEqual(m.Balance.objects.filter(company=self.acme).count(), balances)
        # Nothing of the 4E file disappeared: a 4I file is not the whole year.
        self.assertFalse(result.deleted)
        self.assertEqual(
            m.Voucher.objects.get(company=self.acme, series="A", number=3).fiscal_year.start,
            dt.date(2025, 1, 1),
        )

    def test_unnumbered_vouchers_get_the_next_numbers_and_are_recognised_next_time(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        head = [line for line in HEAD if not line.startswith("#RAR")]
        salary = sie(
            voucher(
                '""', '""', "20250625", "Lön juni", "#TRANS 7010 {} 30000", "#TRANS 1930 {} -30000"
            ),
            voucher("A", '""', "20250626", "Faktura", "#TRANS 1510 {} 10", "#TRANS 3001 {} -10"),
            head=head,
        )
        sie_import(company=self.acme, source=salary, filename="LON.SI")
        self.assertEqual(
            m.Voucher.objects.get(
                company=self.acme, text="Faktura", date=dt.date(2025, 6, 26)
            ).number,
            3,  # after A 1 and A 2
        )
        self.assertEqual(m.Voucher.objects.get(company=self.acme, text="Lön juni").number, 1)
        changes = SyncChange.objects.count()
        again = sie_import(company=self.acme, source=salary, filename="LON.SI")
        self.assertFalse(again.changed)
        self.assertEqual(SyncChange.objects.count(), changes)

    def test_a_voucher_number_used_twice_keeps_both_vouchers_with_a_warning(self) -> None:
        twice = sie(
            voucher("#", 1, "20250131", "Avskrivning", "#TRANS 7830 {} 133", "#TRANS 1229 {} -133"),
            voucher("#", 1, "20250228", "Avskrivning", "#TRANS 7830 {} 133", "#TRANS 1229 {} -133"),
        )
        result = sie_import(company=self.acme, source=twice)
        self.assertEqual(
            list(
                m.Voucher.objects.filter(company=self.acme)
                .order_by("occurrence")
                .values_list("series", "number", "occurrence", "date")
            ),
            [("#", 1, 0, dt.date(2025, 1, 31)), ("#", 1, 1, dt.date(2025, 2, 28))],
        )
        self.assertEqual(
            [w.message for w in result.warnings if w.code == "duplicate_voucher"],
            [
                f"Line {len(HEAD) + 6}: the voucher number # 1 was used before, on line "
                f"{len(HEAD) + 1}; both vouchers were imported."
            ],
        )
        self.assertFalse(sie_import(company=self.acme, source=twice).changed)

    def test_accounts_used_but_not_declared_are_added_to_the_chart(self) -> None:
        sie_import(
            company=self.acme,
            source=sie(voucher("A", 1, "20250101", "", "#TRANS 9999 {} 1", "#TRANS 1930 {} -1")),
        )
        self.assertEqual(m.Account.objects.get(company=self.acme, number="9999").name, "")

    def test_a_changed_account_name_is_updated(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        renamed = BOOKS.replace("Företagskonto".encode("cp437"), b"Bank")
        result = sie_import(company=self.acme, source=renamed)
        self.assertEqual(dict(+result.updated), {"accounting.account": 1})
        self.assertEqual(m.Account.objects.get(company=self.acme, number="1930").name, "Bank")


class RefusalTests(BooksTestCase):
    def assert_books_empty(self) -> None:
        for model in m.BOOKS_MODELS:
            self.assertFalse(model.objects.filter(company=self.acme).exists(), model.__name__)
        self.assertEqual(SyncChange.objects.filter(company_id=self.acme.id).count(), 0)

    # One voucher a batch: the vouchers are written before the reader reaches the break.
    @mock.patch("skrivbord.accounting.importer.CHUNK_VOUCHERS", 1)
    def test_a_file_broken_after_its_vouchers_changes_nothing_and_names_the_line(self) -> None:
        broken = BOOKS + b"#TRANS 1930 {} 1\n"
        writes = mock.patch.object(_Writer, "put", autospec=True, side_effect=_Writer.put)
        with self.assertRaises(ImportRefused) as refused, writes as put:
            sie_import(company=self.acme, source=broken)
        self.assertTrue(put.called, "the vouchers were written before the refusal")
        line = len(BOOKS.splitlines()) + 1
        self.assertEqual(refused.exception.line, line)
        self.assertEqual(refused.exception.code, "row_outside_voucher")
        self.assertTrue(refused.exception.message.startswith(f"Line {line}: #TRANS"))
        self.assert_books_empty()

    def test_a_wrong_checksum_at_the_end_changes_nothing(self) -> None:
        lines = BOOKS.decode("cp437").splitlines()
        wrong = "\n".join([lines[0], "#KSUMMA", *lines[1:], "#KSUMMA 123"]) + "\n"
        with self.assertRaises(ImportRefused) as refused:
            sie_import(company=self.acme, source=wrong.encode("cp437"))
        self.assertEqual(refused.exception.code, "checksum_mismatch")
        self.assert_books_empty()

    def test_a_file_of_another_organisation_number_is_refused_unless_forced(self) -> None:
        theirs = BOOKS.replace(b"556036-0793", b"556677-8899")
        with self.assertRaises(OrgNumberMismatch) as refused:
            sie_import(company=self.acme, source=theirs)
        self.assertEqual(
            refused.exception.message,
            "The file is the books of organisation number 556677-8899, but Acme AB has "
            "organisation number 556036-0793. Import it anyway only if it really is this "
            "company's books (--force, or confirm in the upload).",
        )
        self.assert_books_empty()
        result = sie_import(company=self.acme, source=theirs, force=True)
        self.assertEqual(result.created["accounting.voucher"], 3)

    def test_the_same_organisation_number_written_without_a_hyphen_is_accepted(self) -> None:
        sie_import(company=self.acme, source=BOOKS.replace(b"556036-0793", b"5560360793"))
        self.assertTrue(m.Voucher.objects.filter(company=self.acme).exists())

    def test_an_invalid_organisation_number_in_the_file_is_a_warning(self) -> None:
        result = sie_import(
            company=Company.objects.create(name="Nytt AB"),
            source=BOOKS.replace(b"556036-0793", b"556036-0794"),
        )
        self.assertIn(
            "the file's organisation number 556036-0794 is not a valid Swedish organisation "
            "number.",
            [w.message.split(": ", 1)[1] for w in result.warnings],
        )

    def test_a_fiscal_year_overlapping_one_in_the_books_is_refused(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        shifted = BOOKS.replace(b"#RAR 0 20250101 20251231", b"#RAR 0 20250701 20260630")
        with self.assertRaises(ImportRefused) as refused:
            sie_import(company=self.acme, source=shifted)
        self.assertEqual(
            refused.exception.message,
            "Line 8: the fiscal year from 2025-07-01 to 2026-06-30 overlaps the fiscal year "
            "from 2025-01-01 to 2025-12-31 already in the books.",
        )

    def test_an_account_number_longer_than_the_books_hold_is_refused(self) -> None:
        long = voucher("A", 1, "20250101", "", f"#TRANS {'1' * 21} {{}} 1", "#TRANS 1930 {} -1")
        with self.assertRaises(ImportRefused) as refused:
            sie_import(company=self.acme, source=sie(long))
        self.assertIn("is longer than 20 characters", refused.exception.message)
        self.assert_books_empty()


class CaptureTests(BooksTestCase):
    """Every imported row is in the sync's change log exactly once, and the capture
    triggers are in place afterwards."""

    def test_every_imported_row_is_logged_once_with_who_imported_it(self) -> None:
        with acting_as("cli:sie_import"):
            sie_import(company=self.acme, source=BOOKS)
        for model in m.BOOKS_MODELS:
            label = model._meta.label_lower
            ids = set(model.objects.filter(company=self.acme).values_list("id", flat=True))
            logged = list(
                SyncChange.objects.filter(company_id=self.acme.id, entity=label).values_list(
                    "row_id", "op", "fields", "actor"
                )
            )
            self.assertEqual(len(logged), len(ids), label)
            self.assertEqual({row_id for row_id, *_rest in logged}, ids, label)
            self.assertEqual(
                {tuple(rest) for _id, *rest in logged},
                {("u", "*", "cli:sie_import")} if ids else set(),
            )
        # Parents before children in the log, so the sync sends them in that order.
        entities = list(
            SyncChange.objects.filter(company_id=self.acme.id)
            .order_by("seq")
            .values_list("entity", flat=True)
        )
        self.assertLess(
            entities.index("accounting.voucher"), entities.index("accounting.transactionrow")
        )
        if connection.vendor == "sqlite":
            # SQLite's feed position is the change's id (capture.py); the import gives both.
            seqs = list(SyncChange.objects.order_by("id").values_list("id", "seq"))
            self.assertTrue(all(seq == change_id for change_id, seq in seqs))

    def test_the_capture_triggers_are_back_after_an_import(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        before = SyncChange.objects.count()
        row = m.TransactionRow.objects.filter(company=self.acme).first()
        assert row is not None
        m.TransactionRow.objects.filter(id=row.id).update(text="Ändrad")
        m.TransactionRow.objects.create(
            company=self.acme,
            voucher=row.voucher,
            fiscal_year=row.fiscal_year,
            position=99,
            account="1930",
            amount=Decimal("1.00"),
            date=row.date,
        )
        self.assertEqual(SyncChange.objects.count(), before + 2)

    @mock.patch("skrivbord.accounting.importer.CHUNK_VOUCHERS", 1)
    def test_the_triggers_survive_a_refused_import(self) -> None:
        with self.assertRaises(ImportRefused):
            sie_import(company=self.acme, source=BOOKS + b"#TRANS 1930 {} 1\n")
        if connection.vendor == "sqlite":
            query = (
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'sync_ins_accounting%'"
            )
        else:
            query = (
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'sync_capture' "
                "AND tgrelid::regclass::text LIKE 'accounting_%'"
            )
        with connection.cursor() as cursor:
            cursor.execute(query)
            # The books' tables, and the checks' resolved marks (synced the other way).
            self.assertEqual(cursor.fetchone()[0], len(m.BOOKS_MODELS) + 1)


class ProgressTests(BooksTestCase):
    def test_it_reports_progress_up_to_the_whole_file(self) -> None:
        seen: list[tuple[int, int]] = []
        sie_import(
            company=self.acme, source=BOOKS, progress=lambda done, total: seen.append((done, total))
        )
        self.assertTrue(seen)
        self.assertEqual(seen[-1], (len(BOOKS), len(BOOKS)))
        dones = [done for done, _total in seen]
        self.assertEqual(dones, sorted(dones))


class AccessTests(BooksTestCase):
    def test_a_user_who_may_change_the_books_imports(self) -> None:
        result = books_import(access=self.access(self.bob), source=BOOKS)
        self.assertEqual(result.created["accounting.voucher"], 3)
        self.assertEqual(
            set(SyncChange.objects.filter(company_id=self.acme.id).values_list("actor", flat=True)),
            {"bob@acme.se"},
        )

    def test_a_read_only_member_may_not_import(self) -> None:
        with self.assertRaises(PermissionDenied):
            books_import(access=self.access(self.rita), source=BOOKS)
        self.assertFalse(m.Voucher.objects.exists())


class OnlineNodeTests(BooksTestCase):
    node = "online"

    def test_the_online_node_refuses_an_import_with_the_plain_explanation(self) -> None:
        with self.assertRaises(KeptElsewhere) as refused:
            sie_import(company=self.acme, source=BOOKS)
        self.assertIn("kept in the office's business system", refused.exception.message)
        self.assertFalse(m.Voucher.objects.exists())

    def test_books_import_refuses_there_too(self) -> None:
        with self.assertRaises(KeptElsewhere):
            books_import(access=self.access(self.alice), source=BOOKS)


class SeenVouchersTests(SimpleTestCase):
    """The import's memory of the file's voucher numbers (an array for the usual 1, 2, 3...)."""

    def test_it_remembers_lines_of_dense_sparse_and_repeated_numbers(self) -> None:
        seen = _Seen()
        seen.add("A", 1, 0, 10)
        seen.add("A", 1, 1, 20)
        seen.add("A", 110_000_051, 0, 30)  # BL Administration's numbers
        seen.add("B", 7, 0, 40)
        self.assertEqual(
            [seen.get("A", 1, 0), seen.get("A", 1, 1), seen.get("A", 110_000_051, 0)], [10, 20, 30]
        )
        self.assertEqual([seen.get("A", 2, 0), seen.get("B", 1, 0), seen.get("C", 1, 0)], [0, 0, 0])
        self.assertEqual((seen.max_number("A"), seen.max_number("B")), (110_000_051, 7))
