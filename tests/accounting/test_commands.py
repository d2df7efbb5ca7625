"""`skrivbord sie_import` and `skrivbord sie_export`."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command

from skrivbord.accounting import models as m
from skrivbord.accounting.sie.reader import read
from tests.accounting.base import BooksTestCase
from tests.accounting.files import BOOKS


class CommandTestCase(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dir = Path(self.enterContext(TemporaryDirectory()))
        self.file = self.dir / "acme.se"
        self.file.write_bytes(BOOKS)

    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command(*args, stdout=out)
        return out.getvalue()


class SieImportCommandTests(CommandTestCase):
    def test_it_prints_what_the_file_held_and_what_changed(self) -> None:
        out = self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        lines = out.splitlines()
        self.assertIn("Importing: 811 B of 811 B (100%)", lines)
        self.assertIn("Imported acme.se into Acme AB.", lines)
        self.assertIn("  File: SIE 4E from Testprogrammet 1.0, cp437.", lines)
        self.assertIn("  Company in the file: Acme AB 556036-0793", lines)
        self.assertIn(
            "  Fiscal years: 2024-01-01\N{EN DASH}2024-12-31, 2025-01-01\N{EN DASH}2025-12-31",
            lines,
        )
        self.assertIn(
            "  Accounts: 5. Vouchers: 3. Transactions: 7. Balances: 9. Period balances: 0.", lines
        )
        created = next(line for line in lines if line.startswith("  Created:"))
        self.assertIn("3 vouchers", created)
        self.assertIn("7 transaction rows", created)
        self.assertIn("2 fiscal years", created)
        self.assertIn("  No warnings.", lines)

    def test_a_second_run_says_nothing_changed(self) -> None:
        self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        out = self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        self.assertIn("  Nothing changed: the books already hold this file.", out.splitlines())

    def test_warnings_are_listed_with_their_lines(self) -> None:
        self.file.write_bytes(BOOKS + b"#MOMSKOD 2611 10\n")
        out = self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        self.assertIn("  1 warning:", out.splitlines())
        self.assertTrue(any(line.startswith("    Line 41:") for line in out.splitlines()), out)

    def test_a_broken_file_exits_with_the_line_and_changes_nothing(self) -> None:
        self.file.write_bytes(BOOKS.replace(b"#TRANS 1510 {} 625.00", b"#TRANS 1510 {} 625,00"))
        with self.assertRaises(CommandError) as refused:
            self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        self.assertEqual(
            str(refused.exception),
            "acme.se was not imported; the books are unchanged. Line 33: “625,00” is not an "
            "amount (digits with a decimal point, such as -1234.50).",
        )
        self.assertFalse(m.Voucher.objects.exists())

    def test_another_companys_file_needs_force(self) -> None:
        self.file.write_bytes(BOOKS.replace(b"556036-0793", b"556677-8899"))
        with self.assertRaisesMessage(CommandError, "(--force, or confirm in the upload)"):
            self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))
        self.run_command("sie_import", str(self.file), "--company", str(self.acme.id), "--force")
        self.assertEqual(m.Voucher.objects.filter(company=self.acme).count(), 3)

    def test_a_missing_file_or_company_is_explained(self) -> None:
        with self.assertRaisesMessage(CommandError, "There is no file"):
            self.run_command("sie_import", str(self.dir / "nej.se"), "--company", str(self.acme.id))
        with self.assertRaisesMessage(CommandError, "There is no company with the id"):
            self.run_command("sie_import", str(self.file), "--company", "nej")


class SieExportCommandTests(CommandTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.run_command("sie_import", str(self.file), "--company", str(self.acme.id))

    def test_it_writes_a_cp437_file_with_a_checksum_that_reads_back(self) -> None:
        out_file = self.dir / "export.se"
        out = self.run_command(
            "sie_export",
            "--company",
            str(self.acme.id),
            "--fiscal-year",
            "2025-01-01",
            "-o",
            str(out_file),
        )
        self.assertIn("SIE 4E of Acme AB, fiscal year from 2025-01-01 to 2025-12-31", out)
        self.assertIn("3 vouchers, 7 transaction rows", out)
        raw = out_file.read_bytes()
        self.assertIn("Företagskonto".encode("cp437"), raw)
        exported = read(out_file)
        assert exported.checksum is not None
        self.assertTrue(exported.checksum.ok)
        self.assertEqual(exported.kind, "4E")
        self.assertEqual(len(exported.vouchers), 3)
        self.assertEqual([y.index for y in exported.fiscal_years], [0, -1])

    def test_each_type_holds_what_it_may(self) -> None:
        for kind, vouchers, period_or_objects in (
            ("1", 0, False),
            ("2", 0, False),
            ("3", 0, True),
            ("4I", 3, True),
        ):
            with self.subTest(kind=kind):
                path = self.dir / f"export{kind}.se"
                self.run_command(
                    "sie_export",
                    "--company",
                    str(self.acme.id),
                    "--fiscal-year",
                    "2025-01-01",
                    "--type",
                    kind,
                    "-o",
                    str(path),
                )
                exported = read(
                    path, filename=path.name.replace(".se", ".si" if kind == "4I" else ".se")
                )
                self.assertEqual(len(exported.vouchers), vouchers)
                self.assertEqual(bool(exported.balances), kind != "4I")
                self.assertEqual(bool(exported.objects), period_or_objects)

    def test_an_unknown_fiscal_year_lists_the_ones_there_are(self) -> None:
        with self.assertRaises(CommandError) as refused:
            self.run_command(
                "sie_export",
                "--company",
                str(self.acme.id),
                "--fiscal-year",
                "2019-01-01",
                "-o",
                str(self.dir / "x.se"),
            )
        self.assertEqual(
            str(refused.exception),
            "Acme AB has no fiscal year that starts on 2019-01-01. Its years start on: "
            "2025-01-01, 2024-01-01.",
        )
        self.assertFalse((self.dir / "x.se").exists())
