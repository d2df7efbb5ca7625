"""Template filters of the reports: Swedish amounts and figures (links to the books' pages
come from books_ui)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import ngettext

from skrivbord.accounting.reports import formats
from skrivbord.accounting.reports.figures import DAYS, MONEY, PERCENT

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
    if unit == DAYS:
        return days(value)
    return formats.times(value)


@register.filter
def days(value: Decimal | None) -> str:
    """Whole days: "45 days", "1 day"."""
    if value is None:
        return ""
    count = formats.whole_days(value)
    return ngettext("%(days)s day", "%(days)s days", count) % {"days": formats.number(value, 0)}
