"""The rules as a spec, without a database: each check fires on a fault it has never seen
and stays silent on clean books."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from skrivbord.accounting.checks import rules
from skrivbord.accounting.checks.imports import ImportedFile, import_findings
from skrivbord.accounting.checks.rules import AccountInfo, Sample, SeriesNumbering, VoucherRef

START, END = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
V1 = VoucherRef("00000000-0000-0000-0000-000000000001", "A 1", dt.date(2025, 3, 3))
V2 = VoucherRef("00000000-0000-0000-0000-000000000002", "A 2", dt.date(2025, 3, 4))
NAMES = {
    "1910": "Kassa",
    "1510": "Kundfordringar",
    "1930": "Företagskonto",
    "2081": "Aktiekapital",
    "2091": "Balanserad vinst",
    "2099": "Årets resultat",
    "2440": "Leverantörsskulder",
    "2611": "Utgående moms 25 %",
    "2650": "Redovisningskonto för moms",
    "3001": "Försäljning inom Sverige, 25 % moms",
    "4010": "Inköp",
    "8999": "Årets resultat",
}


def clean(**changes: object) -> rules.YearData:
    """A small year that passes every check: opening balances that balance and equal last
    year's closing ones, sales with 25 % VAT, a purchase, cash that stays positive."""
    data = rules.YearData(
        start=START,
        end=END,
        accounts={n: AccountInfo(n, name) for n, name in NAMES.items()},
        opening={"1930": D(10000), "1910": D(500), "2081": D(-10500)},
        previous_closing={"1930": D(10000), "1910": D(500), "2081": D(-10500)},
        movements={
            "1510": D(1250),
            "3001": D(-1000),
            "2611": D(-250),
            "4010": D(400),
            "1910": D(-400),
        },
        vouchers=2,
        rows=5,
        cash_days={"1910": [(dt.date(2025, 3, 4), D(-400))]},
        numbering=(SeriesNumbering("A", 2, 1, 2),),
    )
    data.closing = {"1930": D(10000), "1910": D(100), "1510": D(1250), "2081": D(-10500)}
    data.closing = {**data.closing, "2611": D(-250)}
    data.result = {"3001": D(-1000), "4010": D(400)}
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def codes(data: rules.YearData) -> set[str]:
    return {finding.code for finding in rules.check_year(data)}


def test_it_finds_nothing_in_clean_books() -> None:
    assert rules.check_year(clean()) == []


def test_it_reports_an_unbalanced_voucher_as_critical() -> None:
    [finding] = rules.check_year(clean(unbalanced=((V1, D("2.00")),), unbalanced_count=1))
    assert (finding.check, finding.severity, finding.code) == (
        "voucher_balance",
        "critical",
        "unbalanced_voucher",
    )
    assert finding.params["difference"] == D("2.00")
    assert finding.vouchers == (V1,)


def test_it_sums_up_unbalanced_vouchers_beyond_the_cap() -> None:
    many = tuple((VoucherRef(str(i), f"A {i}", V1.date), D(1)) for i in range(60))
    findings = rules.voucher_balance(clean(unbalanced=many, unbalanced_count=60))
    assert len(findings) == rules.MAX_PER_CODE + 1
    assert findings[-1].code == "unbalanced_more"
    assert findings[-1].params["count"] == 10


def test_it_finds_an_rtrans_without_its_trans() -> None:
    assert "rtrans_unpaired" in codes(clean(unpaired_rtrans=((V1, "1930", D(5)),)))


def test_it_finds_gaps_and_repeated_numbers_in_a_series() -> None:
    series = SeriesNumbering("A", 5, 1, 9, gaps=((2, 5), (6, 9)), duplicates=(V2,))
    [gaps, repeated] = rules.numbering(clean(numbering=(series,)))
    assert gaps.params["missing"] == 4
    assert gaps.params["gaps"] == "3\N{EN DASH}4, 7\N{EN DASH}8"
    assert repeated.code == "numbering_duplicates"


def test_it_counts_working_days_for_late_cash() -> None:
    friday = dt.date(2025, 3, 7)
    assert rules.working_days_between(friday, dt.date(2025, 3, 10)) == 1  # Monday
    # Easter: Good Friday and Easter Monday are days off, so Tuesday is the next working day
    # after Thursday; so is the day after Midsummer Eve's weekend.
    assert rules.working_days_between(dt.date(2025, 4, 17), dt.date(2025, 4, 22)) == 1
    assert rules.working_days_between(dt.date(2025, 6, 19), dt.date(2025, 6, 23)) == 1
    on_friday = VoucherRef("x", "K 1", friday)
    assert codes(clean(cash_registered=((on_friday, dt.date(2025, 3, 10)),))) == set()
    late = codes(clean(cash_registered=((on_friday, dt.date(2025, 3, 11)),)))
    assert late == {"cash_registered_late"}


def test_it_finds_dates_outside_the_year() -> None:
    found = rules.check_year(clean(outside_year=Sample(1, (V1,))))
    assert [(f.code, f.severity) for f in found] == [("voucher_outside_year", "critical")]


def test_it_finds_accounts_that_are_not_numeric_or_not_declared() -> None:
    found = codes(clean(movements={**clean().movements, "FEL": D(0), "19301": D(0)}))
    assert {"account_non_numeric", "account_undeclared", "account_not_bas"} <= found


def test_it_finds_closing_balances_the_rows_do_not_add_up_to() -> None:
    data = clean()
    data.closing = {**data.closing, "1930": D(9000)}
    data.result = {**data.result, "4010": D(500)}
    found = {f.subject: f for f in rules.reconciliation(data)}
    assert found["account:1930"].params["difference"] == D(-1000)
    assert found["account:4010"].code == "reconciliation_result"


def test_it_compares_period_balances_with_the_year() -> None:
    changes = {"1910": D(-400), "1510": D(1250), "2611": D(-250), "4010": D(400)}
    data = clean(period_sums={**changes, "3001": D(-900)}, last_period=dt.date(2025, 12, 1))
    [finding] = rules.period_balances(data)
    assert finding.params["difference"] == D(100)
    # Period balances that stop before the year end (#OMFATTN) are not compared.
    assert rules.period_balances(clean(period_sums={"3001": D(-900)}, last_period=START)) == []


def test_it_tells_a_moved_result_from_a_wrong_opening_balance() -> None:
    # Last year's unbooked result (500 profit: the balance sheet sums to 500) moved to 2091.
    previous = {"1930": D(11000), "2081": D(-10500)}
    moved = clean(
        previous_closing=previous,
        opening={"1930": D(11000), "2081": D(-10500), "2091": D(-500)},
    )
    found = rules.continuity(moved)
    assert [(f.code, f.severity) for f in found] == [("opening_differs", "info")]
    wrong = clean(previous_closing={**clean().previous_closing, "1930": D(9000)})
    assert {(f.code, f.severity) for f in rules.continuity(wrong)} == {
        ("opening_differs", "warning")
    }


def test_it_finds_balances_that_do_not_balance() -> None:
    data = clean(opening={"1930": D(100)})
    assert ("opening_not_balanced", "critical") in {
        (f.code, f.severity) for f in rules.balance_identity(data)
    }


def test_it_checks_the_year_end_closing() -> None:
    movements = {**clean().movements, "8999": D(500), "2099": D(-400)}
    assert codes(clean(movements=movements)) >= {
        "closing_result_mismatch",
        "closing_result_not_in_equity",
    }
    suspense = {**clean().movements, "2999": D(-50), "1930": D(50)}
    assert "suspense_not_zero" in codes(clean(movements=suspense))


def test_it_finds_negative_cash_day_by_day() -> None:
    days = [(dt.date(2025, 3, 1), D(-600)), (dt.date(2025, 3, 2), D(-25)), (END, D(700))]
    [finding] = rules.cash(clean(cash_days={"1910": days}))
    assert finding.params["date"] == dt.date(2025, 3, 1)
    assert finding.params["balance"] == D(-100)
    assert finding.params["minimum"] == D(-125)


def test_it_compares_output_vat_with_the_sales() -> None:
    movements = {**clean().movements, "2611": D(-120)}
    [finding] = rules.vat(clean(movements=movements))
    assert finding.params["expected"] == D("250.00")
    assert "vat_reverse_charge" in codes(clean(reverse_charge=Sample(1, (V1,))))


def test_it_leaves_the_vat_moved_to_the_vat_account_out_of_the_comparison() -> None:
    # The VAT return's entry moved 200 of the 250 from 2611 to 2650 (momsredovisning).
    movements = {**clean().movements, "2611": D(-50), "2650": D(-200)}
    assert rules.vat(clean(movements=movements, vat_settled={"2611": D(200)})) == []
    [finding] = rules.vat(clean(movements=movements))
    assert finding.params["vat"] == D(50)


def test_it_reads_the_vat_rate_from_the_account_name() -> None:
    assert rules.sales_rate(AccountInfo("3051", "Försäljn varor 25% sv")) == 25
    assert rules.sales_rate(AccountInfo("3054", "Försäljn varor sv momsfri")) is None
    assert rules.sales_rate(AccountInfo("3106", "Försäljning EU 25 %")) is None


def test_it_finds_receivables_and_debts_with_the_wrong_sign() -> None:
    movements = {**clean().movements, "1510": D(-10), "2440": D(10), "3001": D(5)}
    assert {"sign_asset_credit", "sign_liability_debit", "sign_revenue_debit"} <= codes(
        clean(movements=movements)
    )


def test_it_flags_journal_entries_worth_a_look() -> None:
    found = codes(
        clean(
            weekend=Sample(1, (V1,)),
            without_text=Sample(1, (V1,)),
            post_closing=Sample(1, (V1,)),
            duplicates=((V1, V2),),
            duplicates_count=2,
        )
    )
    assert {"je_weekend", "je_no_text", "je_post_closing", "je_duplicates"} <= found


def test_it_applies_benfords_law_only_to_enough_amounts() -> None:
    benford = {d: round(10000 * rules.BENFORD[d]) for d in range(1, 10)}
    assert "je_benford" not in codes(clean(first_digits=benford))
    assert "je_benford" in codes(clean(first_digits=dict.fromkeys(range(1, 10), 1000)))
    assert "je_benford" not in codes(clean(first_digits={1: 10}))


def test_the_fingerprint_changes_with_the_data_under_the_finding() -> None:
    def fingerprint(total: str) -> str:
        return rules.voucher_balance(clean(unbalanced=((V1, D(total)),), unbalanced_count=1))[
            0
        ].fingerprint

    assert fingerprint("2.00") == fingerprint("2.00")
    assert fingerprint("2.00") != fingerprint("3.00")


def test_it_reports_what_the_file_type_forbids_and_lacks() -> None:
    imported = ImportedFile(
        kind="4I",
        org_number="",
        encoding="cp437",
        warnings=(
            ("record_not_allowed", 12, "Line 12: #IB does not belong in a SIE file of type 4I"),
            ("record_not_allowed", 40, "Line 40: #UB does not belong in a SIE file of type 4I"),
        ),
    )
    found = {f.code: f for f in import_findings(imported)}
    assert found["type_forbidden_records"].params == {
        "type": "4I",
        "labels": "#IB, #UB",
        "line": 12,
    }
    assert "no_org_number" in found
    clean_file = ImportedFile(kind="4E", org_number="556036-0793", encoding="cp437")
    assert import_findings(clean_file) == []
