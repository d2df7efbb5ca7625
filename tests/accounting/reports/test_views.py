"""The report pages and exports, as a user sees them, on small books with round numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from skrivbord.accounting.importer import sie_import
from skrivbord.accounting.reports import views
from tests.accounting.base import BooksTestCase
from tests.accounting.reports.books import BOOKS_2024, BOOKS_2025

NBSP = "\xa0"


class ReportTestCase(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS_2025)
        sie_import(company=self.acme, source=BOOKS_2024)
        self.enterContext(translation.override("en"))

    def url(self, name: str, *args: Any, company: Any = None) -> str:
        return reverse(f"accounting_reports:{name}", args=[(company or self.acme).id, *args])

    def get(self, user: Any, name: str, *args: Any, **params: str) -> Any:
        self.login(user)
        return self.client.get(self.url(name, *args), params, HTTP_ACCEPT_LANGUAGE="en")


class StatementsPageTests(ReportTestCase):
    def test_it_shows_the_income_statement_with_last_year_alongside(self) -> None:
        response = self.get(self.bob, "statements")
        self.assertEqual(response.status_code, 200)
        income = response.context["income"]
        rows = {row.number: row for row in income.rows()}
        self.assertEqual(rows["3.1"].amount, Decimal("15000.00"))
        self.assertEqual(rows["3.1"].previous, Decimal("2000.00"))
        self.assertEqual(rows["3.7"].amount, Decimal("-4000.00"))
        self.assertEqual(rows["3.8"].amount, Decimal("-3000.00"))
        self.assertEqual(income.total, Decimal("8000.00"))
        self.assertEqual(income.previous_total, Decimal("2000.00"))
        self.assertContains(response, "Net sales")
        self.assertContains(response, f"15{NBSP}000,00")
        self.assertContains(response, f"-4{NBSP}000,00")
        self.assertContains(response, "2025-01-01\N{EN DASH}2025-12-31")
        self.assertContains(response, "2024-01-01\N{EN DASH}2024-12-31")

    def test_its_balance_sheet_balances_with_the_unclosed_result_in_equity(self) -> None:
        response = self.get(self.alice, "statements")
        balance = response.context["balance"]
        assets, equity_liabilities = balance.sections
        self.assertEqual(assets.total, Decimal("21750.00"))
        self.assertEqual(equity_liabilities.total, Decimal("21750.00"))
        rows = {row.key: row for row in balance.rows()}
        self.assertEqual(rows["2.26"].amount, Decimal("15500.00"))
        self.assertEqual(rows["2.19"].amount, Decimal("6250.00"))
        self.assertEqual(rows["unclosed-result"].amount, Decimal("8000.00"))
        # Output VAT is among the other liabilities (2600-2859), not the tax liabilities (25xx).
        self.assertEqual(rows["2.48"].amount, Decimal("3750.00"))
        self.assertContains(response, "Result for the year (not yet closed to equity)")

    def test_it_shows_swedish_when_the_user_reads_swedish(self) -> None:
        self.login(self.alice)
        with translation.override("sv"):
            response = self.client.get(self.url("statements"), HTTP_ACCEPT_LANGUAGE="sv")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"15{NBSP}000,00")

    def test_it_shows_an_earlier_year_on_request(self) -> None:
        response = self.get(self.alice, "statements", fiscal_year="2024-01-01")
        income = response.context["income"]
        self.assertEqual(income.total, Decimal("2000.00"))
        self.assertFalse(income.has_previous)

    def test_it_lists_the_accounts_of_a_row_each_linking_to_its_ledger(self) -> None:
        response = self.get(self.alice, "statements")
        ledger = reverse("accounting:account", args=[self.acme.id, "3001"])
        self.assertContains(response, f'<a href="{ledger}">3001</a> Försäljning inom Sverige')

    def test_it_is_readable_by_read_only_members(self) -> None:
        self.assertEqual(self.get(self.rita, "statements").status_code, 200)

    def test_it_works_on_the_online_node_where_the_books_are_read_only(self) -> None:
        with override_settings(NODE="online"):
            for name in ("statements", "trend", "objects", "figures", "export"):
                with self.subTest(name):
                    self.assertEqual(self.get(self.rita, name).status_code, 200)


class TrendPageTests(ReportTestCase):
    def test_it_shows_each_months_income_expenses_and_result_with_a_chart(self) -> None:
        response = self.get(self.alice, "trend")
        trend = response.context["trend"]
        months = {month.label: month for month in trend.months}
        self.assertEqual(len(trend.months), 12)
        self.assertEqual(months["2025-01"].income, Decimal("10000.00"))
        self.assertEqual(months["2025-03"].expenses, Decimal("4000.00"))
        self.assertEqual(months["2025-03"].result, Decimal("-4000.00"))
        self.assertEqual(months["2025-05"].previous_income, Decimal("2000.00"))
        self.assertEqual(trend.result, Decimal("8000.00"))
        self.assertContains(response, '<svg class="chart"')
        self.assertContains(response, "<title>01 Result: 10")

    def test_it_shows_the_months_of_one_cost_centre(self) -> None:
        response = self.get(self.alice, "trend", dimension="1", code="20")
        trend = response.context["trend"]
        self.assertEqual(trend.income, Decimal("5000.00"))
        self.assertEqual(trend.expenses, Decimal("3000.00"))
        self.assertContains(response, "Verkstaden")

    def test_it_refuses_an_unknown_dimension(self) -> None:
        self.assertEqual(self.get(self.alice, "trend", dimension="3", code="x").status_code, 404)


class ObjectsPageTests(ReportTestCase):
    def test_it_shows_the_result_of_each_cost_centre_and_project(self) -> None:
        response = self.get(self.alice, "objects")
        centres = {o.code: o for o in response.context["cost_centres"]}
        self.assertEqual(centres["10"].result, Decimal("6000.00"))
        self.assertEqual(centres["10"].previous_result, Decimal("2000.00"))
        self.assertEqual(centres["20"].result, Decimal("2000.00"))
        self.assertEqual(centres["10"].name, "Butiken")
        projects = {o.code: o for o in response.context["projects"]}
        self.assertEqual(projects["P1"].result, Decimal("7000.00"))
        self.assertContains(response, "Ombyggnaden")


class KeyFigurePagesTests(ReportTestCase):
    def test_it_lists_every_key_figure_with_this_year_and_last(self) -> None:
        response = self.get(self.alice, "figures")
        rows = {row["figure"].key: row["figure"] for row in response.context["figures"]}
        self.assertEqual(rows["revenue"].value, Decimal("15000.00"))
        self.assertEqual(rows["revenue"].previous, Decimal("2000.00"))
        self.assertEqual(rows["cash"].value, Decimal("15500.00"))
        self.assertEqual(rows["cash"].previous, Decimal("12500.00"))
        self.assertEqual(rows["operating_result"].value, Decimal("8000.00"))
        self.assertEqual(rows["quick_ratio"].value, Decimal("21750") / Decimal("3750"))
        self.assertContains(response, f"580,0{NBSP}%")  # quick ratio
        self.assertContains(response, "accounts 1900-1999")

    def test_it_drills_down_to_the_accounts_behind_a_figure(self) -> None:
        response = self.get(self.alice, "figure", "quick_ratio")
        self.assertEqual(response.status_code, 200)
        parts = {part.part.key: part for part in response.context["parts"]}
        self.assertEqual(
            [(n, a) for n, _name, a, _p in parts["liquid_assets"].accounts],
            [("1510", Decimal("6250.00")), ("1930", Decimal("15500.00"))],
        )
        self.assertEqual(parts["current_liabilities"].amount, Decimal("3750.00"))
        self.assertContains(response, "Företagskonto")
        self.assertContains(response, self.url("ledger", "1930"))

    def test_an_unknown_figure_is_not_found(self) -> None:
        self.assertEqual(self.get(self.alice, "figure", "nonsense").status_code, 404)


class DaysSalesOutstandingTests(ReportTestCase):
    def test_the_key_figures_show_dso_in_days_with_the_vat_credited_behind_it(self) -> None:
        response = self.get(self.alice, "figures")
        rows = {row["figure"].key: row["figure"] for row in response.context["figures"]}
        # 6,250 owed at the year's end / (15,000 sold + 3,750 output VAT) x 365 days.
        self.assertEqual(rows["dso"].value, Decimal("6250") * 365 / Decimal("18750"))
        self.assertContains(response, "Days sales outstanding (DSO)")
        self.assertContains(response, "122 days")
        self.assertContains(response, "0 days")  # 2024: nothing owed at its end

        response = self.get(self.alice, "figure", "dso")
        self.assertEqual(response.context["figure"].value, rows["dso"].value)
        parts = {part.part.key: part for part in response.context["parts"]}
        self.assertEqual(
            parts["output_vat"].accounts,
            (("2611", "Utgående moms 25 %", Decimal("3750.00"), Decimal("500.00")),),
        )
        self.assertEqual(parts["receivables"].amount, Decimal("6250.00"))
        self.assertContains(response, "Output VAT charged (credits)")
        self.assertContains(response, "credit notes")  # the definition says what is left out

    def test_charlie_does_not_see_acmes_dso(self) -> None:
        self.login(self.charlie)
        self.assertEqual(self.client.get(self.url("figure", "dso")).status_code, 404)


class YearInProgressTests(ReportTestCase):
    """On 15 June 2025 the books of 2025 run to 25 April: January to April of both years."""

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(mock.patch.object(views, "_today", return_value=dt.date(2025, 6, 15)))

    def test_the_key_figures_compare_the_same_months_of_last_year(self) -> None:
        response = self.get(self.alice, "figures")
        rows = {row["figure"].key: row["figure"] for row in response.context["figures"]}
        self.assertEqual(rows["revenue"].value, Decimal("15000.00"))
        self.assertEqual(rows["revenue"].previous, Decimal("0.00"))  # 2024's sale was in May
        self.assertEqual(rows["cash"].previous, Decimal("10000.00"))  # at 30 April 2024
        self.assertContains(
            response,
            "jan\N{EN DASH}apr 2025 compared with jan\N{EN DASH}apr 2024: the year so far "
            "against the same months of last year.",
        )

        response = self.get(self.alice, "figure", "revenue")
        (part,) = response.context["parts"]
        self.assertEqual(part.accounts[0][2:], (Decimal("15000.00"), Decimal("0.00")))

    def test_the_statements_compare_the_same_months_and_the_balance_at_their_end(self) -> None:
        response = self.get(self.bob, "statements")
        rows = {row.number: row for row in response.context["income"].rows()}
        self.assertEqual(rows["3.1"].amount, Decimal("15000.00"))
        self.assertEqual(rows["3.1"].previous, Decimal("0.00"))
        assets = response.context["balance"].sections[0]
        self.assertEqual(assets.total, Decimal("21750.00"))
        self.assertEqual(assets.previous_total, Decimal("10000.00"))
        self.assertContains(response, "Balance sheet at 2025-04-30")
        self.assertContains(response, '<th scope="col" class="num">jan\N{EN DASH}apr 2024</th>')

    def test_vouchers_dated_after_today_are_outside_the_period(self) -> None:
        # On 15 February the books hold March's and April's vouchers too (dated ahead):
        # the period is January-February, and March's rent is not in it.
        with mock.patch.object(views, "_today", return_value=dt.date(2025, 2, 15)):
            response = self.get(self.bob, "statements")
            figures_page = self.get(self.bob, "figures")
        rows = {row.number: row for row in response.context["income"].rows()}
        self.assertEqual(rows["3.1"].amount, Decimal("15000.00"))
        self.assertEqual(rows["3.7"].amount, Decimal("0.00"))  # the rent of 31 March
        self.assertContains(response, "Balance sheet at 2025-02-28")
        cash = next(
            r["figure"] for r in figures_page.context["figures"] if r["figure"].key == "cash"
        )
        self.assertEqual(cash.value, Decimal("10000.00"))  # the opening balance: paid in 1 March

    def test_the_status_tiles_say_which_months_they_compare(self) -> None:
        self.login(self.bob)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, "jan\N{EN DASH}apr 2025 compared with jan\N{EN DASH}apr 2024")
        self.assertContains(response, "jan\N{EN DASH}apr 2024: 0")  # net sales
        self.assertNotContains(response, "last year 2")

    def test_the_trend_totals_the_same_months(self) -> None:
        response = self.get(self.alice, "trend")
        trend = response.context["trend"]
        self.assertEqual(trend.previous_result, Decimal("0.00"))
        self.assertEqual(trend.months[4].previous_income, Decimal("2000.00"))  # May shown
        self.assertContains(response, "The totals are for jan\N{EN DASH}apr 2025")

    def test_the_cost_centres_compare_the_same_months(self) -> None:
        response = self.get(self.alice, "objects")
        shop = next(o for o in response.context["cost_centres"] if o.code == "10")
        self.assertEqual(shop.result, Decimal("6000.00"))  # 10,000 sold less 4,000 rent
        self.assertEqual(shop.previous_result, Decimal("0.00"))  # 2024's sale was in May
        self.assertContains(response, "jan\N{EN DASH}apr 2025 compared with")

    def test_the_excel_export_compares_the_same_months(self) -> None:
        workbook = load_workbook(BytesIO(self.get(self.alice, "export").content))
        income = workbook["Income statement"]
        net_sales = next(row for row in income.iter_rows() if row[0].value == "3.1")
        self.assertEqual((net_sales[3].value, net_sales[4].value), (15000, 0))


class ExcelExportTests(ReportTestCase):
    def test_it_exports_the_reports_as_numbers_with_swedish_formats(self) -> None:
        response = self.get(self.alice, "export")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment;", response["Content-Disposition"])
        workbook = load_workbook(BytesIO(response.content))
        self.assertEqual(
            workbook.sheetnames,
            ["Income statement", "Balance sheet", "Trial balance", "Monthly trend", "Key figures"],
        )
        income = workbook["Income statement"]
        net_sales = next(row for row in income.iter_rows() if row[0].value == "3.1")
        self.assertEqual(net_sales[2].value, "Net sales")
        self.assertEqual(net_sales[3].value, 15000)
        self.assertEqual(net_sales[3].data_type, "n")
        self.assertEqual(net_sales[3].number_format, "#,##0.00;-#,##0.00")
        self.assertEqual(net_sales[4].value, 2000)
        trial = {row[0].value: row for row in workbook["Trial balance"].iter_rows(min_row=2)}
        self.assertEqual(trial["1930"][4].value, 15500)
        trend = list(workbook["Monthly trend"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(trend[0][:4], ("2025-01", 10000, 0, 10000))

    def test_it_exports_an_accounts_ledger_with_the_running_balance(self) -> None:
        response = self.get(self.alice, "ledger", "1930")
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        self.assertEqual(rows[0][4], 10000)  # opening balance
        self.assertEqual([row[4] for row in rows[1:]], [22500, 18500, 15500])
        self.assertEqual(rows[1][1], "B 1")
        self.assertEqual(rows[1][2], "Inbetalning")

    def test_an_account_without_rows_or_name_is_not_found(self) -> None:
        self.assertEqual(self.get(self.alice, "ledger", "9999").status_code, 404)


class CharlieSeesNothingTests(ReportTestCase):
    def test_every_report_and_export_hides_acmes_books_from_charlie(self) -> None:
        self.login(self.charlie)
        for name, args in (
            ("statements", ()),
            ("trend", ()),
            ("objects", ()),
            ("figures", ()),
            ("figure", ("revenue",)),
            ("export", ()),
            ("ledger", ("1930",)),
        ):
            with self.subTest(name):
                response = self.client.get(self.url(name, *args))
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(b"15000", response.content)

    def test_charlies_own_company_has_no_books_to_show(self) -> None:
        self.login(self.charlie)
        response = self.client.get(self.url("statements", company=self.umbrella))
        self.assertEqual(response.status_code, 404)


class StatusTilesTests(ReportTestCase):
    def test_the_status_page_shows_key_figure_tiles_with_sparklines(self) -> None:
        self.login(self.bob)
        response = self.client.get(reverse("status:index", args=[self.acme.id]))
        self.assertContains(response, 'data-figure="revenue"')
        self.assertContains(response, f"15{NBSP}000")
        self.assertContains(response, f"last year 2{NBSP}000")
        self.assertContains(response, '<svg class="sparkline"')
        self.assertContains(response, self.url("figure", "solidity"))
        keys = [row["figure"].key for row in response.context["key_figures"]["figures"]]
        self.assertIn("quick_ratio", keys)
        self.assertIn("cash", keys)

    def test_the_status_page_query_count_with_books_is_pinned(self) -> None:
        self.login(self.bob)
        url = reverse("status:index", args=[self.acme.id])
        self.client.get(url)
        # Bob's Status page (session, user, membership, contact counts, sync link, menu),
        # then the year, the year before, the rows per account and day, the opening
        # balances, the accounts' names; Bob's activities today and overdue. (A year in
        # progress adds its last voucher's date; the output VAT's credits are not read:
        # DSO is not a tile.)
        with self.assertNumQueries(12):
            self.client.get(url)

    def test_the_status_page_has_no_tiles_without_books(self) -> None:
        self.login(self.charlie)
        response = self.client.get(reverse("status:index", args=[self.umbrella.id]))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["key_figures"])
        self.assertNotContains(response, "data-figure=")
