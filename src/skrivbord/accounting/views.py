"""The accounting pages: overview, chart of accounts, account ledger, fiscal years, voucher
series, vouchers; SIE upload with progress, SIE download, a new company's chart.

Read-only for everyone with access to the company; importing and starting a chart are for
administrators on the node that keeps the books (the online node refuses: KeptElsewhere).
Views read through selectors with the CompanyAccess and write through services.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.utils.translation import ngettext

from skrivbord.accounting import selectors, services
from skrivbord.accounting.exporter import books_export
from skrivbord.accounting.forms import (
    AccountSearchForm,
    ChartUploadForm,
    ExportForm,
    SieUploadForm,
    VoucherSearchForm,
)
from skrivbord.accounting.models import AccountType, FiscalYear
from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page

MODULE = "accounting"


def _years(access: CompanyAccess) -> list[FiscalYear]:
    return list(selectors.fiscal_year_list(access=access))


def _chosen_year(request: HttpRequest, years: list[FiscalYear]) -> FiscalYear | None:
    """The fiscal year the page shows: ?fiscal_year=YYYY-MM-DD, else the latest. An unknown
    year is a 404, not a silent switch to another year."""
    value = request.GET.get("fiscal_year")
    if not value:
        return years[0] if years else None
    try:
        start = dt.date.fromisoformat(value)
    except ValueError as error:
        raise Http404 from error
    for year in years:
        if year.start == start:
            return year
    raise Http404


def _can_admin_books(access: CompanyAccess) -> bool:
    """Whether to offer import and chart start here (the services check again)."""
    return access.is_admin and access.has(MODULE, "change")


def _kept_elsewhere(access: CompanyAccess) -> bool:
    return access.has(MODULE, "view") and registry.module_read_only_on(
        registry.get(MODULE), settings.NODE
    )


def _base(access: CompanyAccess, **extra: Any) -> dict[str, Any]:
    return {
        "company": access.company,
        "can_import": _can_admin_books(access),
        "kept_elsewhere": _kept_elsewhere(access),
        **extra,
    }


@company_view(module=MODULE)
def index(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    counts = selectors.books_counts(access=access)
    context = _base(
        access,
        years=selectors.fiscal_year_overview(access=access),
        counts=counts,
        uploads=[services.upload_progress(u) for u in selectors.sie_upload_list(access=access)],
    )
    return render_page(request, "accounting/index.html", context)


@company_view(module=MODULE)
def accounts(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = _years(access)
    year = _chosen_year(request, years)
    form = AccountSearchForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    chart = selectors.account_list(
        access=access, search=data.get("q", ""), account_type=data.get("type", "")
    )
    page = Paginator(chart, 100).get_page(request.GET.get("page"))
    balances = {}
    if year is not None and page.object_list:
        balances = selectors.account_balances(
            access=access, fiscal_year=year, numbers=[a.number for a in page.object_list]
        )
    rows = [(account, balances.get(account.number)) for account in page.object_list]
    context = _base(
        access,
        form=form,
        page=page,
        rows=rows,
        years=years,
        year=year,
        filtered=bool(data.get("q") or data.get("type")),
        types=dict(AccountType.choices),
    )
    response = render_page(request, "accounting/accounts.html", context, partial="results")
    patch_vary_headers(response, ["HX-Request"])
    return response


@company_view(module=MODULE)
def account(request: HttpRequest, access: CompanyAccess, number: str) -> HttpResponse:
    the_account = selectors.account_get(access=access, number=number)
    years = _years(access)
    year = _chosen_year(request, years)
    start = None
    if request.GET.get("from"):
        try:
            start = dt.date.fromisoformat(request.GET["from"])
        except ValueError:
            start = None
    ledger = None
    if year is not None:
        ledger = selectors.ledger(
            access=access,
            fiscal_year=year,
            account=the_account,
            after=request.GET.get("after"),
            before=request.GET.get("before"),
            start=start,
        )
    context = _base(
        access,
        account=the_account,
        account_type=dict(AccountType.choices).get(the_account.type, ""),
        years=years,
        year=year,
        ledger=ledger,
        start=start,
        count_limit=selectors.COUNT_LIMIT,
    )
    return render_page(request, "accounting/account.html", context)


@company_view(module=MODULE)
def years(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    context = _base(access, years=selectors.fiscal_year_overview(access=access))
    return render_page(request, "accounting/years.html", context)


@company_view(module=MODULE)
def series(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = _years(access)
    year = _chosen_year(request, years)
    context = _base(
        access,
        years=years,
        year=year,
        series=selectors.series_overview(access=access, fiscal_year=year),
    )
    return render_page(request, "accounting/series.html", context)


@company_view(module=MODULE)
def vouchers(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = _years(access)
    year = _chosen_year(request, years)
    form = VoucherSearchForm(request.GET)
    query = form.query()
    page = None
    count: int | None = 0
    totals: dict[uuid.UUID, Any] = {}
    if year is not None:
        found = selectors.voucher_search(access=access, fiscal_year=year, query=query)
        page = selectors.voucher_page(
            found, after=request.GET.get("after"), before=request.GET.get("before")
        )
        # No COUNT over a year of vouchers: the number is shown when it fits on one page.
        count = len(page.vouchers) if page.next is None and page.previous is None else None
        totals = selectors.voucher_totals(page.vouchers)
    context = _base(
        access,
        form=form,
        years=years,
        year=year,
        page=page,
        lines=[(v, totals.get(v.id)) for v in page.vouchers] if page else [],
        count=count,
        page_size=selectors.PAGE_SIZE,
        filtered=not query.is_empty,
    )
    response = render_page(request, "accounting/vouchers.html", context, partial="results")
    patch_vary_headers(response, ["HX-Request"])
    return response


@company_view(module=MODULE)
def voucher(request: HttpRequest, access: CompanyAccess, pk: uuid.UUID) -> HttpResponse:
    detail = selectors.voucher_detail(access=access, pk=pk)
    return render_page(request, "accounting/voucher.html", _base(access, detail=detail))


# --- Import --------------------------------------------------------------------------------


def _refuse_unless_books_admin(access: CompanyAccess) -> None:
    """Admins on the node that keeps the books; the online node says where to do it."""
    services.require_books_admin(access)


@company_view(module=MODULE)
def sie_import(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _refuse_unless_books_admin(access)
    if request.method == "POST":
        form = SieUploadForm(request.POST, request.FILES)
        if form.is_valid():
            file = form.cleaned_data["file"]
            upload = services.sie_upload_start(
                access=access,
                file=file,
                filename=file.name,
                size=file.size,
                force=form.cleaned_data["force"],
            )
            return redirect("accounting:import_status", access.company.id, upload.id)
        status = 413 if "file" in form.errors and request.FILES.get("file") else 400
        context = _base(access, form=form, max_bytes=services.MAX_UPLOAD_BYTES)
        return render_page(request, "accounting/import.html", context, status=status)
    context = _base(
        access,
        form=SieUploadForm(),
        max_bytes=services.MAX_UPLOAD_BYTES,
        uploads=[services.upload_progress(u) for u in selectors.sie_upload_list(access=access)],
    )
    return render_page(request, "accounting/import.html", context)


@company_view(module=MODULE)
def sie_import_status(
    request: HttpRequest, access: CompanyAccess, upload_id: uuid.UUID
) -> HttpResponse:
    """The upload's progress, then its summary or refusal. Anyone who may read the books
    may follow it; the page polls itself (htmx) until the import ends."""
    upload = services.upload_progress(selectors.sie_upload_get(access=access, upload_id=upload_id))
    context = _base(access, upload=upload, summary=upload.summary)
    return render_page(request, "accounting/import_status.html", context, partial="status")


# --- Export --------------------------------------------------------------------------------


def _export_filename(access: CompanyAccess, year: FiscalYear, kind: str) -> str:
    name = slugify(access.company.org_number or access.company.name) or "books"
    extension = "si" if kind == "4I" else "se"
    return f"{name}_{year.start:%Y%m%d}-{year.end:%Y%m%d}_sie{kind.lower()}.{extension}"


@company_view(module=MODULE)
def sie_export(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = _years(access)
    if "fiscal_year" not in request.GET:
        form = ExportForm(
            years=years, initial={"fiscal_year": f"{years[0].start:%Y-%m-%d}"} if years else {}
        )
        return render_page(request, "accounting/export.html", _base(access, form=form, years=years))
    form = ExportForm(request.GET, years=years)
    if not form.is_valid():
        return render_page(
            request, "accounting/export.html", _base(access, form=form, years=years), status=400
        )
    year = selectors.fiscal_year_get(
        access=access, start=dt.date.fromisoformat(form.cleaned_data["fiscal_year"])
    )
    kind = form.cleaned_data["kind"]
    # Written to a temporary file that spills to disk past a few MB, then streamed: flat
    # memory for a year of a million transactions, and a complete file or an error page,
    # never half a download.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    books_export(access=access, fiscal_year=year, stream=spool, kind=kind)
    spool.seek(0)
    response = FileResponse(
        spool,
        as_attachment=True,
        filename=_export_filename(access, year, kind),
        content_type="text/plain; charset=cp437",
    )
    return cast(HttpResponse, response)  # a streamed response, as company_view returns


# --- A new company's chart of accounts -------------------------------------------------------


@company_view(module=MODULE)
def chart_start(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _refuse_unless_books_admin(access)
    has_chart = selectors.books_counts(access=access)["accounts"] > 0
    form = ChartUploadForm()
    status = 200
    if request.method == "POST" and not has_chart:
        form = ChartUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                chart = services.chart_file_read(form.cleaned_data["file"].read())
                created = services.chart_start(access=access, chart=chart)
            except services.ChartRefused as refused:
                form.add_error("file", refused.message)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The chart of accounts is started: %(count)s account was created.",
                        "The chart of accounts is started: %(count)s accounts were created.",
                        created,
                    )
                    % {"count": created},
                )
                return redirect("accounting:accounts", access.company.id)
        status = 400
    elif request.method == "POST":
        status = 409
    context = _base(access, form=form, has_chart=has_chart)
    return render_page(request, "accounting/chart_start.html", context, status=status)
