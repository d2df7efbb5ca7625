"""The books (bokföringen): fiscal years, the chart of accounts, dimensions and objects,
balances, voucher series, vouchers and their transaction rows.

They are kept on the office node (entered there or imported from SIE) and synchronised to
the online node, where they are read-only. Accounts, objects and series are referred to by
their numbers and codes, as in SIE, so a row never waits for an account that a 4I file
did not declare. Money is exact: `MoneyField` stores öre (docs/decisions/0012-money-as-ore.md).
Sign convention as in SIE: debit positive, credit negative.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from skrivbord.accounting.fields import MoneyField, QuantityField
from skrivbord.core.models import Company, TenantModel

ACCOUNT_NUMBER_LENGTH = 20
SERIES_LENGTH = 20
OBJECT_CODE_LENGTH = 40
NAME_LENGTH = 200
TEXT_LENGTH = 500
SIGN_LENGTH = 100


class FiscalYear(TenantModel):
    """A fiscal year (räkenskapsår, #RAR). Years do not overlap within a company."""

    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(fields=["company", "start"], name="acc_year_company_start"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="acc_year_order"),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d}\N{EN DASH}{self.end:%Y-%m-%d}"


class AccountType(models.TextChoices):
    ASSET = "T", _("Asset")
    LIABILITY = "S", _("Liability or equity")
    EXPENSE = "K", _("Expense")
    INCOME = "I", _("Income")


class Account(TenantModel):
    """An account of the chart (#KONTO, with #KTYP, #ENHET, #SRU). The number is text: real
    files have 8-digit and even non-numeric account numbers."""

    number = models.CharField(_("account number"), max_length=ACCOUNT_NUMBER_LENGTH)
    name = models.CharField(_("name"), max_length=NAME_LENGTH, blank=True)
    type = models.CharField(
        _("account type"), max_length=1, choices=AccountType.choices, blank=True
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    sru = models.CharField(_("SRU code"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="acc_account_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class Dimension(TenantModel):
    """A dimension (#DIM, #UNDERDIM): 1 cost centre, 2 cost unit, 6 project, 7 employee, ...
    `parent` is the number of the superior dimension of an #UNDERDIM."""

    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=NAME_LENGTH, blank=True)
    parent = models.PositiveIntegerField(_("superior dimension"), null=True, blank=True)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="acc_dimension_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class AccountingObject(TenantModel):
    """An object of a dimension (#OBJEKT): a cost centre, a project, ..."""

    dimension = models.PositiveIntegerField(_("dimension"))
    code = models.CharField(_("code"), max_length=OBJECT_CODE_LENGTH)
    name = models.CharField(_("name"), max_length=NAME_LENGTH, blank=True)

    class Meta:
        verbose_name = _("object")
        verbose_name_plural = _("objects")
        ordering = ["dimension", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "dimension", "code"], name="acc_object_dimension_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.code} {self.name}".strip()


class BalanceKind(models.TextChoices):
    IB = "IB", _("Opening balance")
    UB = "UB", _("Closing balance")
    RES = "RES", _("Result")
    OIB = "OIB", _("Opening balance of an object")
    OUB = "OUB", _("Closing balance of an object")


class Balance(TenantModel):
    """A year's balance of an account as the file states it (#IB, #UB, #RES, #OIB, #OUB).

    `object_dimension` 0 (and `object_code` "") is the account as a whole; #OIB/#OUB name
    one object.
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=3, choices=BalanceKind.choices)
    account = models.CharField(_("account number"), max_length=ACCOUNT_NUMBER_LENGTH)
    object_dimension = models.PositiveIntegerField(_("object dimension"), default=0)
    object_code = models.CharField(_("object"), max_length=OBJECT_CODE_LENGTH, blank=True)
    amount = MoneyField(_("amount"))
    quantity = QuantityField(_("quantity"), null=True, blank=True)

    class Meta:
        verbose_name = _("balance")
        verbose_name_plural = _("balances")
        ordering = ["kind", "account"]
        constraints = [
            # Also the reports' index: (company, fiscal year, kind, account) is its prefix.
            models.UniqueConstraint(
                fields=[
                    "company",
                    "fiscal_year",
                    "kind",
                    "account",
                    "object_dimension",
                    "object_code",
                ],
                name="acc_balance_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.account} {self.amount}"


class PeriodKind(models.TextChoices):
    PSALDO = "PSALDO", _("Period balance")
    PBUDGET = "PBUDGET", _("Period budget")


class PeriodBalance(TenantModel):
    """A month's movement (#PSALDO) or budget (#PBUDGET) of an account, or of one object of
    it. `period` is the first day of the month."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=7, choices=PeriodKind.choices)
    period = models.DateField(_("period"))
    account = models.CharField(_("account number"), max_length=ACCOUNT_NUMBER_LENGTH)
    object_dimension = models.PositiveIntegerField(_("object dimension"), default=0)
    object_code = models.CharField(_("object"), max_length=OBJECT_CODE_LENGTH, blank=True)
    amount = MoneyField(_("amount"))
    quantity = QuantityField(_("quantity"), null=True, blank=True)

    class Meta:
        verbose_name = _("period balance")
        verbose_name_plural = _("period balances")
        ordering = ["kind", "account", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "company",
                    "fiscal_year",
                    "kind",
                    "account",
                    "period",
                    "object_dimension",
                    "object_code",
                ],
                name="acc_period_balance_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period:%Y-%m} {self.account} {self.amount}"


class VoucherSeries(TenantModel):
    """A voucher series (verifikationsserie), e.g. A for manual entries. SIE names no
    series, so imported ones have the code as their only name until someone names them."""

    code = models.CharField(_("code"), max_length=SERIES_LENGTH, blank=True)
    name = models.CharField(_("name"), max_length=NAME_LENGTH, blank=True)

    class Meta:
        verbose_name = _("voucher series")
        verbose_name_plural = _("voucher series")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="acc_series_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Voucher(TenantModel):
    """A voucher (verifikation, #VER). Booked vouchers are never edited in skrivbord: a later
    import of the same books may update one, the office's own program corrects with a new
    voucher. `number` is empty only for a 4I voucher that came without one."""

    # Both covered by the unique constraint's (company, fiscal_year, ...) prefix: an index of
    # their own would only slow down imports.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    series = models.CharField(_("series"), max_length=SERIES_LENGTH, blank=True)
    number = models.BigIntegerField(_("number"), null=True, blank=True)
    #: 0 for the first voucher with its number in the series and year; 1, 2, ... for later
    #: ones the other program gave the same number (BL Administration numbers the monthly
    #: vouchers of its asset register "# 1" all year). The control checks report them.
    occurrence = models.PositiveSmallIntegerField(_("occurrence"), default=0)
    date = models.DateField(_("date"))
    text = models.CharField(_("text"), max_length=TEXT_LENGTH, blank=True)
    registered = models.DateField(_("registered"), null=True, blank=True)
    sign = models.CharField(_("signature"), max_length=SIGN_LENGTH, blank=True)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["date", "series", "number", "occurrence"]
        constraints = [
            # Voucher numbers per series are unique by the database (DESIGN.md §3, duplicates).
            models.UniqueConstraint(
                fields=["company", "fiscal_year", "series", "number", "occurrence"],
                name="acc_voucher_number",
            ),
        ]
        indexes = [models.Index(fields=["company", "date"], name="acc_voucher_company_date")]

    def __str__(self) -> str:
        return f"{self.series} {self.number if self.number is not None else ''}".strip()


class RowKind(models.TextChoices):
    TRANS = "TRANS", _("Transaction")
    RTRANS = "RTRANS", _("Added transaction")
    BTRANS = "BTRANS", _("Removed transaction")


class TransactionRow(TenantModel):
    """A row of a voucher (#TRANS; #RTRANS and #BTRANS keep the history of later changes and
    are not part of the voucher's sum).

    `date` is the row's own date, or the voucher's when the file gave none; `fiscal_year` is
    the voucher's, kept on the row so reports sum a year without a join. The objects of
    dimension 1 (cost centre) and 6 (project) have their own columns for the reports;
    `object_list` is the whole object list as [[dimension, code], ...].
    """

    # No index on the company alone: every report reads a fiscal year, which implies it,
    # and each index costs the import of a million rows a second or more.
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", db_index=False)
    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    fiscal_year = models.ForeignKey(
        FiscalYear, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=6, choices=RowKind.choices, default=RowKind.TRANS)
    account = models.CharField(_("account number"), max_length=ACCOUNT_NUMBER_LENGTH)
    amount = MoneyField(_("amount"))
    date = models.DateField(_("date"))
    text = models.CharField(_("text"), max_length=TEXT_LENGTH, blank=True)
    quantity = QuantityField(_("quantity"), null=True, blank=True)
    sign = models.CharField(_("signature"), max_length=SIGN_LENGTH, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=OBJECT_CODE_LENGTH, blank=True)
    project = models.CharField(_("project"), max_length=OBJECT_CODE_LENGTH, blank=True)
    object_list = models.JSONField(_("objects"), default=list, blank=True)

    class Meta:
        verbose_name = _("transaction row")
        verbose_name_plural = _("transaction rows")
        ordering = ["voucher", "position"]
        constraints = [
            # Also the index that finds a voucher's rows.
            models.UniqueConstraint(fields=["voucher", "position"], name="acc_row_position"),
        ]
        indexes = [
            # One index for the reports, answered from the index alone: a year's rows per
            # account (trial balance, income statement: Σ amount where kind is TRANS) and an
            # account's rows by date (the ledger). The year implies the company.
            models.Index(
                fields=["fiscal_year", "account", "date", "kind", "amount"],
                name="acc_row_year_account_date",
            ),
            models.Index(
                fields=["fiscal_year", "cost_centre"],
                name="acc_row_cost_centre",
                condition=~Q(cost_centre=""),
            ),
            models.Index(
                fields=["fiscal_year", "project"], name="acc_row_project", condition=~Q(project="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"


#: Every model of the books, parents before children: the order they sync and import in.
BOOKS_MODELS: tuple[type[TenantModel], ...] = (
    FiscalYear,
    Account,
    Dimension,
    AccountingObject,
    VoucherSeries,
    Balance,
    PeriodBalance,
    Voucher,
    TransactionRow,
)

_NOT_SYNCED_HERE = {"id", "company", "created_at", "updated_at"}


def synced_fields(model: type[TenantModel]) -> tuple[str, ...]:
    """The columns the sync carries for a model of the books: all but the id, the company
    and the timestamps (the engine's own)."""
    return tuple(
        field.attname for field in model._meta.concrete_fields if field.name not in _NOT_SYNCED_HERE
    )


# --- SIE uploads (the web import; node-local, never synchronised) ----------------------------


class UploadState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


class SieUpload(TenantModel):
    """An SIE file uploaded in the web UI and imported outside the request. Its state,
    progress and outcome are kept here, so a reload or a second browser shows them. The file
    itself lives in the data directory only until the import ends."""

    user = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=NAME_LENGTH)
    path = models.CharField(max_length=1000, blank=True)
    force = models.BooleanField(default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=UploadState.choices, default=UploadState.QUEUED
    )
    size = models.BigIntegerField(_("size"), default=0)
    done = models.BigIntegerField(_("bytes read"), default=0)
    #: ImportResult as plain data (see services.result_summary) once the import ended.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_line = models.PositiveIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SIE upload")
        verbose_name_plural = _("SIE uploads")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "-created_at"], name="acc_upload_company")]

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.state in (UploadState.DONE, UploadState.REFUSED, UploadState.FAILED)

    @property
    def percent(self) -> int:
        if self.state == UploadState.DONE:
            return 100
        return min(100, self.done * 100 // self.size) if self.size else 0


# The control checks' findings and resolved marks (skrivbord.accounting.checks).
from skrivbord.accounting.checks.models import CheckRun, Finding, FindingMark  # noqa: E402, F401
