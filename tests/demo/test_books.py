"""The demo company's books: generated, imported at the office, and what a user then sees."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from skrivbord.accounting import selectors
from skrivbord.accounting.checks.models import Finding
from skrivbord.accounting.checks.services import books_check_run
from skrivbord.accounting.models import FiscalYear, TransactionRow, Voucher
from skrivbord.accounting.sie.reader import read
from skrivbord.contacts.models import Contact
from skrivbord.core.access import company_access
from skrivbord.demo.books import demo_books_load, demo_books_write
from skrivbord.demo.loader import demo_load
from tests.accounting.base import node_is
from tests.sync.base import SyncTestCase

TODAY = dt.date(2026, 11, 27)


class DemoBooksTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.enterContext(node_is("office"))
        self.enterContext(translation.override("en"))
        self.summary = demo_load()
        self.books = demo_books_load(company=self.summary.company, today=TODAY)
        self.access = company_access(self.summary.user, self.summary.company.id)

    def test_it_imports_last_year_and_this_year_up_to_today_in_several_series(self) -> None:
        company = self.summary.company
        assert self.books.vouchers == Voucher.objects.filter(company=company).count()
        assert 2000 < self.books.vouchers < 5000
        years = list(FiscalYear.objects.filter(company=company).order_by("start"))
        assert [(y.start, y.end) for y in years] == [
            (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
            (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ]
        series = set(Voucher.objects.filter(company=company).values_list("series", flat=True))
        assert series == {"A", "B", "C", "K", "L", "M"}
        latest = Voucher.objects.filter(company=company).latest("date")
        assert TODAY - dt.timedelta(days=3) <= latest.date <= TODAY
        # Cost centres and projects on the sales.
        sales = TransactionRow.objects.filter(company=company, account="3001")
        assert not sales.filter(cost_centre="").exists()
        assert not sales.filter(project="").exists()

    def test_the_trial_balance_reconciles_and_continues_from_last_year(self) -> None:
        last, this = selectors.fiscal_year_list(access=self.access).order_by("start")
        balances = {}
        for year in (last, this):
            trial = selectors.trial_balance(access=self.access, fiscal_year=year)
            assert trial.reconciles, trial.differences
            for line in trial.lines:
                if line.account_class == selectors.BALANCE_SHEET:
                    assert line.opening + line.movement == line.closing
            balances[year.start.year] = trial
        closing = {
            line.number: line.closing
            for line in balances[2025].lines
            if line.account_class == selectors.BALANCE_SHEET and line.closing
        }
        opening = {line.number: line.opening for line in balances[2026].lines if line.opening}
        assert opening == closing
        assert sum(opening.values()) == 0

    def test_the_checks_find_nothing_critical_nor_any_warning(self) -> None:
        run = books_check_run(company=self.summary.company)
        findings = {(f.severity, f.code) for f in run.findings}
        assert not [f for f in findings if f[0] != "info"], findings
        # The run after the import stored the same.
        assert not Finding.objects.filter(
            company=self.summary.company, severity__in=("critical", "warning")
        ).exists()

    def test_the_status_page_shows_the_key_figures(self) -> None:
        self.client.force_login(self.summary.user)
        company = self.summary.company
        page = self.client.get(reverse("status:index", args=[company.id]))
        html = page.content.decode()
        assert 'id="key-figures-title"' in html
        tiles = re.findall(
            r'data-figure="(\w+)">\s*<div class="muted">[^<]*</div>\s*'
            r'<div class="figure">([^<]*)</div>',
            html,
        )
        values = dict(tiles)
        assert len(values) >= 6, tiles
        # This year's net sales (the demo user reads Swedish), and last year's alongside.
        assert re.fullmatch(r"\d{1,3}(\xa0\d{3})+", values["revenue"]), values
        assert html.count('class="compare muted"') == len(values)

    def test_a_second_load_adds_nothing(self) -> None:
        vouchers = Voucher.objects.filter(company=self.summary.company).count()
        again = demo_books_load(company=self.summary.company, today=TODAY + dt.timedelta(days=1))
        assert again.vouchers == 0
        assert Voucher.objects.filter(company=self.summary.company).count() == vouchers

    def test_the_file_is_the_demo_companys_with_its_own_customers(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            target = Path(folder) / "demo.se"
            demo_books_write(target, today=TODAY)
            book = read(target)
        assert book.company_name is not None
        assert book.company_name.value == "Demoföretaget AB"
        assert book.org_number is not None
        assert book.org_number.number == self.summary.company.org_number
        customers = {r.text for v in book.vouchers if v.series == "A" for r in v.rows if r.text}
        contacts = set(
            Contact.objects.filter(company=self.summary.company).values_list("name", flat=True)
        )
        assert len(customers) > 20
        assert customers <= contacts
