"""Template filters of the reports: Swedish amounts and figures (links to the books' pages
come from books_ui)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from skrivbord.accounting.reports import formats
from skrivbord.accounting.reports.figures import MONEY, PERCENT

register = template.Library()


@register.filter
def money(value: Decimal | None) -> str:
    return formats.money(value)


@register.filter
def kronor(value: Decimal | None) -> str:
    return formats.whole_kronor(value)


@register.filter
def figure_value(value: Decimal | None, unit: str) -> str:
    if unit == MONEY:
        return formats.whole_kronor(value)
    if unit == PERCENT:
        return formats.percent(value)
    return formats.times(value)
