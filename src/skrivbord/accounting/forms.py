"""Forms of the accounting pages: voucher search, SIE upload, SIE download, chart start."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from skrivbord.accounting import services
from skrivbord.accounting.models import AccountType
from skrivbord.accounting.selectors import VoucherQuery, parse_amount

#: The SIE types the download offers: 4E with the vouchers, and the balance-only types.
EXPORT_KINDS = [
    ("4E", _("Type 4E: everything, with the vouchers")),
    ("1", _("Type 1: closing balances only")),
    ("2", _("Type 2: balances and period movements")),
    ("3", _("Type 3: balances with objects")),
]


class AccountSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    type = forms.ChoiceField(
        label=_("Account type"),
        required=False,
        choices=[("", _("All types")), *AccountType.choices],
    )


class VoucherSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Text, voucher number (A12), date (2025-03-01) or amount (1 234,50)."),
    )
    series = forms.CharField(label=_("Series"), required=False, max_length=20)
    date_from = forms.DateField(label=_("From date"), required=False)
    date_to = forms.DateField(label=_("To date"), required=False)
    account = forms.CharField(label=_("Account"), required=False, max_length=20)
    amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=30,
        help_text=_("A row's amount or the voucher's total, debit or credit."),
    )

    def clean_amount(self) -> Decimal | None:
        text = self.cleaned_data.get("amount") or ""
        if not text.strip():
            return None
        amount = parse_amount(text)
        if amount is None:
            raise forms.ValidationError(_("Type an amount such as 1 234,50 or 1234.50."))
        return amount

    def query(self) -> VoucherQuery:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        return VoucherQuery(
            text=(data.get("q") or "").strip(),
            series=(data.get("series") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            account=(data.get("account") or "").strip(),
            amount=data.get("amount"),
        )


def _check_size(file: Any, limit: int) -> Any:
    if file is not None and file.size > limit:
        raise forms.ValidationError(
            _("The file is %(size)s; the largest file this page takes is %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(limit)}
        )
    if file is not None and file.size == 0:
        raise forms.ValidationError(_("The file is empty."))
    return file


class SieUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SIE file"),
        help_text=_("An SIE file of type 1, 2, 3 or 4 (.se, .si) from any accounting program."),
    )
    force = forms.BooleanField(
        label=_("Import even if the file's organisation number is another company's"),
        required=False,
    )

    def clean_file(self) -> Any:
        return _check_size(self.cleaned_data.get("file"), services.MAX_UPLOAD_BYTES)


class ExportForm(forms.Form):
    fiscal_year = forms.ChoiceField(label=_("Fiscal year"))
    kind = forms.ChoiceField(label=_("SIE type"), choices=EXPORT_KINDS, initial="4E")

    def __init__(self, *args: Any, years: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["fiscal_year"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(f"{y.start:%Y-%m-%d}", str(y)) for y in years]


class ChartUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Chart of accounts file"),
        help_text=_(
            "The BAS 2025 chart of accounts as downloaded from bas.se (Excel), or a CSV file "
            "with account numbers and names."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Create these accounts for the company"),
        required=True,
    )

    def clean_file(self) -> Any:
        return _check_size(self.cleaned_data.get("file"), services.MAX_CHART_BYTES)
