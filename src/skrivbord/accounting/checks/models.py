"""What the checks store: their findings (each node computes its own), a run record per
company, and the "resolved" marks people set online (synchronised online -> office)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from skrivbord.core.models import TenantModel


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class FindingSource(models.TextChoices):
    #: From the books themselves: replaced by every run.
    BOOKS = "books", _("The books")
    #: From the imported file (its type, its checksum): replaced by the next import.
    IMPORT = "import", _("The imported file")


class Finding(TenantModel):
    """One finding of a check for a fiscal year. Never synchronised: each node computes its
    own from its copy of the books (and the office from the files it imported)."""

    fiscal_year = models.ForeignKey(
        "accounting.FiscalYear", on_delete=models.CASCADE, related_name="+"
    )
    check_key = models.CharField(_("check"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    code = models.CharField(_("code"), max_length=60)
    #: What the finding is about within its check ("account:1910", "voucher:<id>", ...):
    #: with the check and the year, how a resolved mark finds it again.
    subject = models.CharField(_("subject"), max_length=200)
    params = models.JSONField(_("parameters"), default=dict)
    #: [[voucher id, label, date], ...] (capped) and how many in all.
    vouchers = models.JSONField(_("vouchers"), default=list)
    voucher_count = models.PositiveIntegerField(default=0)
    accounts = models.JSONField(_("accounts"), default=list)
    account_count = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    source = models.CharField(max_length=10, choices=FindingSource.choices)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["fiscal_year", "check_key", "subject"]
        indexes = [
            models.Index(fields=["company", "fiscal_year", "severity"], name="acc_finding_year"),
        ]

    def __str__(self) -> str:
        return f"{self.check_key} {self.subject}"


class FindingMark(TenantModel):
    """A person's "resolved" mark on a finding, with the comment that explains it. Made on
    the online desktop and synchronised to the office. It holds while the finding's data is
    unchanged: a run that finds another fingerprint shows the finding open again."""

    check_key = models.CharField(_("check"), max_length=40)
    fiscal_year_start = models.DateField(_("fiscal year"))
    subject = models.CharField(_("subject"), max_length=200)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    resolved = models.BooleanField(_("resolved"), default=True)
    comment = models.TextField(_("comment"), blank=True)
    marked_by = models.CharField(_("marked by"), max_length=254, blank=True)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("resolved mark")
        verbose_name_plural = _("resolved marks")
        ordering = ["-marked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "check_key", "fiscal_year_start", "subject"],
                name="acc_finding_mark_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_key} {self.subject}"


class CheckRun(TenantModel):
    """The company's latest run of the checks (one row per company)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)
    trigger = models.CharField(max_length=20, blank=True)
    #: The books changed (a sync batch) since this run: run again when the transfer ends.
    stale = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company"], name="acc_check_run_company"),
        ]


#: The synchronised fields of a mark (all but the id, company and timestamps).
MARK_FIELDS = (
    "check_key",
    "fiscal_year_start",
    "subject",
    "fingerprint",
    "resolved",
    "comment",
    "marked_by",
    "marked_at",
)
