"""The accounting pages in a real browser: an administrator imports books and looks into them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect

from skrivbord.accounting.sie.generate import CompanyInfo, generate
from skrivbord.core import services
from skrivbord.core.models import Role
from skrivbord.sync import capture
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def office() -> Iterator[None]:
    """The live server is an office node, where books are imported; the database's capture
    triggers follow. A transactional test commits them: after it the books are deleted while
    the office's triggers allow it (an online node's refuse), and the triggers put back."""
    before = settings.NODE
    with override_settings(NODE="office"):
        capture.install("default", node="office")
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            capture.install("default", node=before)


def test_an_administrator_imports_books_and_follows_them_to_a_ledger_and_key_figures(
    page: Page, office: None, tmp_path: Path
) -> None:
    acme = services.company_create(name="Acme AB", org_number="556036-0793")
    alice = services.user_create(
        email="alice@acme.se", password=PASSWORD, full_name="Alice", check_password=False
    )
    services.membership_set(user=alice, company=acme, role=Role.ADMINISTRATOR)
    today = dt.date.today()
    sie_file = tmp_path / "acme.se"
    books = generate(
        sie_file,
        transactions=1500,
        seed=4,
        year=today.year,
        years=2,
        until=today,
        company=CompanyInfo("Acme AB", "556036-0793"),
    )

    page.goto("/login/")
    page.locator("input[name=username]").fill("alice@acme.se")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/$"))

    # Accounting, then its SIE upload (the company has no books yet).
    page.locator("nav.menu").get_by_role("link", name="Redovisning").click()
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/accounting/$"))
    page.locator("nav.subnav").get_by_role("link", name="Läs in SIE-fil").click()
    page.locator("input[type=file][name=file]").set_input_files(sie_file)
    page.locator("main form").get_by_role("button", name="Läs in").click()

    # The status block follows the import (htmx, every second) until its summary shows.
    expect(page).to_have_url(re.compile(r"/accounting/import/[0-9a-f-]{36}/$"))
    status = page.locator("#upload-status")
    expect(status).to_contain_text("acme.se")
    expect(status.locator(".message-success")).to_have_text("Filen är inläst.", timeout=20_000)
    expect(status.locator("progress")).to_have_count(0)
    summary = status.locator("dl.fields")
    expect(summary).to_contain_text("Acme AB (556036-0793)")
    expect(summary).to_contain_text(f"{today.year - 1}-01-01\N{EN DASH}{today.year - 1}-12-31")
    expect(summary).to_contain_text(f"{books.vouchers:,}".replace(",", "\xa0"))
    expect(status).to_contain_text("Inga varningar.")

    # The vouchers of this year, one found by its number and opened.
    page.locator("nav.subnav").get_by_role("link", name="Verifikationer").click()
    results = page.locator("#voucher-results")
    expect(results.locator("tbody tr")).not_to_have_count(0)
    page.locator("#voucher-search").fill("A3")
    page.locator("#voucher-search").press("Enter")
    expect(results.locator("tbody tr")).to_have_count(1)
    results.get_by_role("link", name="A 3", exact=True).click()
    expect(page.locator("h1")).to_contain_text("A 3")
    # A customer invoice: the receivable's account leads to its ledger.
    page.locator("main table").get_by_role("link", name="1510", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/c/{acme.id}/accounting/accounts/1510/"))
    expect(page.locator("h1")).to_have_text("Konto 1510 Kundfordringar")
    expect(page.locator("main")).to_contain_text(f"Huvudbok {today.year}")
    expect(page.locator("table.ledger tbody tr")).not_to_have_count(0)

    # The key figures on the Status page, this year's beside last year's.
    page.locator("nav.menu").get_by_role("link", name="Status").click()
    tiles = page.locator("section.key-figures")
    expect(tiles.locator("#key-figures-title")).to_contain_text(f"Nyckeltal {today.year}")
    revenue = tiles.locator('[data-figure="revenue"] .figure')
    expect(revenue).to_have_text(re.compile(r"^\d{1,3}(\xa0\d{3})+$"))
    expect(tiles.locator(".figure-tile")).not_to_have_count(0)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "accounting-flow.png", full_page=True)
