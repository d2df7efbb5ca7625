"""The books of real files: every file SOURCES.md marks as reconciling to the öre imports so
that the trial balance says it reconciles, exports and imports back to the same books, and
imports a second time without a single write."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from skrivbord.accounting import selectors
from skrivbord.accounting.exporter import sie_export
from skrivbord.accounting.importer import sie_import
from skrivbord.accounting.models import FiscalYear
from skrivbord.core import services
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, User
from skrivbord.sync.models import SyncChange
from tests.accounting.books import books_of
from tests.accounting.corpus import reconciling_files, sie_file

RECONCILING = reconciling_files()


def _current_year(company: Company) -> FiscalYear:
    year = FiscalYear.objects.filter(company=company).order_by("-start").first()
    assert year is not None
    return year


@pytest.mark.parametrize("name", RECONCILING)
def test_the_trial_balance_api_says_a_reconciling_file_reconciles(
    name: str, office: None, company: Company, alice: User, alice_client: Client
) -> None:
    sie_import(company=company, source=sie_file(name), force=True)
    year = _current_year(company)
    response = alice_client.get(
        f"/api/v1/companies/{company.id}/accounting/trial-balance",
        {"fiscal_year": year.start.isoformat()},
    )
    assert response.status_code == 200
    body = response.json()
    differences = [a for a in body["accounts"] if not a["reconciles"]]
    assert differences == []
    assert body["reconciles"] is True
    assert body["accounts"], "a reconciling file has accounts with balances"


@pytest.mark.parametrize("name", RECONCILING)
def test_export_then_import_gives_the_same_books(name: str, office: None, company: Company) -> None:
    sie_import(company=company, source=sie_file(name), force=True)
    exported = io.BytesIO()
    # The current year; its file carries the previous year's balances as year -1.
    sie_export(company=company, fiscal_year=_current_year(company), stream=exported, kind="4E")
    again = services.company_create(name="Acme igen AB", org_number="556036-0793")
    sie_import(company=again, source=exported.getvalue(), filename="export.se")
    assert books_of(again) == books_of(company, as_written=True)


@pytest.mark.parametrize("name", RECONCILING)
def test_importing_the_same_file_again_writes_nothing(
    name: str, office: None, company: Company, alice: User
) -> None:
    path = sie_file(name)
    first = sie_import(company=company, source=path, force=True)
    assert first.changed
    changes = SyncChange.objects.count()
    again = sie_import(company=company, source=path, force=True)
    assert not again.changed, (again.created, again.updated, again.deleted)
    assert SyncChange.objects.count() == changes
    access = company_access(alice, company.id)
    year = _current_year(company)
    assert selectors.trial_balance(access=access, fiscal_year=year).reconciles
