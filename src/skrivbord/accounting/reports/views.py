"""The report pages: income statement and balance sheet, monthly trend, cost centres and
projects, key figures with their accounts, and the Excel exports. They only read, so they
work on both nodes (the books are read-only online)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from skrivbord.accounting import selectors as books_selectors
from skrivbord.accounting.reports import charts, excel, figures, formats, selectors, statements
from skrivbord.accounting.reports.books import Comparison, Period, YearBooks
from skrivbord.accounting.reports.trend import Trend, monthly_trend
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page

MODULE = "accounting"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _start(request: HttpRequest) -> dt.date | None:
    """The fiscal year asked for by its first day (?fiscal_year=YYYY-MM-DD); the latest
    year when absent or not a date."""
    value = request.GET.get("fiscal_year") or ""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _today() -> dt.date:
    return timezone.localdate()


def _months(period: Period) -> str:
    """The months of a period: jan-nov 2026, maj 2025-feb 2026, nov 2026 (en dashes)."""
    first, last = period.start, period.last_month
    if (first.year, first.month) == (last.year, last.month):
        return f"{date_format(first, 'b')} {first.year}"
    if first.year == last.year:
        return f"{date_format(first, 'b')}\N{EN DASH}{date_format(last, 'b')} {last.year}"
    return f"{date_format(first, 'b')} {first.year}\N{EN DASH}{date_format(last, 'b')} {last.year}"


def _comparison(access: CompanyAccess, years: selectors.ReportYears) -> dict[str, Any]:
    """The periods compared and their labels: the fiscal years once this one is over, the
    months so far and last year's same months while it runs."""
    comparison = selectors.report_comparison(access=access, years=years, today=_today())
    if comparison.complete:
        year_label = str(years.year)
        previous_label = str(years.previous) if years.previous else ""
    else:
        year_label = _months(comparison.this)
        previous_label = _months(comparison.previous) if comparison.previous else ""
    return {
        "comparison": comparison,
        "in_progress": not comparison.complete,
        "year_label": year_label,
        "previous_label": previous_label,
        "period_end": comparison.this.end,
    }


def _period(comparison: Comparison) -> int | None:
    """The months the totals sum: None (all) once the year is over."""
    return None if comparison.complete else comparison.this.months


def _context(access: CompanyAccess, years: selectors.ReportYears, **extra: Any) -> dict[str, Any]:
    return {
        "company": access.company,
        "year": years.year,
        "previous": years.previous,
        "years": list(books_selectors.fiscal_year_list(access=access)),
        **extra,
    }


def _translated(text: str) -> str:
    return _(text) if text else ""


@company_view(module=MODULE, help_page="reports")
def statements_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = selectors.report_years(access=access, start=_start(request))
    periods = _comparison(access, years)
    this, previous = selectors.year_books(
        access=access, years=years, by_month=False, periods=periods["comparison"]
    )
    context = _context(
        access,
        years,
        **periods,
        income=statements.income_statement(this, previous),
        balance=statements.balance_sheet(this, previous),
        active="statements",
    )
    return render_page(request, "accounting/reports/statements.html", context)


def _trend_chart(trend: Trend) -> str:
    series: list[tuple[str, str, list[Decimal | None]]] = [
        ("current", _("Result"), [month.result for month in trend.months]),
    ]
    if trend.has_previous:
        series.append(
            ("previous", _("Result last year"), [month.previous_result for month in trend.months])
        )
    return charts.bar_chart(
        [month.label[5:] for month in trend.months],
        series,
        title=_("Result per month"),
        format_value=formats.whole_kronor,
    )


def _flow_chart(trend: Trend) -> str:
    return charts.bar_chart(
        [month.label[5:] for month in trend.months],
        [
            ("income", _("Income"), [month.income for month in trend.months]),
            ("expenses", _("Expenses"), [month.expenses for month in trend.months]),
        ],
        title=_("Income and expenses per month"),
        format_value=formats.whole_kronor,
    )


def _object_filter(request: HttpRequest, access: CompanyAccess) -> tuple[int | None, str, str]:
    dimension = request.GET.get("dimension") or ""
    code = request.GET.get("code") or ""
    if not dimension:
        return None, "", ""
    if not dimension.isdigit() or int(dimension) not in selectors.DIMENSION_COLUMNS or not code:
        raise Http404
    code, name = selectors.object_get(access=access, dimension=int(dimension), code=code)
    return int(dimension), code, name


@company_view(module=MODULE, help_page="reports")
def trend_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = selectors.report_years(access=access, start=_start(request))
    dimension, code, name = _object_filter(request, access)
    this, previous = selectors.year_books(
        access=access, years=years, dimension=dimension, code=code
    )
    periods = _comparison(access, years)
    trend = monthly_trend(this, previous, period=_period(periods["comparison"]))
    context = _context(
        access,
        years,
        **periods,
        trend=trend,
        result_chart=mark_safe(_trend_chart(trend)),  # noqa: S308 (escaped in charts)
        flow_chart=mark_safe(_flow_chart(trend)),  # noqa: S308
        dimension=dimension,
        code=code,
        object_name=name,
        active="trend",
    )
    return render_page(request, "accounting/reports/trend.html", context)


@company_view(module=MODULE, help_page="reports")
def objects_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = selectors.report_years(access=access, start=_start(request))
    periods = _comparison(access, years)
    comparison = periods["comparison"]
    context = _context(
        access,
        years,
        **periods,
        cost_centres=selectors.object_results(
            access=access, years=years, dimension=selectors.COST_CENTRE, periods=comparison
        ),
        projects=selectors.object_results(
            access=access, years=years, dimension=selectors.PROJECT, periods=comparison
        ),
        cost_centre=selectors.COST_CENTRE,
        project=selectors.PROJECT,
        active="objects",
    )
    return render_page(request, "accounting/reports/objects.html", context)


def _figure_rows(
    this: YearBooks, previous: YearBooks | None, *, tiles_only: bool, comparison: Comparison
) -> list[dict[str, Any]]:
    rows = []
    for figure in figures.key_figures(this, previous, tiles_only=tiles_only, comparison=comparison):
        label = _(figure.definition.label)
        rows.append(
            {
                "figure": figure,
                "label": label,
                "definition": _(figure.definition.formula),
                "unit": figure.definition.unit,
                "sparkline": mark_safe(  # noqa: S308 (escaped in charts)
                    charts.sparkline(figure.months, figure.previous_months, label=label)
                ),
            }
        )
    return rows


@company_view(module=MODULE, help_page="reports")
def figures_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    years = selectors.report_years(access=access, start=_start(request))
    this, previous = selectors.year_books(access=access, years=years)
    periods = _comparison(access, years)
    context = _context(
        access,
        years,
        **periods,
        figures=_figure_rows(this, previous, tiles_only=False, comparison=periods["comparison"]),
        active="figures",
    )
    return render_page(request, "accounting/reports/figures.html", context)


@company_view(module=MODULE, help_page="reports")
def figure_page(request: HttpRequest, access: CompanyAccess, key: str) -> HttpResponse:
    definition = figures.BY_KEY.get(key)
    if definition is None:
        raise Http404
    years = selectors.report_years(access=access, start=_start(request))
    # This one figure only: the output VAT's credits are read only for DSO.
    this, previous = selectors.year_books(
        access=access, years=years, vat_credits=figures.needs_vat_credits([definition])
    )
    periods = _comparison(access, years)
    comparison = periods["comparison"]
    (figure,) = figures.key_figures(this, previous, comparison=comparison, definitions=[definition])
    label = _(definition.label)
    context = _context(
        access,
        years,
        **periods,
        figure=figure,
        label=label,
        definition=_(definition.formula),
        parts=figures.figure_accounts(definition, this, previous, comparison=comparison),
        sparkline=mark_safe(  # noqa: S308 (escaped in charts)
            charts.sparkline(
                figure.months, figure.previous_months, width=360, height=80, label=label
            )
        ),
        active="figures",
    )
    return render_page(request, "accounting/reports/figure.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@company_view(module=MODULE, help_page="reports")
def export_xlsx(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """The income statement, balance sheet, trial balance, monthly trend and key figures of
    the year as one workbook."""
    years = selectors.report_years(access=access, start=_start(request))
    this, previous = selectors.year_books(access=access, years=years)
    periods = _comparison(access, years)
    comparison = periods["comparison"]
    if not comparison.complete:
        # The statements of the periods compared, as on the page (the months above serve
        # the trend and the key figures).
        this_period, previous_period = selectors.year_books(
            access=access, years=years, by_month=False, periods=comparison
        )
    else:
        this_period, previous_period = this, previous
    year_label = periods["year_label"]
    previous_label = periods["previous_label"] or _("Last year")
    workbook = excel.new_workbook()
    excel.statement_sheet(
        workbook,
        statements.income_statement(this_period, previous_period),
        title=_("Income statement"),
        heading=f"{access.company.name} \N{EN DASH} {_('Income statement')} {year_label}",
        year_label=year_label,
        previous_label=previous_label,
        translate=_translated,
    )
    excel.statement_sheet(
        workbook,
        statements.balance_sheet(this_period, previous_period),
        title=_("Balance sheet"),
        heading=(
            f"{access.company.name} \N{EN DASH} {_('Balance sheet')} {comparison.this.end:%Y-%m-%d}"
        ),
        year_label=year_label,
        previous_label=previous_label,
        translate=_translated,
    )
    trial = books_selectors.trial_balance(access=access, fiscal_year=years.year)
    excel.trial_balance_sheet(
        workbook, trial.lines, title=_("Trial balance"), translate=_translated
    )
    excel.trend_sheet(
        workbook,
        monthly_trend(this, previous, period=_period(comparison)),
        title=_("Monthly trend"),
        translate=_translated,
    )
    excel.figures_sheet(
        workbook,
        figures.key_figures(this, previous, comparison=comparison),
        title=_("Key figures"),
        year_label=year_label,
        previous_label=previous_label,
        translate=_translated,
    )
    return _xlsx(excel.workbook_bytes(workbook), f"reports-{years.year.start:%Y-%m-%d}.xlsx")


@company_view(module=MODULE, help_page="reports")
def ledger_xlsx(request: HttpRequest, access: CompanyAccess, account: str) -> HttpResponse:
    """One account's rows of the year with the running balance."""
    years = selectors.report_years(access=access, start=_start(request))
    ledger = selectors.account_ledger(access=access, year=years.year, account=account)
    workbook = excel.new_workbook()
    excel.ledger_sheet(workbook, ledger, title=f"{_('Account')} {account}", translate=_translated)
    safe_account = "".join(c for c in account if c.isalnum()) or "account"
    return _xlsx(
        excel.workbook_bytes(workbook),
        f"ledger-{safe_account}-{years.year.start:%Y-%m-%d}.xlsx",
    )


def status_tiles(access: CompanyAccess) -> dict[str, Any] | None:
    """The key-figure tiles of the Status page: None (no tiles) without the right to the
    books or without any books."""
    if not access.has(MODULE):
        return None
    try:
        years = selectors.report_years(access=access)
    except Http404:  # no books
        return None
    # The tiles need the output VAT's credits only if DSO is one of them.
    this, previous = selectors.year_books(
        access=access, years=years, vat_credits=figures.needs_vat_credits(figures.TILES)
    )
    periods = _comparison(access, years)
    return {
        "year": years.year,
        "previous": years.previous,
        **periods,
        "figures": _figure_rows(this, previous, tiles_only=True, comparison=periods["comparison"]),
    }
