"""The Kontroll page: findings grouped by severity, filters, resolve and reopen (admins)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from skrivbord.accounting import selectors as books
from skrivbord.accounting.checks import selectors, services
from skrivbord.accounting.checks.messages import CHECKS
from skrivbord.accounting.checks.rules import SEVERITIES
from skrivbord.accounting.checks.selectors import MODULE
from skrivbord.core.access import CompanyAccess, company_access
from skrivbord.core.web import company_view, render_page

SEVERITY_NAMES = {
    "critical": gettext_lazy("Critical"),
    "warning": gettext_lazy("Warnings"),
    "info": gettext_lazy("Information"),
}


def _filters(request: HttpRequest, years: list[dt.date]) -> dict[str, Any]:
    """The page's filters from the query string; unknown values mean "no filter"."""
    severity = request.GET.get("severity") or ""
    check = request.GET.get("check") or ""
    status = request.GET.get("status") or selectors.OPEN
    year_text = request.GET.get("year") or ""
    try:
        year = dt.date.fromisoformat(year_text) if year_text else None
    except ValueError:
        year = None
    return {
        "severity": severity if severity in SEVERITIES else "",
        "check": check if check in CHECKS else "",
        "status": status if status in (*selectors.STATUSES, "all") else selectors.OPEN,
        "year": year if year in years else None,
    }


@company_view(module=MODULE)
def index(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    access.require("accounting", "view")
    years = [year.start for year in books.fiscal_year_list(access=access)]
    filters = _filters(request, years)
    rows = selectors.finding_list(
        access=access,
        severity=filters["severity"],
        check=filters["check"],
        year=filters["year"],
        status="" if filters["status"] == "all" else filters["status"],
    )
    everything = selectors.finding_list(access=access)
    counts = selectors.open_counts(everything)
    groups = [
        {
            "severity": severity,
            "name": SEVERITY_NAMES[severity],
            "rows": [row for row in rows if row.finding.severity == severity],
        }
        for severity in SEVERITIES
    ]
    context = {
        "company": access.company,
        "groups": [group for group in groups if group["rows"]],
        "counts": [(s, SEVERITY_NAMES[s], counts.get(s, 0)) for s in SEVERITIES],
        "resolved_count": sum(1 for row in everything if not row.is_open),
        "filters": filters,
        "filtered": any(filters[key] for key in ("severity", "check", "year"))
        or filters["status"] != selectors.OPEN,
        "checks": [(key, selectors.check_title(key)) for key in CHECKS],
        "years": years,
        "last_run": selectors.last_run(access=access),
        "can_resolve": access.has(MODULE, "change"),
        "can_run": access.is_admin,
        "has_books": bool(years),
    }
    return render_page(request, "accounting/checks/index.html", context, partial="findings")


@login_required
@require_POST
def run(request: HttpRequest, company_id: uuid.UUID) -> HttpResponse:
    """Run the checks now (administrators). Runs on either node: the findings are each
    node's own, and the books are only read."""
    access = company_access(request.user, company_id, module=MODULE)  # type: ignore[arg-type]
    access.require("accounting", "view")
    if not access.is_admin:
        raise PermissionDenied("admin")
    result = services.books_check_run(company=access.company, trigger="manual")
    messages.success(
        request,
        _("The books were checked in %(seconds)s s.") % {"seconds": f"{result.seconds:.1f}"},
    )
    return redirect("accounting_checks:index", company_id=access.company.id)


def _finding_row(access: CompanyAccess, finding_id: uuid.UUID) -> selectors.FindingRow:
    row = selectors.finding_get(access=access, finding_id=finding_id)
    if row is None:
        raise Http404
    return row


@company_view(module=MODULE, write=True)
def resolve(request: HttpRequest, access: CompanyAccess, finding_id: uuid.UUID) -> HttpResponse:
    """Confirm with a required comment, then mark the finding resolved."""
    row = _finding_row(access, finding_id)
    comment = ""
    error = ""
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        try:
            services.finding_resolve(access=access, finding_id=finding_id, comment=comment)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("The finding is marked resolved."))
            return redirect("accounting_checks:index", company_id=access.company.id)
    return render_page(
        request,
        "accounting/checks/resolve.html",
        {"company": access.company, "row": row, "comment": comment, "error": error},
        status=400 if error else 200,
    )


@require_POST
@company_view(module=MODULE, write=True)
def reopen(request: HttpRequest, access: CompanyAccess, finding_id: uuid.UUID) -> HttpResponse:
    _finding_row(access, finding_id)
    services.finding_reopen(access=access, finding_id=finding_id)
    messages.success(request, _("The finding is open again."))
    return redirect("accounting_checks:index", company_id=access.company.id)
