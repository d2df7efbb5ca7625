"""The known findings on the real files of ../shared/data/sie (ACCOUNTING.md §4.2 "fires
on"), and silence on generated clean books."""

from __future__ import annotations

import io
import sys
from decimal import Decimal
from pathlib import Path

from skrivbord.accounting.checks.models import Finding
from skrivbord.accounting.checks.services import books_check_after_import, books_check_run
from skrivbord.accounting.importer import sie_import
from skrivbord.core.models import Company
from tests.shared_data import shared_data_path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from sie_generate import generate


def check_file(company: Company, name: str) -> list[Finding]:
    result = sie_import(company=company, source=shared_data_path("sie", name), force=True)
    run = books_check_after_import(company=company, result=result)
    assert run is not None
    return run.findings


def by_code(findings: list[Finding], code: str) -> list[Finding]:
    return [finding for finding in findings if finding.code == code]


def test_it_finds_the_unbalanced_voucher_in_the_softone_xe_export(
    office: None, company: Company
) -> None:
    findings = check_file(company, "idstam__jsisie__XE_SIE_4_20151125095119.SE")
    [unbalanced] = by_code(findings, "unbalanced_voucher")
    assert unbalanced.severity == "critical"
    assert unbalanced.params["voucher"] == "1 1"
    assert Decimal(unbalanced.params["difference"]) == Decimal("2.00")
    assert unbalanced.vouchers[0][1] == "1 1"
    # It also writes balances on result accounts, so its balances do not balance.
    assert by_code(findings, "closing_on_result_account")
    assert by_code(findings, "opening_not_balanced")


def test_it_finds_the_negative_cash_in_the_briljant_test_file(
    office: None, company: Company
) -> None:
    [cash] = by_code(check_file(company, "idstam__jsisie__Test4.SE"), "cash_negative")
    assert cash.accounts == ["1910"]
    assert Decimal(cash.params["minimum"]) == Decimal("-5125.00")


def test_it_finds_opening_balances_that_differ_from_last_year_in_the_mamut_export(
    office: None, company: Company
) -> None:
    findings = check_file(company, "idstam__jsisie__MAMUT_SIE4_EXPORT.SE")
    differing = {f.accounts[0] for f in by_code(findings, "opening_differs")}
    assert differing == {"2099", "2611", "2650"}
    assert by_code(findings, "equity_continuity")


def test_it_finds_balances_in_the_fortnox_4i_file(office: None, company: Company) -> None:
    findings = check_file(company, "idstam__jsisie__Sie4.si")
    [forbidden] = by_code(findings, "type_forbidden_records")
    assert forbidden.params["type"] == "4I"
    assert "#IB" in forbidden.params["labels"]
    assert "#UB" in forbidden.params["labels"]
    assert forbidden.source == "import"
    # They stay until the next import: a later run of the checks keeps them.
    books_check_run(company=company)
    assert Finding.objects.filter(company=company, code="type_forbidden_records").exists()


def test_it_finds_the_gaps_and_the_non_numeric_account_in_softone_business(
    office: None, company: Company
) -> None:
    findings = check_file(company, "idstam__jsisie__Sie4.se")
    gaps = {f.params["series"]: f for f in by_code(findings, "numbering_gaps")}
    assert (gaps["1"].params["first"], gaps["1"].params["last"]) == (1, 82)
    [non_numeric] = by_code(findings, "account_non_numeric")
    assert non_numeric.accounts == ["FEL"]
    reconciled = {f.accounts[0] for f in by_code(findings, "reconciliation_balance")}
    assert reconciled == {"2440", "2640"}


def test_it_finds_what_the_e_conomic_export_does_not_reconcile(
    office: None, company: Company
) -> None:
    findings = check_file(company, "Alipsa__SIEParser__9_sie-gruppen-e-conomic.se")
    assert len(by_code(findings, "reconciliation_balance")) == 4
    assert len(by_code(findings, "reconciliation_result")) == 4
    assert by_code(findings, "numbering_no_series")
    [gaps] = by_code(findings, "numbering_gaps")
    assert gaps.params["last"] == 600009


def test_it_finds_that_the_avendo_practice_company_does_not_balance(
    office: None, company: Company
) -> None:
    findings = check_file(company, "idstam__jsisie__transaktioner_ovnbolag.se")
    assert by_code(findings, "opening_not_balanced")
    assert not by_code(findings, "unbalanced_voucher")


def test_it_finds_the_deliberately_unbalanced_voucher(office: None, company: Company) -> None:
    findings = check_file(company, "idstam__jsisie__transaktioner_ovnbolag-bad-balance.se")
    assert len(by_code(findings, "unbalanced_voucher")) == 1


def test_generated_clean_books_have_no_critical_finding_nor_warning(
    office: None, company: Company
) -> None:
    data = io.BytesIO()
    generate(data, transactions=3000, seed=7)
    result = sie_import(company=company, source=data.getvalue(), filename="gen.se", force=True)
    run = books_check_after_import(company=company, result=result)
    assert run is not None
    serious = {f.code: f.params for f in run.findings if f.severity != "info"}
    # The generated books move the VAT to 2650 every month (check 15 leaves those entries
    # out), keep the till above zero and register cash within a working day.
    assert serious == {}
