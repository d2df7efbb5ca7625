"""What each check says: a title per check, and per finding code what is wrong and what to
do, in English, marked for translation.

The rules are pure Python without Django, so they cannot call gettext; `gettext_noop` only
marks the text for makemessages. The Django side translates at display time:
`gettext(PROBLEMS[code]) % params`. Parameters stay apart from the text (amounts and dates
are formatted in the reader's language then).
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message


#: check key -> (number in ACCOUNTING.md §4.2, title)
CHECKS: dict[str, tuple[int, str]] = {
    "voucher_balance": (1, gettext_noop("Voucher balance")),
    "rtrans_pairing": (2, gettext_noop("Changed rows (#RTRANS)")),
    "numbering": (3, gettext_noop("Voucher numbering")),
    "dates": (4, gettext_noop("Dates")),
    "chart": (5, gettext_noop("Chart of accounts")),
    "file_type": (6, gettext_noop("SIE file type")),
    "checksum": (7, gettext_noop("Checksum (#KSUMMA)")),
    "reconciliation": (8, gettext_noop("Closing balances and transactions")),
    "period_balances": (9, gettext_noop("Period balances")),
    "continuity": (10, gettext_noop("Opening balance against last year's closing balance")),
    "balance_identity": (11, gettext_noop("The balance sheet balances")),
    "year_end": (12, gettext_noop("Year-end closing")),
    "cash": (13, gettext_noop("Cash never negative")),
    "vat": (15, gettext_noop("VAT")),
    "signs": (16, gettext_noop("Unusual signs")),
    "journal": (17, gettext_noop("Journal entry testing")),
}

#: finding code -> what is wrong
PROBLEMS: dict[str, str] = {
    "unbalanced_voucher": gettext_noop(
        "Voucher %(voucher)s of %(date)s does not balance: its rows sum to %(difference)s "
        "instead of 0."
    ),
    "unbalanced_more": gettext_noop("%(count)s more vouchers do not balance."),
    "rtrans_unpaired": gettext_noop(
        "Voucher %(voucher)s has an added row (#RTRANS) on account %(account)s of %(amount)s "
        "that is not followed by the identical transaction row (#TRANS)."
    ),
    "numbering_gaps": gettext_noop(
        "Series %(series)s: %(missing)s numbers are missing between %(first)s and %(last)s "
        "(%(gaps)s)."
    ),
    "numbering_duplicates": gettext_noop(
        "Series %(series)s: %(count)s voucher numbers are used more than once (%(numbers)s)."
    ),
    "numbering_order": gettext_noop(
        "Series %(series)s: %(count)s vouchers are dated before the voucher numbered just "
        "before them."
    ),
    "numbering_no_series": gettext_noop("%(count)s vouchers have no series."),
    "voucher_outside_year": gettext_noop(
        "%(count)s vouchers are dated outside the fiscal year %(start)s to %(end)s."
    ),
    "row_outside_year": gettext_noop(
        "%(count)s transaction rows are dated outside the fiscal year %(start)s to %(end)s."
    ),
    "registered_before_date": gettext_noop(
        "%(count)s vouchers were registered before the date of the event they record."
    ),
    "cash_registered_late": gettext_noop(
        "%(count)s vouchers on the cash accounts were registered more than one working day "
        "after the event (the longest: %(days)s working days)."
    ),
    "account_undeclared": gettext_noop(
        "%(count)s accounts used in the books have no name in the chart of accounts: %(accounts)s."
    ),
    "account_non_numeric": gettext_noop("%(count)s account numbers are not numeric: %(accounts)s."),
    "account_not_bas": gettext_noop(
        "%(count)s account numbers do not have the four digits of a BAS account: %(accounts)s."
    ),
    "type_forbidden_records": gettext_noop(
        "The imported SIE file of type %(type)s contains %(labels)s, which that type does not "
        "allow (first on line %(line)s)."
    ),
    "type_missing_records": gettext_noop(
        "The imported SIE file of type %(type)s lacks %(labels)s, which that type must have."
    ),
    "type_missing_sietyp": gettext_noop(
        "The imported file has no #SIETYP; it was read as type 1, as the specification says."
    ),
    "no_org_number": gettext_noop(
        "The imported file gives no organisation number (#ORGNR is missing or empty)."
    ),
    "checksum_file_encoding": gettext_noop(
        "The imported file's checksum matches its %(encoding)s bytes, not codepage 437 as the "
        "specification prescribes."
    ),
    "reconciliation_balance": gettext_noop(
        "Account %(account)s: the opening balance %(opening)s and the year's transactions "
        "%(movement)s make %(closing)s, but the books state a closing balance of %(stated)s "
        "(difference %(difference)s)."
    ),
    "reconciliation_result": gettext_noop(
        "Account %(account)s: the year's transactions sum to %(movement)s, but the books "
        "state a result of %(stated)s (difference %(difference)s)."
    ),
    "period_balance_mismatch": gettext_noop(
        "Account %(account)s: the period balances (#PSALDO) sum to %(periods)s, but the "
        "year's change is %(expected)s (difference %(difference)s)."
    ),
    "opening_differs": gettext_noop(
        "Account %(account)s: the opening balance %(opening)s differs from last year's "
        "closing balance %(previous)s (difference %(difference)s)."
    ),
    "opening_on_result_account": gettext_noop(
        "%(count)s result accounts have an opening balance (#IB): %(accounts)s. Result "
        "accounts start every year at zero."
    ),
    "closing_on_result_account": gettext_noop(
        "%(count)s result accounts have a closing balance (#UB) besides their result: %(accounts)s."
    ),
    "equity_continuity": gettext_noop(
        "Equity (2000-2099) opens the year at %(opening)s, but last year's closing balances "
        "and unbooked result give %(expected)s (difference %(difference)s)."
    ),
    "opening_not_balanced": gettext_noop(
        "The opening balances sum to %(total)s instead of 0: assets do not equal equity and "
        "liabilities."
    ),
    "closing_not_balanced": gettext_noop(
        "The closing balances and the year's result sum to %(total)s instead of 0."
    ),
    "closing_result_mismatch": gettext_noop(
        "Account 8999 (the year's result) holds %(booked)s, but the result accounts "
        "3000-8989 sum to %(result)s."
    ),
    "closing_result_not_in_equity": gettext_noop(
        "The year's result booked on 8999 (%(booked)s) is not carried to 2099 (%(equity)s)."
    ),
    "suspense_not_zero": gettext_noop(
        "The suspense account %(account)s has a balance of %(closing)s at the end of the year."
    ),
    "cash_negative": gettext_noop(
        "Cash account %(account)s goes negative on %(date)s (%(balance)s); its lowest "
        "balance is %(minimum)s on %(minimum_date)s."
    ),
    "vat_rate_mismatch": gettext_noop(
        "Output VAT at %(rate)s %% is %(vat)s, but %(rate)s %% of the sales on %(accounts)s "
        "(%(sales)s) is %(expected)s (difference %(difference)s)."
    ),
    "vat_reverse_charge": gettext_noop(
        "%(count)s vouchers book reverse-charge or import VAT whose output and input parts do "
        "not cancel out."
    ),
    "sign_asset_credit": gettext_noop(
        "Asset account %(account)s ends the year with a credit balance of %(closing)s."
    ),
    "sign_liability_debit": gettext_noop(
        "Liability account %(account)s ends the year with a debit balance of %(closing)s."
    ),
    "sign_revenue_debit": gettext_noop(
        "Revenue account %(account)s has a debit balance of %(movement)s for the year."
    ),
    "je_weekend": gettext_noop(
        "%(count)s of %(total)s vouchers are dated on a Saturday or a Sunday."
    ),
    "je_no_text": gettext_noop("%(count)s vouchers have no description at all."),
    "je_post_closing": gettext_noop(
        "%(count)s vouchers were registered after the end of the fiscal year (%(end)s)."
    ),
    "je_duplicates": gettext_noop(
        "%(count)s vouchers look like duplicates: the same date, accounts and amounts as "
        "another voucher."
    ),
    "je_benford": gettext_noop(
        "The first digits of the year's %(count)s amounts do not follow Benford's law (mean "
        "absolute deviation %(mad)s; above 0.015 is nonconformity)."
    ),
}

#: finding code -> what to do
ADVICE: dict[str, str] = {
    "unbalanced_voucher": gettext_noop(
        "Every voucher must balance: debit equals credit. Correct it in the accounting program "
        "with a correcting voucher and import the books again."
    ),
    "unbalanced_more": gettext_noop(
        "Every voucher must balance. Export the list from the accounting program and correct "
        "them one by one."
    ),
    "rtrans_unpaired": gettext_noop(
        "The file's change history is incomplete. Ask the program's supplier, or export the "
        "books again."
    ),
    "numbering_gaps": gettext_noop(
        "Check that no voucher was lost or deleted. Gaps often come from an export of a "
        "selection of vouchers or from an import; if so, mark this finding resolved with a note."
    ),
    "numbering_duplicates": gettext_noop(
        "A voucher number identifies one voucher. Check whether a voucher was entered twice, "
        "or renumber the series in the accounting program."
    ),
    "numbering_order": gettext_noop(
        "Vouchers are numbered in the order they are registered; late vouchers are normal, but "
        "check that none was back-dated."
    ),
    "numbering_no_series": gettext_noop(
        "Give the vouchers a series in the accounting program, so each has a unique number."
    ),
    "voucher_outside_year": gettext_noop(
        "A voucher belongs to the fiscal year of its date. Correct the date or book it in the "
        "right year."
    ),
    "row_outside_year": gettext_noop(
        "Transaction rows should be dated within their voucher's fiscal year. Check the dates."
    ),
    "registered_before_date": gettext_noop(
        "A voucher cannot be registered before the event happened. Check the dates."
    ),
    "cash_registered_late": gettext_noop(
        "Cash receipts and payments must be booked no later than the next working day "
        "(Bokföringslagen 5 kap. 2 §). Book cash sooner."
    ),
    "account_undeclared": gettext_noop(
        "Add these accounts, with names, to the chart of accounts in the accounting program."
    ),
    "account_non_numeric": gettext_noop(
        "Account numbers are numbers. Book these rows on proper accounts."
    ),
    "account_not_bas": gettext_noop(
        "The BAS chart of accounts has four-digit accounts; other numbers make the reports and "
        "key figures miss them. Check whether this is intended."
    ),
    "type_forbidden_records": gettext_noop(
        "The program that wrote the file does not follow the SIE specification; the records "
        "were read anyway. Check the balances against the program."
    ),
    "type_missing_records": gettext_noop(
        "Export the books again with every record the type requires."
    ),
    "type_missing_sietyp": gettext_noop("Export the books again as SIE type 4."),
    "no_org_number": gettext_noop(
        "Enter the organisation number in the accounting program, so the books can be "
        "matched to the right company."
    ),
    "checksum_file_encoding": gettext_noop(
        "The file was accepted. Tell the program's supplier if other programs refuse it."
    ),
    "reconciliation_balance": gettext_noop(
        "The vouchers do not add up to the closing balances the accounting program exported: "
        "the export may be a selection of vouchers, or vouchers changed after the balances "
        "were computed. Export the whole year again."
    ),
    "reconciliation_result": gettext_noop(
        "The vouchers do not add up to the result the accounting program exported. Export the "
        "whole year again."
    ),
    "period_balance_mismatch": gettext_noop(
        "The month balances and the year's balances disagree. Export the books again; if the "
        "difference remains, ask the program's supplier."
    ),
    "opening_differs": gettext_noop(
        "This year's opening balances should be last year's closing balances. Moving last "
        "year's result to equity and netting VAT accounts is normal; otherwise correct the "
        "opening balances."
    ),
    "opening_on_result_account": gettext_noop(
        "Move last year's result to equity and start the result accounts at zero."
    ),
    "closing_on_result_account": gettext_noop(
        "A result account has a result (#RES), not a closing balance. The program that wrote "
        "the file mixes them up; check the balance sheet and the result against the program."
    ),
    "equity_continuity": gettext_noop(
        "Equity must carry on from last year with the year's result added. Correct the opening "
        "balances."
    ),
    "opening_not_balanced": gettext_noop(
        "Correct the opening balances in the accounting program so that they balance."
    ),
    "closing_not_balanced": gettext_noop(
        "The books do not balance. Check for unbalanced vouchers and wrong balances."
    ),
    "closing_result_mismatch": gettext_noop(
        "Book the year's result on 8999 again when the year's vouchers are final."
    ),
    "closing_result_not_in_equity": gettext_noop(
        "The closing entry books the result on 8999 against 2099. Check the closing voucher."
    ),
    "suspense_not_zero": gettext_noop(
        "Find the right accounts for what was booked on the suspense account and move it there."
    ),
    "cash_negative": gettext_noop(
        "Cash cannot be negative: a receipt is missing or late, or a payment was booked on cash "
        "instead of the bank. Count the cash and correct the books."
    ),
    "vat_rate_mismatch": gettext_noop(
        "Check that every sale is booked with the VAT of its rate, on the right sales account."
    ),
    "vat_reverse_charge": gettext_noop(
        "Under reverse charge the output VAT and the deductible input VAT are booked together "
        "(for example 2614 against 2645). Check these vouchers."
    ),
    "sign_asset_credit": gettext_noop(
        "An asset such as receivables cannot be negative. Look for a payment booked on the "
        "wrong account or a missing invoice."
    ),
    "sign_liability_debit": gettext_noop(
        "Supplier debt cannot be negative. Look for a payment booked twice or a missing "
        "supplier invoice."
    ),
    "sign_revenue_debit": gettext_noop(
        "Revenue is normally credit. Look for credit notes or costs booked on a sales account."
    ),
    "je_weekend": gettext_noop(
        "Not an error in itself: look through them for entries that should not be there."
    ),
    "je_no_text": gettext_noop(
        "A voucher must say what it concerns (Bokföringslagen 5 kap. 7 §). Add descriptions."
    ),
    "je_post_closing": gettext_noop(
        "Entries after the year end change closed books. Check that each was intended."
    ),
    "je_duplicates": gettext_noop(
        "Check whether the same invoice or payment was booked twice; if so, reverse one."
    ),
    "je_benford": gettext_noop(
        "Amounts that are made up often break Benford's law. Not proof of anything: look at "
        "the accounts with unusual amounts."
    ),
}
