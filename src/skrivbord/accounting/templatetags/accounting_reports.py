"""Template filters of the reports: Swedish amounts and figures, and links to the books'
pages that may not exist (an account's page comes with the browse pages: until its URL
name resolves, the account shows as plain text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

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


@register.simple_tag
def account_link(company_id: Any, number: str, text: str = "") -> str:
    """A link to the account's page (`accounting:account`), or its text alone."""
    label = text or number
    try:
        url = reverse("accounting:account", args=[company_id, number])
    except NoReverseMatch:
        return format_html("{}", label)
    return format_html('<a href="{}">{}</a>', url, label)
