"""Running the checks and marking findings resolved.

`books_check_run(company=...)` checks the latest fiscal year and the one before it (or one
given year): it reads the books with aggregate queries (loader.py), applies the rules
(rules.py) and replaces the stored findings of those years. It never writes the books, and
the findings are not synchronised (each node computes its own), so a run leaves the sync's
change log as it was. It runs after each import (`books_check_after_import`), after a sync
batch that changed the books on the online node (`books_changed_by_sync`), from the Kontroll
page (admins) and from `skrivbord books_check`.

`finding_resolve` / `finding_reopen` write a person's mark, which syncs online -> office.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.accounting import models as m
from skrivbord.accounting.checks import rules
from skrivbord.accounting.checks.imports import ImportedFile, import_findings
from skrivbord.accounting.checks.loader import load_year
from skrivbord.accounting.checks.models import (
    CheckRun,
    Finding,
    FindingMark,
    FindingSource,
)
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company
from skrivbord.sync import actor

logger = logging.getLogger(__name__)

MODULE = "accounting_checks"
#: Entities of the books: a sync batch with any of them changed the books.
BOOKS_ENTITIES = frozenset(model._meta.label_lower for model in m.BOOKS_MODELS)


@dataclass
class RunResult:
    company: Company
    years: list[m.FiscalYear] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def years_to_check(
    company: Company, *, fiscal_year: dt.date | None = None, using: str = "default"
) -> list[m.FiscalYear]:
    """The latest fiscal year and the one before it, or the year that starts on
    `fiscal_year` (ValueError when the books have no such year)."""
    years = m.FiscalYear.objects.using(using).filter(company=company).order_by("-start")
    if fiscal_year is None:
        return list(years[:2])
    year = years.filter(start=fiscal_year).first()
    if year is None:
        raise ValueError(fiscal_year)
    return [year]


def _previous(year: m.FiscalYear, using: str) -> m.FiscalYear | None:
    return (
        m.FiscalYear.objects.using(using)
        .filter(company_id=year.company_id, start__lt=year.start)
        .order_by("-start")
        .first()
    )


def _stored(company: Company, year: m.FiscalYear, finding: rules.Finding, source: str) -> Finding:
    return Finding(
        company=company,
        fiscal_year=year,
        check_key=finding.check,
        severity=finding.severity,
        code=finding.code,
        subject=finding.subject[:200],
        params={key: rules._plain(value) for key, value in finding.params.items()},
        vouchers=[[v.id, v.label, v.date.isoformat()] for v in finding.vouchers],
        voucher_count=finding.voucher_count,
        accounts=list(finding.accounts),
        account_count=finding.account_count,
        fingerprint=finding.fingerprint,
        source=source,
    )


def books_check_run(
    *,
    company: Company,
    fiscal_year: dt.date | None = None,
    trigger: str = "manual",
    imported: ImportedFile | None = None,
    imported_year: dt.date | None = None,
    using: str = "default",
) -> RunResult:
    """Check the books and store the findings of the checked years (replacing the previous
    run's). With `imported`, the file's own findings (type, checksum) replace the last
    import's for `imported_year` (the file's fiscal year; the latest when None)."""
    started = time.perf_counter()
    result = RunResult(
        company=company, years=years_to_check(company, fiscal_year=fiscal_year, using=using)
    )
    computed: list[tuple[m.FiscalYear, list[rules.Finding]]] = []
    for year in result.years:
        data = load_year(year, _previous(year, using), using=using)
        computed.append((year, rules.check_year(data)))
    with transaction.atomic(using=using):
        for year, findings in computed:
            Finding.objects.using(using).filter(
                company=company, fiscal_year=year, source=FindingSource.BOOKS
            ).delete()
            Finding.objects.using(using).bulk_create(
                [_stored(company, year, finding, FindingSource.BOOKS) for finding in findings]
            )
        if imported is not None:
            years = m.FiscalYear.objects.using(using).filter(company=company)
            if imported_year is not None:
                years = years.filter(start=imported_year)
            year_of_file = years.order_by("-start").first()
            if year_of_file is not None:
                Finding.objects.using(using).filter(
                    company=company, fiscal_year=year_of_file, source=FindingSource.IMPORT
                ).delete()
                Finding.objects.using(using).bulk_create(
                    [
                        _stored(company, year_of_file, finding, FindingSource.IMPORT)
                        for finding in import_findings(imported)
                    ]
                )
        seconds = time.perf_counter() - started
        CheckRun.objects.using(using).update_or_create(
            company=company,
            defaults={
                "finished_at": timezone.now(),
                "seconds": seconds,
                "trigger": trigger,
                "stale": False,
            },
        )
    result.findings = list(
        Finding.objects.using(using)
        .filter(company=company, fiscal_year__in=result.years)
        .select_related("fiscal_year")
    )
    result.seconds = time.perf_counter() - started
    return result


def books_check_after_import(
    *, company: Company, result: Any, using: str = "default"
) -> RunResult | None:
    """After an import (the importer's ImportResult): check the books, with the file's own
    findings. A failure of the checks never undoes the import: it is logged."""
    imported = ImportedFile(
        kind=result.kind,
        org_number=result.org_number,
        encoding=result.encoding,
        warnings=tuple((w.code, w.line, w.message) for w in result.warnings),
    )
    file_year = max((start for start, _end in result.fiscal_years), default=None)
    try:
        return books_check_run(
            company=company,
            trigger="import",
            imported=imported,
            imported_year=file_year,
            using=using,
        )
    except Exception:  # pragma: no cover - reported, never fatal to the import
        logger.exception("The checks after an import of %s failed", company.id)
        return None


def books_changed_by_sync(
    *, company: Company, entities: Iterable[str], last: bool, using: str = "default"
) -> None:
    """After a sync batch was applied on the online node: when it touched the books, check
    them — at the end of the transfer (`last`), so an initial sync of a million rows in
    batches runs the checks once, not once per batch."""
    touched = bool(BOOKS_ENTITIES & set(entities))
    run = CheckRun.objects.using(using).filter(company=company).first()
    if not last:
        if touched and not (run and run.stale):
            CheckRun.objects.using(using).update_or_create(
                company=company, defaults={"stale": True}
            )
        return
    if touched or (run is not None and run.stale):
        try:
            books_check_run(company=company, trigger="sync", using=using)
        except Exception:  # pragma: no cover - reported, never fatal to the sync
            logger.exception("The checks after a sync batch of %s failed", company.id)


# --- Resolved marks --------------------------------------------------------------------------


def _finding(access: CompanyAccess, finding_id: uuid.UUID) -> Finding:
    finding = (
        Finding.objects.filter(company=access.company, id=finding_id)
        .select_related("fiscal_year")
        .first()
    )
    if finding is None:
        raise Http404
    return finding


def finding_resolve(*, access: CompanyAccess, finding_id: uuid.UUID, comment: str) -> FindingMark:
    """Mark a finding resolved, with the comment that says why (required). The mark holds
    until the data under the finding changes (its fingerprint)."""
    access.require(MODULE, "change")
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the finding is resolved.")}, code="required")
    finding = _finding(access, finding_id)
    with actor.acting_as(access.user.email), transaction.atomic():
        mark, _created = FindingMark.objects.update_or_create(
            company=access.company,
            check_key=finding.check_key,
            fiscal_year_start=finding.fiscal_year.start,
            subject=finding.subject,
            defaults={
                "fingerprint": finding.fingerprint,
                "resolved": True,
                "comment": comment,
                "marked_by": access.user.email,
                "marked_at": timezone.now(),
                "updated_at": timezone.now(),
            },
        )
    return mark


def finding_reopen(*, access: CompanyAccess, finding_id: uuid.UUID) -> None:
    """Take a finding's resolved mark back: it is open again (the comment is kept)."""
    access.require(MODULE, "change")
    finding = _finding(access, finding_id)
    with actor.acting_as(access.user.email), transaction.atomic():
        FindingMark.objects.filter(
            company=access.company,
            check_key=finding.check_key,
            fiscal_year_start=finding.fiscal_year.start,
            subject=finding.subject,
        ).update(
            resolved=False,
            marked_by=access.user.email,
            marked_at=timezone.now(),
            updated_at=timezone.now(),
        )


def checks_summary(run: RunResult | None, stdout: Any) -> None:
    """One line for a command's output after an import: the open findings per severity."""
    if run is None:
        return
    from skrivbord.accounting.checks.selectors import company_findings, open_counts

    counts = open_counts(company_findings(company=run.company, years=run.years))
    stdout.write(
        _(
            "Checks: %(critical)s critical, %(warning)s warnings, %(info)s notes "
            "(skrivbord books_check lists them)."
        )
        % {severity: counts.get(severity, 0) for severity in ("critical", "warning", "info")}
    )
