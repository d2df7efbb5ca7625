"""The books of a company as plain data, to compare two companies' books."""

from __future__ import annotations

from typing import Any

from skrivbord.accounting import models as m
from skrivbord.accounting.sie.writer import cp437_text
from skrivbord.core.models import Company


def books_of(
    company: Company, *, using: str = "default", as_written: bool = False
) -> dict[str, Any]:
    """Everything the books hold, keyed by natural keys (no ids, no timestamps). With
    `as_written`, texts as a SIE file we write can carry them (codepage 437)."""
    text = cp437_text if as_written else (lambda value: value)
    years = {
        y.id: y.start.isoformat() for y in m.FiscalYear.objects.using(using).filter(company=company)
    }
    vouchers = {}
    rows: dict[Any, list[tuple[Any, ...]]] = {}
    for r in m.TransactionRow.objects.using(using).filter(company=company).order_by("position"):
        rows.setdefault(r.voucher_id, []).append(
            (
                r.position,
                r.kind,
                r.account,
                r.amount,
                r.date,
                text(r.text),
                r.quantity,
                text(r.sign),
                r.cost_centre,
                r.project,
                [tuple(pair) for pair in r.object_list],
                years[r.fiscal_year_id],
            )
        )
    for v in m.Voucher.objects.using(using).filter(company=company):
        vouchers[(years[v.fiscal_year_id], v.series, v.number, v.occurrence)] = (
            v.date,
            text(v.text),
            v.registered,
            text(v.sign),
            rows.get(v.id, []),
        )
    return {
        "years": sorted(
            (y.start, y.end) for y in m.FiscalYear.objects.using(using).filter(company=company)
        ),
        "accounts": {
            a.number: (text(a.name), a.type, text(a.unit), a.sru)
            for a in m.Account.objects.using(using).filter(company=company)
        },
        "dimensions": {
            d.number: (text(d.name), d.parent)
            for d in m.Dimension.objects.using(using).filter(company=company)
        },
        "objects": {
            (o.dimension, o.code): text(o.name)
            for o in m.AccountingObject.objects.using(using).filter(company=company)
        },
        "series": sorted(
            s.code for s in m.VoucherSeries.objects.using(using).filter(company=company)
        ),
        "balances": {
            (years[b.fiscal_year_id], b.kind, b.account, b.object_dimension, b.object_code): (
                b.amount,
                b.quantity,
            )
            for b in m.Balance.objects.using(using).filter(company=company)
        },
        "period_balances": {
            (
                years[p.fiscal_year_id],
                p.kind,
                p.period,
                p.account,
                p.object_dimension,
                p.object_code,
            ): (p.amount, p.quantity)
            for p in m.PeriodBalance.objects.using(using).filter(company=company)
        },
        "vouchers": vouchers,
    }
