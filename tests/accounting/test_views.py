"""The accounting pages: browse and search the books, ledger with running balance, SIE
upload with progress, SIE download. Who may do what: everyone with access reads, rita
(read-only) cannot import, charlie sees nothing of acme, the online node refuses import."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from skrivbord.accounting import models as m
from skrivbord.accounting import selectors, services
from skrivbord.accounting.importer import sie_import
from skrivbord.accounting.sie.reader import read as sie_read
from tests.accounting.base import BooksTestCase, node_is
from tests.accounting.files import BALANCES, BOOKS, PAYMENT, SALE_1, SALE_2, sie, voucher


def url(name: str, company: Any, **kwargs: Any) -> str:
    return reverse(f"accounting:{name}", kwargs={"company_id": company.id, **kwargs})


def text_of(response: Any) -> str:
    """The page as a reader sees it: tags out, spaces (also no-break ones) collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html).replace("\xa0", " ").replace("&nbsp;", " ")
    return re.sub(r"\s+", " ", text)


def run_now(work: Any) -> None:
    work()


def run_later(work: Any) -> None:
    """As if the thread had not started yet."""


class InlineImports:
    """Runs an upload's import inline (a test's transaction is not visible to a thread)."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.enterContext(  # type: ignore[attr-defined]
            mock.patch.object(services, "start_in_background", run_now)
        )


class BrowseTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.login(self.rita)  # reading is for everyone with access, read-only too

    def test_the_overview_lists_the_fiscal_years_with_their_counts(self) -> None:
        response = self.client.get(url("index", self.acme))
        self.assertEqual(response.status_code, 200)
        page = text_of(response)
        self.assertIn("2025-01-01\N{EN DASH}2025-12-31 3 7", page)  # 3 vouchers, 7 rows
        self.assertIn("2024-01-01\N{EN DASH}2024-12-31 0 0", page)
        # rita may not import: no import button for her
        self.assertNotIn(url("import", self.acme), response.content.decode())

    def test_the_module_is_in_the_menu(self) -> None:
        response = self.client.get(url("index", self.acme))
        self.assertContains(response, f'href="{url("index", self.acme)}" aria-current="page"')

    def test_the_chart_shows_each_accounts_balance_of_the_year(self) -> None:
        response = self.client.get(url("accounts", self.acme))
        page = text_of(response)
        self.assertIn("1930 Företagskonto Asset 11 250,00", page)
        self.assertIn("3001 Försäljning inom Sverige, 25 % moms", page)
        self.assertIn("-1 625,00", page)  # a credit balance, signed
        response = self.client.get(url("accounts", self.acme), {"fiscal_year": "2024-01-01"})
        self.assertIn("1930 Företagskonto Asset 0,00", text_of(response))

    def test_the_chart_is_searched_by_number_or_name(self) -> None:
        page = text_of(self.client.get(url("accounts", self.acme), {"q": "19"}))
        self.assertIn("1930", page)
        self.assertNotIn("2440", page)
        page = text_of(self.client.get(url("accounts", self.acme), {"q": "skulder"}))
        self.assertIn("2440 Leverantörsskulder", page)
        self.assertNotIn("1930", page)
        page = text_of(self.client.get(url("accounts", self.acme), {"q": "nothing like it"}))
        self.assertIn("No account matches your search.", page)

    def test_the_chart_filters_by_account_type(self) -> None:
        page = text_of(self.client.get(url("accounts", self.acme), {"type": "T"}))
        self.assertIn("1930", page)
        self.assertNotIn("3001", page)

    def test_htmx_gets_only_the_results(self) -> None:
        response = self.client.get(url("accounts", self.acme), {"q": "19"}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<div id="account-results">'))
        self.assertNotIn("<html", html)

    def test_the_ledger_has_the_opening_balance_a_running_balance_and_the_closing(self) -> None:
        response = self.client.get(url("account", self.acme, number="1510"))
        self.assertEqual(response.status_code, 200)
        page = text_of(response)
        self.assertIn("2025-01-01 Opening balance 0,00", page)
        self.assertIn("2025-01-05 A 1 Faktura 1 1 250,00 1 250,00", page)
        self.assertIn("2025-02-10 A 2 Faktura 2 625,00 1 875,00", page)
        self.assertIn("2025-03-01 B 1 Inbetalning 1 250,00 625,00", page)
        self.assertIn("2025-12-31 Closing balance 1 875,00 1 250,00 625,00", page)

    def test_the_ledger_links_each_row_to_its_voucher(self) -> None:
        first = m.Voucher.objects.get(company=self.acme, series="A", number=1)
        response = self.client.get(url("account", self.acme, number="1510"))
        self.assertContains(response, url("voucher", self.acme, pk=first.pk))

    def test_a_balance_sheet_account_starts_at_its_opening_balance(self) -> None:
        page = text_of(self.client.get(url("account", self.acme, number="1930")))
        self.assertIn("Opening balance 10 000,00", page)
        self.assertIn("Inbetalning 1 250,00 11 250,00", page)
        self.assertIn("Closing balance 1 250,00 0,00 11 250,00", page)

    def test_the_ledger_of_an_unknown_account_is_404(self) -> None:
        self.assertEqual(self.client.get(url("account", self.acme, number="9999")).status_code, 404)

    def test_an_unknown_fiscal_year_is_404(self) -> None:
        response = self.client.get(
            url("account", self.acme, number="1930"), {"fiscal_year": "2030-01-01"}
        )
        self.assertEqual(response.status_code, 404)

    def test_the_voucher_shows_its_rows_accounts_and_objects(self) -> None:
        sie_import(
            company=self.acme,
            source=sie(
                '#DIM 1 "Kostnadsställe"',
                '#OBJEKT 1 "10" "Försäljning Stockholm"',
                '#OBJEKT 6 "P1" "Projekt Ett"',
                *BALANCES,
                SALE_1,
                SALE_2,
                PAYMENT,
            ),
        )
        first = m.Voucher.objects.get(company=self.acme, series="A", number=1)
        response = self.client.get(url("voucher", self.acme, pk=first.pk))
        page = text_of(response)
        self.assertIn("Voucher A 1", page)
        self.assertIn("1510 Kundfordringar 1 250,00", page)
        self.assertIn(
            "3001 Försäljning inom Sverige, 25 % moms Kostnadsställe: 10 Försäljning Stockholm "
            "Project: P1 Projekt Ett 1 000,00",
            page,
        )
        self.assertIn("Total 1 250,00 1 250,00", page)
        self.assertContains(response, url("account", self.acme, number="3001"))

    def test_the_years_page_and_the_series_page(self) -> None:
        page = text_of(self.client.get(url("years", self.acme)))
        self.assertIn("2025-01-01\N{EN DASH}2025-12-31 3 7", page)
        page = text_of(self.client.get(url("series", self.acme)))
        self.assertIn("A 2 1\N{EN DASH}2 2", page)
        self.assertIn("B 1 1\N{EN DASH}1 1", page)

    def test_a_company_without_books_says_how_to_get_them(self) -> None:
        self.login(self.charlie)
        page = text_of(self.client.get(url("index", self.umbrella)))
        self.assertIn("No books yet — import an SIE file.", page)
        self.assertIn("Start from BAS 2025", page)  # charlie is umbrella's administrator
        for name in ("accounts", "vouchers", "years", "series"):
            page = text_of(self.client.get(url(name, self.umbrella)))
            self.assertIn("No books yet — import an SIE file.", page, name)


class VoucherSearchTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.login(self.bob)

    def found(self, **params: str) -> list[str]:
        response = self.client.get(url("vouchers", self.acme), params)
        self.assertEqual(response.status_code, 200)
        return re.findall(
            r'href="/c/[^"]+/accounting/vouchers/[0-9a-f-]{36}/">([^<]+)</a>',
            response.content.decode(),
        )

    def test_without_a_search_it_lists_the_years_vouchers_newest_first(self) -> None:
        self.assertEqual(self.found(), ["B 1", "A 2", "A 1"])

    def test_it_finds_a_voucher_by_number_with_or_without_its_series(self) -> None:
        self.assertEqual(self.found(q="A2"), ["A 2"])
        self.assertEqual(self.found(q="A 1"), ["A 1"])
        self.assertEqual(self.found(q="1"), ["B 1", "A 1"])

    def test_it_finds_vouchers_by_text(self) -> None:
        self.assertEqual(self.found(q="faktura"), ["A 2", "A 1"])
        self.assertEqual(self.found(q="inbetal"), ["B 1"])

    def test_it_finds_vouchers_by_date_and_date_range(self) -> None:
        self.assertEqual(self.found(q="2025-02-10"), ["A 2"])
        self.assertEqual(self.found(date_from="2025-02-01", date_to="2025-03-31"), ["B 1", "A 2"])

    def test_it_finds_vouchers_by_account(self) -> None:
        self.assertEqual(self.found(account="1930"), ["B 1"])
        self.assertEqual(self.found(account="3001"), ["A 2", "A 1"])

    def test_an_amount_typed_the_swedish_way_or_with_a_point_matches_rows_and_totals(self) -> None:
        self.assertEqual(self.found(amount="1 250,00"), ["B 1", "A 1"])
        self.assertEqual(self.found(amount="1250.00"), ["B 1", "A 1"])
        self.assertEqual(self.found(q="625"), ["A 2"])
        self.assertEqual(self.found(amount="-1000"), ["A 1"])  # a credit row of A 1

    def test_the_total_of_a_voucher_matches_when_no_row_has_it(self) -> None:
        split = voucher(
            "C",
            1,
            "20250401",
            "Delad",
            "#TRANS 1930 {} 600.00",
            "#TRANS 1510 {} 400.00",
            "#TRANS 3001 {} -700.00",
            "#TRANS 2611 {} -300.00",
        )
        sie_import(company=self.acme, source=sie(*BALANCES, SALE_1, SALE_2, PAYMENT, split))
        self.assertEqual(self.found(amount="1 000,00"), ["C 1", "A 1"])

    def test_in_a_large_year_totals_are_searched_among_the_vouchers_the_other_fields_select(
        self,
    ) -> None:
        split = voucher(
            "C",
            1,
            "20250401",
            "Delad",
            "#TRANS 1930 {} 600.00",
            "#TRANS 1510 {} 400.00",
            "#TRANS 3001 {} -700.00",
            "#TRANS 2611 {} -300.00",
        )
        sie_import(company=self.acme, source=sie(*BALANCES, SALE_1, SALE_2, PAYMENT, split))
        with mock.patch.object(selectors, "TOTAL_SEARCH_ROWS", 5):
            self.assertEqual(self.found(amount="1 000,00"), ["A 1"])  # a row of A 1 only
            self.assertEqual(
                self.found(amount="1 000,00", date_from="2025-03-15"), ["C 1"]
            )  # C 1's total, once the dates narrow the search
            self.assertEqual(self.found(amount="1 000,00", series="C"), ["C 1"])

    def test_a_search_parts_combine(self) -> None:
        self.assertEqual(self.found(q="faktura", account="1510", date_from="2025-02-01"), ["A 2"])
        self.assertEqual(self.found(series="B"), ["B 1"])

    def test_a_wrong_amount_says_how_to_type_it(self) -> None:
        response = self.client.get(url("vouchers", self.acme), {"amount": "12,3,4x"})
        self.assertContains(response, "Type an amount such as 1 234,50 or 1234.50.")

    def test_no_match_says_so(self) -> None:
        page = text_of(self.client.get(url("vouchers", self.acme), {"q": "no such thing"}))
        self.assertIn("No voucher matches your search.", page)

    def test_amounts_are_read_the_swedish_way(self) -> None:
        parse = selectors.parse_amount
        self.assertEqual(parse("1 234,50"), Decimal("1234.50"))
        self.assertEqual(parse("1\xa0234,5"), Decimal("1234.50"))
        self.assertEqual(parse("1234.50"), Decimal("1234.50"))
        self.assertEqual(parse("1.234,50"), Decimal("1234.50"))
        self.assertEqual(parse("1,234.50"), Decimal("1234.50"))
        self.assertEqual(parse("-99 kr"), Decimal("-99.00"))
        self.assertIsNone(parse("1,234"))  # three decimals: not whole öre
        self.assertIsNone(parse("A12"))


class PaginationTests(BooksTestCase):
    """Lists page by key, so a page deep into a million rows costs what the first does."""

    def setUp(self) -> None:
        super().setUp()
        rows = [
            voucher(
                "A",
                n,
                f"2025{1 + (n - 1) // 25:02d}{1 + (n - 1) % 25:02d}",
                f"Försäljning {n}",
                f"#TRANS 1930 {{}} {n}.00",
                f"#TRANS 3001 {{}} -{n}.00",
            )
            for n in range(1, 121)
        ]
        sie_import(company=self.acme, source=sie("#IB 0 1930 1000.00", *rows))
        self.login(self.alice)

    def test_the_ledger_pages_keep_the_running_balance(self) -> None:
        balances: list[Decimal] = []
        params: dict[str, str] = {}
        pages = 0
        while True:
            response = self.client.get(url("account", self.acme, number="1930"), params)
            html = response.content.decode()
            pages += 1
            for cells in re.findall(r"<tr>\s*<td class=\"nowrap\">2025.*?</tr>", html, flags=re.S):
                amounts = re.findall(r'<td class="num nowrap">([^<]*)</td>', cells)
                balances.append(Decimal(amounts[-1].replace("\xa0", "").replace(",", ".")))
            found = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', html)
            if not found:
                break
            params = dict(
                pair.split("=", 1) for pair in found.group(1).replace("&amp;", "&").split("&")
            )
            params = {k: v.replace("%7E", "~") for k, v in params.items()}
        self.assertEqual(pages, 3)  # 120 rows, 50 a page
        self.assertEqual(len(balances), 120)
        self.assertEqual(balances[0], Decimal("1001.00"))
        self.assertEqual(balances[-1], Decimal(1000 + sum(range(1, 121))))

    def test_the_previous_page_of_the_ledger_is_the_page_before(self) -> None:
        year = m.FiscalYear.objects.get(company=self.acme, start="2025-01-01")
        access = self.access(self.alice)
        account = selectors.account_get(access=access, number="1930")
        first = selectors.ledger(access=access, fiscal_year=year, account=account)
        second = selectors.ledger(
            access=access, fiscal_year=year, account=account, after=first.next
        )
        back = selectors.ledger(
            access=access, fiscal_year=year, account=account, before=second.previous
        )
        self.assertEqual(
            [line.row.id for line in back.lines], [line.row.id for line in first.lines]
        )
        self.assertEqual(back.lines[-1].balance, first.lines[-1].balance)
        self.assertIsNone(back.previous)

    def test_the_ledger_jumps_to_a_date(self) -> None:
        page = text_of(
            self.client.get(url("account", self.acme, number="1930"), {"from": "2025-05-01"})
        )
        self.assertIn("2025-05-01 A 101 Försäljning 101 101,00", page)
        self.assertNotIn("Försäljning 100 ", page)
        # the running balance still counts every earlier row
        self.assertIn("A 101 Försäljning 101 101,00 6 151,00", page)  # 1000 + 1 + ... + 101

    def test_the_voucher_list_pages_forward_and_back(self) -> None:
        response = self.client.get(url("vouchers", self.acme))
        html = response.content.decode()
        self.assertIn(">A 120<", html)
        self.assertNotIn(">A 70<", html)
        next_url = re.search(r'href="(\?[^"]*after=[^"]*)" rel="next"', html).group(1)  # type: ignore[union-attr]
        html2 = self.client.get(
            url("vouchers", self.acme) + next_url.replace("&amp;", "&")
        ).content.decode()
        self.assertIn(">A 70<", html2)
        self.assertNotIn(">A 120<", html2)
        prev_url = re.search(r'href="(\?[^"]*before=[^"]*)" rel="prev"', html2).group(1)  # type: ignore[union-attr]
        html3 = self.client.get(
            url("vouchers", self.acme) + prev_url.replace("&amp;", "&")
        ).content.decode()
        self.assertIn(">A 120<", html3)
        self.assertIn(">A 71<", html3)

    def test_the_chart_pages_by_number(self) -> None:
        sie_import(
            company=self.acme,
            source=sie(*[f'#KONTO {4000 + n} "Konto {n}"' for n in range(150)]),
        )
        page = text_of(self.client.get(url("accounts", self.acme)))
        self.assertIn("1\N{EN DASH}100 of", page)
        page = text_of(self.client.get(url("accounts", self.acme), {"page": "2"}))
        self.assertIn("101\N{EN DASH}", page)


class AccessTests(InlineImports, BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.voucher = m.Voucher.objects.filter(company=self.acme).first()
        assert self.voucher is not None

    def pages(self) -> list[str]:
        assert self.voucher is not None
        return [
            url("index", self.acme),
            url("accounts", self.acme),
            url("account", self.acme, number="1930"),
            url("years", self.acme),
            url("series", self.acme),
            url("vouchers", self.acme),
            url("voucher", self.acme, pk=self.voucher.pk),
            url("import", self.acme),
            url("export", self.acme),
            url("export", self.acme) + "?fiscal_year=2025-01-01&kind=4E",
            url("chart_start", self.acme),
        ]

    def test_charlie_sees_nothing_of_acme(self) -> None:
        self.login(self.charlie)
        for page in self.pages():
            self.assertEqual(self.client.get(page).status_code, 404, page)
        self.assertEqual(self.client.post(url("import", self.acme)).status_code, 404)

    def test_charlie_cannot_reach_acmes_voucher_or_upload_through_his_own_company(self) -> None:
        self.login(self.charlie)
        assert self.voucher is not None
        self.assertEqual(
            self.client.get(url("voucher", self.umbrella, pk=self.voucher.pk)).status_code, 404
        )
        self.assertEqual(
            self.client.get(url("account", self.umbrella, number="1930")).status_code, 404
        )
        self.login(self.alice)
        upload = self._upload(BOOKS)
        self.login(self.charlie)
        self.assertEqual(
            self.client.get(url("import_status", self.umbrella, upload_id=upload.id)).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(url("import_status", self.acme, upload_id=upload.id)).status_code, 404
        )

    def test_anonymous_visitors_are_sent_to_the_login(self) -> None:
        response = self.client.get(url("index", self.acme))
        self.assertEqual(response.status_code, 302)
        self.assertIn("login", response["Location"])

    def test_rita_reads_everything_but_cannot_import_or_start_a_chart(self) -> None:
        self.login(self.rita)
        for page in self.pages():
            expected = 403 if "/import/" in page or "/chart/" in page else 200
            self.assertEqual(self.client.get(page).status_code, expected, page)
        response = self.client.post(
            url("import", self.acme), {"file": SimpleUploadedFile("x.se", BOOKS)}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(m.SieUpload.objects.exists())

    def test_bob_a_user_reads_but_importing_is_for_administrators(self) -> None:
        self.login(self.bob)
        self.assertEqual(self.client.get(url("vouchers", self.acme)).status_code, 200)
        response = self.client.post(
            url("import", self.acme), {"file": SimpleUploadedFile("x.se", BOOKS)}
        )
        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response, "Your role in the company does not allow this action.", status_code=403
        )

    def _upload(self, data: bytes, name: str = "books.se", **extra: Any) -> m.SieUpload:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                url("import", self.acme), {"file": SimpleUploadedFile(name, data), **extra}
            )
        self.assertEqual(response.status_code, 302, response.content[:500])
        return m.SieUpload.objects.latest("created_at")


class OnlineNodeTests(BooksTestCase):
    """On the online node the books are the office's: pages read, import and chart refuse."""

    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.enterContext(node_is("online"))
        self.login(self.alice)

    def test_the_pages_read_the_synced_books(self) -> None:
        page = text_of(self.client.get(url("index", self.acme)))
        self.assertIn("The books are kept in the office's business system", page)
        self.assertEqual(self.client.get(url("vouchers", self.acme)).status_code, 200)

    def test_import_is_refused_with_where_to_do_it(self) -> None:
        for page in (url("import", self.acme), url("chart_start", self.acme)):
            response = self.client.get(page)
            self.assertEqual(response.status_code, 403)
            self.assertContains(
                response, "synchronised here. Change it in the office", status_code=403
            )
        response = self.client.post(
            url("import", self.acme), {"file": SimpleUploadedFile("x.se", BOOKS)}
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(m.SieUpload.objects.exists())

    def test_no_import_button_online(self) -> None:
        self.assertNotContains(self.client.get(url("index", self.acme)), url("import", self.acme))

    def test_the_download_works_online(self) -> None:
        response = self.client.get(
            url("export", self.acme), {"fiscal_year": "2025-01-01", "kind": "4E"}
        )
        self.assertEqual(response.status_code, 200)


class UploadTests(InlineImports, BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.login(self.alice)

    def upload(self, data: bytes, name: str = "books.se", **extra: Any) -> Any:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                url("import", self.acme), {"file": SimpleUploadedFile(name, data), **extra}
            )

    def test_a_file_goes_through_and_the_summary_shows_what_it_held(self) -> None:
        response = self.upload(BOOKS)
        upload = m.SieUpload.objects.get()
        self.assertRedirects(response, url("import_status", self.acme, upload_id=upload.id))
        self.assertEqual(upload.state, m.UploadState.DONE)
        page = text_of(self.client.get(response["Location"]))
        self.assertIn("The file is imported.", page)
        self.assertIn("Company Acme AB (556036-0793)", page)
        self.assertIn(
            "Fiscal years 2024-01-01\N{EN DASH}2024-12-31, 2025-01-01\N{EN DASH}2025-12-31", page
        )
        self.assertIn("Vouchers 3 Transactions 7", page)
        self.assertEqual(m.Voucher.objects.filter(company=self.acme).count(), 3)

    def test_the_uploaded_file_is_deleted_after_the_import(self) -> None:
        self.upload(BOOKS)
        upload = m.SieUpload.objects.get()
        self.assertEqual(upload.path, "")
        self.assertEqual(list(services.upload_dir().glob(f"{upload.id}*")), [])

    def test_a_broken_file_shows_its_line_and_imports_nothing(self) -> None:
        broken = BOOKS.replace(b"#TRANS 1930 {} 1250.00", b"#TRANS 1930 {} 12x50.00")
        response = self.upload(broken)
        upload = m.SieUpload.objects.get()
        self.assertEqual(upload.state, m.UploadState.REFUSED)
        line = broken.decode("cp437").splitlines().index("#TRANS 1930 {} 12x50.00") + 1
        self.assertEqual(upload.error_line, line)
        page = text_of(self.client.get(response["Location"]))
        self.assertIn("The file was not imported; the books are unchanged.", page)
        self.assertIn(f"Line {line}", page)
        self.assertIn("12x50.00", page)
        self.assertFalse(m.Voucher.objects.filter(company=self.acme).exists())
        self.assertFalse(m.FiscalYear.objects.filter(company=self.acme).exists())

    def test_a_file_that_is_not_sie_is_refused(self) -> None:
        self.upload(b"%PDF-1.4 not an SIE file\n", name="invoice.pdf")
        upload = m.SieUpload.objects.get()
        self.assertEqual(upload.state, m.UploadState.REFUSED)
        self.assertTrue(upload.error)

    def test_another_companys_file_asks_for_confirmation_and_goes_through_with_it(self) -> None:
        other = BOOKS.replace(b"#ORGNR 556036-0793", b"#ORGNR 556677-8899")
        response = self.upload(other)
        page = text_of(self.client.get(response["Location"]))
        self.assertIn("organisation number 556677-8899", page)
        self.assertIn("upload the file again and tick", page)
        self.upload(other, force="on")
        self.assertEqual(m.SieUpload.objects.latest("created_at").state, m.UploadState.DONE)

    def test_warnings_are_listed_with_their_line_numbers(self) -> None:
        twice = voucher(
            "A", 1, "20250106", "Samma nummer", "#TRANS 1930 {} 1.00", "#TRANS 3001 {} -1.00"
        )
        data = sie(*BALANCES, SALE_1, twice)
        self.upload(data)
        upload = m.SieUpload.objects.get()
        warning = upload.summary["warnings"][0]
        self.assertEqual(warning["code"], "duplicate_voucher")
        page = text_of(self.client.get(url("import_status", self.acme, upload_id=upload.id)))
        line = data.decode("cp437").splitlines().index('#VER A 1 20250106 "Samma nummer"') + 1
        self.assertIn(f"{line} Line {line}: the voucher number", page)

    def test_a_file_over_the_limit_is_refused_with_the_limit(self) -> None:
        with mock.patch.object(services, "MAX_UPLOAD_BYTES", 100):
            response = self.upload(BOOKS)
        self.assertEqual(response.status_code, 413)
        self.assertContains(response, "the largest file this page takes is 100", status_code=413)
        self.assertFalse(m.SieUpload.objects.exists())

    def test_the_page_polls_while_the_import_runs_and_shows_the_progress(self) -> None:
        with (
            mock.patch.object(services, "start_in_background", run_later),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(url("import", self.acme), {"file": SimpleUploadedFile("a.se", BOOKS)})
        upload = m.SieUpload.objects.get()
        status_url = url("import_status", self.acme, upload_id=upload.id)
        response = self.client.get(status_url)
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, "Waiting to start")
        # What the import reports reaches every browser following the upload.
        services._live[upload.id] = len(BOOKS) // 2
        m.SieUpload.objects.filter(id=upload.id).update(state=m.UploadState.RUNNING)
        try:
            self.login(self.rita)  # another user, another browser
            response = self.client.get(status_url, HTTP_HX_REQUEST="true")
            self.assertContains(response, f'<progress value="{len(BOOKS) // 2}" max="{len(BOOKS)}"')
            self.assertContains(response, f"{len(BOOKS) // 2 * 100 // len(BOOKS)}%")
        finally:
            services._live.pop(upload.id, None)
        m.SieUpload.objects.filter(id=upload.id).update(state=m.UploadState.QUEUED)
        services.sie_upload_run(upload.id)
        response = self.client.get(status_url, HTTP_HX_REQUEST="true")
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(response, "The file is imported.")

    def test_progress_is_stored_in_the_database_where_a_second_writer_may_write(self) -> None:
        with (
            mock.patch.object(services, "start_in_background", run_later),
            self.captureOnCommitCallbacks(execute=True),
        ):
            self.client.post(url("import", self.acme), {"file": SimpleUploadedFile("a.se", BOOKS)})
        upload = m.SieUpload.objects.get()
        reported: list[int] = []
        real = services._ProgressWriter.report

        def report(writer: Any, done: int, total: int) -> None:
            real(writer, done, total)
            reported.append(done)

        with mock.patch.object(services._ProgressWriter, "report", report):
            services.sie_upload_run(upload.id)
        self.assertEqual(reported[-1], len(BOOKS))
        upload.refresh_from_db()
        self.assertEqual((upload.done, upload.size, upload.percent), (len(BOOKS), len(BOOKS), 100))

    def test_an_upload_a_restart_cut_off_is_reported_as_failed(self) -> None:
        upload = m.SieUpload.objects.create(
            company=self.acme,
            user=self.alice,
            filename="a.se",
            size=10,
            state=m.UploadState.RUNNING,
        )
        m.SieUpload.objects.filter(id=upload.id).update(
            updated_at=upload.updated_at - services.STALE_AFTER * 2
        )
        page = text_of(self.client.get(url("import_status", self.acme, upload_id=upload.id)))
        self.assertIn("The import was interrupted", page)
        self.assertEqual(m.SieUpload.objects.get(id=upload.id).state, m.UploadState.FAILED)

    def test_the_latest_imports_are_listed(self) -> None:
        self.upload(BOOKS, name="bokföring 2025.se")
        self.assertContains(self.client.get(url("import", self.acme)), "bokföring 2025.se")
        self.assertContains(self.client.get(url("index", self.acme)), "bokföring 2025.se")


class DownloadTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.login(self.rita)  # reading the books is enough to download them

    def test_the_form_offers_the_years_and_types(self) -> None:
        response = self.client.get(url("export", self.acme))
        self.assertContains(response, 'value="2025-01-01" selected')
        for kind in ("4E", "1", "2", "3"):
            self.assertContains(response, f'value="{kind}"')

    def test_a_4e_download_is_a_cp437_file_that_imports_back_to_the_same_vouchers(self) -> None:
        response = self.client.get(
            url("export", self.acme), {"fiscal_year": "2025-01-01", "kind": "4E"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="556036-0793_20250101-20251231_sie4e.se"',
        )
        data = b"".join(response.streaming_content)
        self.assertIn('#FNAMN "Acme AB"'.encode("cp437"), data)
        self.assertIn('#KONTO 1930 "Företagskonto"'.encode("cp437"), data)
        self.assertIn(b"#KSUMMA", data)
        parsed = sie_read(data)
        self.assertEqual(len(parsed.vouchers), 3)

    def test_a_type_1_download_has_no_vouchers(self) -> None:
        response = self.client.get(
            url("export", self.acme), {"fiscal_year": "2025-01-01", "kind": "1"}
        )
        data = b"".join(response.streaming_content)
        self.assertIn(b"#SIETYP 1", data)
        self.assertNotIn(b"#VER", data)
        self.assertIn("_sie1.se", response["Content-Disposition"])

    def test_an_unknown_type_or_year_is_refused(self) -> None:
        response = self.client.get(
            url("export", self.acme), {"fiscal_year": "2025-01-01", "kind": "9"}
        )
        self.assertEqual(response.status_code, 400)
        response = self.client.get(
            url("export", self.acme), {"fiscal_year": "2031-01-01", "kind": "4E"}
        )
        self.assertEqual(response.status_code, 400)


@override_settings(LANGUAGE_CODE="sv")
class SwedishTests(BooksTestCase):
    def test_the_pages_speak_swedish(self) -> None:
        sie_import(company=self.acme, source=BOOKS)
        self.rita.language = "sv"
        self.rita.save(update_fields=["language"])
        self.login(self.rita)
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "sv"
        response = self.client.get(url("account", self.acme, number="1930"))
        page = text_of(response)
        self.assertIn("Ingående balans", page)
        self.assertIn("10 000,00", page)
