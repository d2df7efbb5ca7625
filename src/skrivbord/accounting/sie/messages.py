"""Every message the SIE package can produce, in English, marked for translation.

The package has no Django in it, so it cannot call gettext; `gettext_noop` only marks the
text so that Django's makemessages extracts it. The Django layer translates at display
time: `gettext(error.template) % error.params`. Parameters stay apart from the text.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message


# code -> template. Errors refuse the file; warnings (see reader.WARNING_SEVERITY) do not.
MESSAGES: dict[str, str] = {
    # --- refusals (SieError) ---
    "empty_file": gettext_noop("Line %(line)s: the file is empty."),
    "not_sie": gettext_noop(
        "Line %(line)s: this is not a SIE file: a SIE file consists of lines that start "
        "with a label such as #FLAGGA, but this line reads “%(text)s”."
    ),
    "binary_data": gettext_noop(
        "Line %(line)s: the file contains binary data (byte %(byte)s); it is not a SIE file."
    ),
    "control_character": gettext_noop(
        "Line %(line)s: the record contains the control character %(char)s, which SIE "
        "does not allow."
    ),
    "line_too_long": gettext_noop("Line %(line)s: the line is longer than %(limit)s characters."),
    "too_many_fields": gettext_noop(
        "Line %(line)s: the record has %(count)s fields; at most %(limit)s are accepted."
    ),
    "no_label": gettext_noop(
        "Line %(line)s: the line does not start with a label (#...): “%(text)s”."
    ),
    "bad_object_list": gettext_noop(
        "Line %(line)s: the object list {%(text)s} must hold pairs of a dimension number "
        "and an object number."
    ),
    "unclosed_object_list": gettext_noop(
        "Line %(line)s: an object list opened with { is not closed with }."
    ),
    "stray_brace_in_record": gettext_noop("Line %(line)s: a } without a matching { in the record."),
    "nested_object_list": gettext_noop(
        "Line %(line)s: object lists cannot be nested ({ inside {...})."
    ),
    "misplaced_object_list": gettext_noop(
        "Line %(line)s: #%(label)s has an object list {...} where none belongs."
    ),
    "missing_account": gettext_noop("Line %(line)s: #%(label)s has no account number."),
    "missing_amount": gettext_noop("Line %(line)s: #%(label)s has no amount."),
    "missing_date": gettext_noop("Line %(line)s: #%(label)s has no date."),
    "missing_year": gettext_noop(
        "Line %(line)s: #%(label)s has no year number (0 for this year, -1 for the previous)."
    ),
    "missing_period": gettext_noop("Line %(line)s: #%(label)s has no period (YYYYMM)."),
    "missing_dimension": gettext_noop("Line %(line)s: #%(label)s has no dimension number."),
    "missing_object": gettext_noop("Line %(line)s: #%(label)s has no object number."),
    "bad_amount": gettext_noop(
        "Line %(line)s: “%(value)s” is not an amount (digits with a decimal point, such as "
        "-1234.50)."
    ),
    "amount_plus_sign": gettext_noop(
        "Line %(line)s: the amount %(value)s has a plus sign; SIE amounts never have one."
    ),
    "amount_decimals": gettext_noop(
        "Line %(line)s: the amount %(value)s has more than two decimals."
    ),
    "amount_too_large": gettext_noop(
        "Line %(line)s: the amount %(value)s is too large; amounts up to %(limit)s are accepted."
    ),
    "bad_quantity": gettext_noop("Line %(line)s: “%(value)s” is not a quantity."),
    "bad_date": gettext_noop("Line %(line)s: “%(value)s” is not a date (YYYYMMDD)."),
    "no_such_date": gettext_noop("Line %(line)s: the date %(value)s does not exist."),
    "bad_period": gettext_noop("Line %(line)s: “%(value)s” is not a period (YYYYMM)."),
    "bad_year": gettext_noop(
        "Line %(line)s: “%(value)s” is not a year number (0 for this year, -1 for the previous)."
    ),
    "bad_dimension": gettext_noop("Line %(line)s: “%(value)s” is not a dimension number."),
    "bad_voucher_number": gettext_noop("Line %(line)s: “%(value)s” is not a voucher number."),
    "bad_sie_type": gettext_noop(
        "Line %(line)s: #SIETYP %(value)s is not a SIE file type (1, 2, 3 or 4)."
    ),
    "fiscal_year_reversed": gettext_noop(
        "Line %(line)s: the fiscal year ends on %(end)s, before it starts on %(start)s."
    ),
    "voucher_without_rows": gettext_noop(
        "Line %(line)s: the voucher is not followed by its rows between { and }."
    ),
    "row_outside_voucher": gettext_noop(
        "Line %(line)s: #%(label)s outside a voucher; rows belong between { and } after #VER."
    ),
    "record_inside_voucher": gettext_noop(
        "Line %(line)s: #%(label)s inside a voucher, where only #TRANS, #RTRANS and #BTRANS "
        "belong (is a } missing?)."
    ),
    "unclosed_voucher": gettext_noop(
        "Line %(line)s: the voucher that starts here is not closed with }."
    ),
    "stray_open_brace": gettext_noop("Line %(line)s: a { that does not follow a #VER."),
    "stray_close_brace": gettext_noop("Line %(line)s: a } without a matching {."),
    "checksum_mismatch": gettext_noop(
        "Line %(line)s: the checksum #KSUMMA %(stated)s does not match the contents of the "
        "file (%(computed)s): the file has been changed or damaged after it was written."
    ),
    "checksum_missing_end": gettext_noop(
        "Line %(line)s: the file announces a checksum (#KSUMMA) but does not end with one: "
        "it is probably cut short."
    ),
    "bad_checksum": gettext_noop("Line %(line)s: “%(value)s” is not a checksum."),
    # --- refusals of the writer (line = the line it would have written) ---
    "write_bad_amount": gettext_noop(
        "Line %(line)s: the amount %(value)s cannot be written to a SIE file (at most two "
        "decimals and 15 digits before the point)."
    ),
    "write_bad_quantity": gettext_noop(
        "Line %(line)s: the quantity %(value)s cannot be written to a SIE file."
    ),
    "write_missing_field": gettext_noop(
        "Line %(line)s: #%(label)s cannot be written without its %(field)s."
    ),
    # --- warnings (the file is read) ---
    "missing_object_list": gettext_noop(
        "Line %(line)s: #%(label)s has no object list {}; read as if it had an empty one."
    ),
    "unterminated_quote": gettext_noop(
        'Line %(line)s: a quoted text is not closed (a closing " is missing); read to the '
        "end of the line."
    ),
    "stray_quote": gettext_noop(
        'Line %(line)s: a " inside a quoted text (it should be written \\"); read as '
        "part of the text."
    ),
    "missing_open_brace": gettext_noop(
        "Line %(line)s: the voucher's rows are not preceded by {; read as its rows."
    ),
    "voucher_series_missing": gettext_noop(
        'Line %(line)s: #VER has no series, not even ""; read as voucher %(number)s '
        "without a series."
    ),
    "text_in_date_field": gettext_noop(
        "Line %(line)s: the row has the text “%(text)s” where its date belongs; read as "
        "the row's text."
    ),
    "swapped_period": gettext_noop(
        "Line %(line)s: #%(label)s gives the account before the period; read as period "
        "%(period)s, account %(account)s."
    ),
    "unknown_label": gettext_noop("Line %(line)s: unknown label #%(label)s, ignored."),
    "iso_date": gettext_noop(
        "Line %(line)s: the date %(value)s is written YYYY-MM-DD; SIE writes YYYYMMDD. "
        "Read as %(date)s."
    ),
    "non_numeric_account": gettext_noop(
        "Line %(line)s: the account number %(account)s is not numeric."
    ),
    "undeclared_account": gettext_noop(
        "Line %(line)s: account %(account)s is used but not declared with #KONTO."
    ),
    "account_without_number": gettext_noop(
        "Line %(line)s: #%(label)s without an account number, ignored."
    ),
    "missing_name": gettext_noop("Line %(line)s: #%(label)s has an empty name."),
    "missing_program_version": gettext_noop(
        "Line %(line)s: #PROGRAM gives no version of %(program)s."
    ),
    "already_imported": gettext_noop(
        "Line %(line)s: #FLAGGA 1 says the file has already been imported once."
    ),
    "unbalanced_voucher": gettext_noop(
        "Line %(line)s: voucher %(voucher)s does not balance: its rows sum to %(total)s."
    ),
    "empty_voucher": gettext_noop("Line %(line)s: voucher %(voucher)s has no rows."),
    "record_not_allowed": gettext_noop(
        "Line %(line)s: #%(label)s does not belong in a SIE file of type %(type)s; read anyway."
    ),
    "missing_record": gettext_noop(
        "Line %(line)s: the file has no #%(label)s, which a SIE file of type %(type)s must have."
    ),
    "missing_sie_type": gettext_noop(
        "Line %(line)s: the file has no #SIETYP; read as type 1 as the specification says."
    ),
    "ignored_field": gettext_noop(
        "Line %(line)s: #%(label)s “%(value)s” is not valid, the record is ignored."
    ),
    "fiscal_year_long": gettext_noop(
        "Line %(line)s: the fiscal year %(start)s to %(end)s is longer than 18 months."
    ),
    "org_number_form": gettext_noop(
        "Line %(line)s: the organisation number %(value)s is not written NNNNNN-NNNN."
    ),
    "unquoted_text": gettext_noop(
        "Line %(line)s: a text with spaces was not quoted; read as “%(text)s”."
    ),
    "not_cp437": gettext_noop(
        "Line %(line)s: the file is encoded as %(encoding)s although SIE prescribes "
        "codepage 437 (#FORMAT PC8); read as %(encoding)s."
    ),
    "damaged_characters": gettext_noop(
        "Line %(line)s: the file contains %(count)s damaged characters (�) left by an "
        "earlier wrong conversion; those letters are lost."
    ),
    "checksum_file_encoding": gettext_noop(
        "Line %(line)s: the checksum matches the file's %(encoding)s bytes, not codepage "
        "437 as the specification says; accepted."
    ),
    "more_warnings": gettext_noop("%(count)s more warnings like “%(code)s” were not listed."),
}
