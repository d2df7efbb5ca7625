"""Starting a new company's chart of accounts from the BAS file its user downloaded from
bas.se (we do not ship BAS: docs/decisions/0013-bas-chart.md), and the ledger of real files."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from skrivbord.accounting import models as m
from skrivbord.accounting import selectors
from skrivbord.accounting.chartfile import ChartFileError, read_chart
from skrivbord.accounting.importer import sie_import
from skrivbord.sync.models import SyncChange
from tests.accounting.base import BooksTestCase, node_is
from tests.accounting.corpus import sie_file
from tests.accounting.files import BOOKS
from tests.shared_data import shared_data_path


def url(name: str, company: Any, **kwargs: Any) -> str:
    return reverse(f"accounting:{name}", kwargs={"company_id": company.id, **kwargs})


def xlsx(rows: list[list[Any]]) -> bytes:
    """A minimal Excel workbook: one sheet, strings shared as Excel writes them."""
    strings: list[str] = []
    cells_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{chr(ord('A') + c)}{r}"
            if value is None:
                continue
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                strings.append(str(value))
                cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        cells_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} {rel_ns}><sheets><sheet name="Kontoplan" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            "</Relationships>",
        )
        book.writestr(
            "xl/sharedStrings.xml",
            f"<sst {ns}>" + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>",
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{''.join(cells_xml)}</sheetData></worksheet>",
        )
    return buffer.getvalue()


#: The layout of the bas.se workbook: main account and its sub-accounts side by side.
BAS_LIKE = [
    [None, "Kontoplan \N{EN DASH} BAS 2025 v. 1.0"],
    [None, None, None, "Huvudkonton", None, None, None, "Underkonton"],
    [None, None, 1, "Tillgångar"],
    [None, None, 19, "Kassa och bank"],
    [None, "■", 1910, "Kassa", None, "■", 1910, "Kassa"],
    [None, None, None, None, None, None, 1911, "Huvudkassa"],
    [None, "■", 1930, "Företagskonto/checkkonto/affärskonto", None, "■", 1930, "Företagskonto"],
    [None, None, 3, "Rörelsens inkomster/intäkter"],
    [
        None,
        "■",
        3000,
        "Försäljning inom Sverige",
        None,
        "■",
        3001,
        "Försäljning inom Sverige, 25 % moms",
    ],
]


class ChartFileTests(BooksTestCase):
    def test_it_reads_the_bas_workbook_layout(self) -> None:
        chart = read_chart(xlsx(BAS_LIKE))
        self.assertEqual(
            chart.accounts,
            [
                ("1910", "Kassa"),
                ("1911", "Huvudkassa"),
                ("1930", "Företagskonto/checkkonto/affärskonto"),
                ("3000", "Försäljning inom Sverige"),
                ("3001", "Försäljning inom Sverige, 25 % moms"),
            ],
        )
        self.assertEqual(chart.title, "Kontoplan \N{EN DASH} BAS 2025 v. 1.0")

    def test_it_reads_the_bas_2025_chart_as_csv_with_all_its_accounts(self) -> None:
        chart = read_chart(shared_data_path("bas", "BAS2025_kontoplan_normalized.csv").read_bytes())
        normalized = shared_data_path("bas", "BAS2025_kontoplan_normalized.csv")
        expected = [
            (line.split(";")[0], line.split(";")[1])
            for line in normalized.read_text(encoding="utf-8").splitlines()[1:]
            if line.split(";")[2] == "konto"
        ]
        self.assertEqual(chart.accounts, expected)
        self.assertEqual(len(chart.accounts), 1223)

    def test_the_bas_workbook_saved_as_csv_gives_the_same_accounts(self) -> None:
        saved = read_chart(
            shared_data_path("bas", "forsslund__sie-parser__Kontoplan-BAS-2025.csv").read_bytes()
        )
        normalized = read_chart(
            shared_data_path("bas", "BAS2025_kontoplan_normalized.csv").read_bytes()
        )
        self.assertEqual(
            sorted(n for n, _name in saved.accounts), sorted(n for n, _name in normalized.accounts)
        )

    def test_files_that_are_not_a_chart_are_refused(self) -> None:
        for data, code in (
            (BOOKS, "sie"),
            (b"just some text\nwithout accounts\n", "no_accounts"),
            (b"PK\x03\x04 broken zip", "unreadable"),
        ):
            with self.assertRaises(ChartFileError) as caught:
                read_chart(data)
            self.assertEqual(caught.exception.code, code)


class ChartStartTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.alice)

    def start(self, data: bytes, name: str = "Kontoplan_BAS_2025.xlsx", **extra: Any) -> Any:
        return self.client.post(
            url("chart_start", self.acme),
            {"file": SimpleUploadedFile(name, data), "confirm": "on", **extra},
        )

    def test_a_company_without_accounts_starts_from_the_bas_file(self) -> None:
        response = self.start(xlsx(BAS_LIKE))
        self.assertRedirects(response, url("accounts", self.acme), fetch_redirect_response=False)
        self.assertEqual(
            list(m.Account.objects.filter(company=self.acme).values_list("number", flat=True)),
            ["1910", "1911", "1930", "3000", "3001"],
        )
        page = self.client.get(url("accounts", self.acme))
        self.assertContains(page, "The chart of accounts is started: 5 accounts were created.")

    def test_the_whole_bas_2025_chart_is_created_and_captured_for_the_sync(self) -> None:
        data = shared_data_path("bas", "BAS2025_kontoplan_normalized.csv").read_bytes()
        self.start(data, name="bas2025.csv")
        self.assertEqual(m.Account.objects.filter(company=self.acme).count(), 1223)
        logged = SyncChange.objects.filter(
            company_id=self.acme.id, entity="accounting.account", actor="alice@acme.se"
        ).count()
        self.assertEqual(logged, 1223)

    def test_an_sie_import_with_its_own_chart_still_wins(self) -> None:
        self.start(xlsx(BAS_LIKE))
        sie_import(company=self.acme, source=BOOKS)
        names = dict(m.Account.objects.filter(company=self.acme).values_list("number", "name"))
        self.assertEqual(names["1930"], "Företagskonto")  # the file's name, not BAS's
        self.assertEqual(names["3001"], "Försäljning inom Sverige, 25 % moms")
        self.assertEqual(names["2440"], "Leverantörsskulder")  # the file's own accounts added
        self.assertEqual(names["1911"], "Huvudkassa")  # BAS accounts the file lacks stay

    def test_it_is_only_for_a_company_without_accounts(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        response = self.client.get(url("chart_start", self.acme))
        self.assertContains(response, "The company already has a chart of accounts.")
        response = self.start(xlsx(BAS_LIKE))
        self.assertEqual(response.status_code, 409)
        self.assertFalse(m.Account.objects.filter(company=self.acme, number="1911").exists())

    def test_it_needs_the_confirmation(self) -> None:
        response = self.client.post(
            url("chart_start", self.acme), {"file": SimpleUploadedFile("b.xlsx", xlsx(BAS_LIKE))}
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(m.Account.objects.filter(company=self.acme).exists())

    def test_a_file_without_accounts_says_what_to_use(self) -> None:
        response = self.start(b"hello\n", name="notes.txt")
        self.assertContains(response, "No accounts were found in the file.", status_code=400)
        response = self.start(BOOKS, name="books.se")
        self.assertContains(response, "This is an SIE file.", status_code=400)

    def test_only_administrators_on_the_office_node(self) -> None:
        for user in (self.bob, self.rita):
            self.login(user)
            self.assertEqual(self.start(xlsx(BAS_LIKE)).status_code, 403)
        self.login(self.charlie)
        self.assertEqual(self.start(xlsx(BAS_LIKE)).status_code, 404)
        self.login(self.alice)
        with node_is("online"):
            response = self.start(xlsx(BAS_LIKE))
        self.assertContains(response, "Change it in the office", status_code=403)
        self.assertFalse(m.Account.objects.filter(company=self.acme).exists())


class RealFileTests(BooksTestCase):
    """A real, reconciling file: its ledgers' running balances end at the trial balance's
    closing balances, and it goes through the web upload."""

    FILE = "idstam__jsisie__transaktioner_ovnbolag.se"

    def test_every_ledgers_running_balance_ends_at_the_trial_balance_closing(self) -> None:
        sie_import(company=self.acme, source=sie_file(self.FILE), force=True)
        access = self.access(self.alice)
        year = selectors.fiscal_year_get(access=access)
        trial = selectors.trial_balance(access=access, fiscal_year=year)
        self.assertTrue(trial.reconciles)
        checked = 0
        for line in trial.lines:
            if line.account_class == selectors.INTERNAL or not line.movement:
                continue
            account = selectors.account_get(access=access, number=line.number)
            page = selectors.ledger(access=access, fiscal_year=year, account=account)
            balance = page.opening
            while True:
                if page.lines:
                    balance = page.lines[-1].balance
                if page.next is None:
                    break
                page = selectors.ledger(
                    access=access, fiscal_year=year, account=account, after=page.next
                )
            self.assertEqual(balance, line.closing, line.number)
            self.assertEqual(page.closing, line.closing, line.number)
            checked += 1
        self.assertGreater(checked, 10)

    def test_the_ledger_page_shows_the_trial_balance_closing(self) -> None:
        sie_import(company=self.acme, source=sie_file(self.FILE), force=True)
        access = self.access(self.alice)
        year = selectors.fiscal_year_get(access=access)
        line = next(
            line
            for line in selectors.trial_balance(access=access, fiscal_year=year).lines
            if line.number.startswith("19") and line.movement
        )
        self.login(self.rita)
        response = self.client.get(url("account", self.acme, number=line.number))
        from skrivbord.accounting.templatetags.books_ui import money

        self.assertContains(response, money(line.closing))

    def test_a_real_file_goes_through_the_web_upload(self) -> None:
        from unittest import mock

        from skrivbord.accounting import services

        self.login(self.alice)
        data = sie_file(self.FILE).read_bytes()
        with (
            mock.patch.object(services, "start_in_background", lambda work: work()),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(
                url("import", self.acme),
                {"file": SimpleUploadedFile(self.FILE, data), "force": "on"},
            )
        upload = m.SieUpload.objects.get()
        self.assertEqual(upload.state, m.UploadState.DONE, upload.error)
        self.assertGreater(upload.summary["vouchers"], 100)
        page = self.client.get(response["Location"])
        self.assertContains(page, "The file is imported.")
        self.assertEqual(
            m.Voucher.objects.filter(company=self.acme).count(), upload.summary["vouchers"]
        )
