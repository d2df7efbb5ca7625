"""Template filters and tags of the accounting pages: amounts the Swedish way, and links to
an account's and a voucher's page (used by the browse pages, the Kontroll page and the
reports alike)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from skrivbord.accounting.reports import formats

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """1234.5 -> "1 234,50" (no-break space between thousands; a minus for credits)."""
    if value is None or value == "":
        return ""
    return formats.money(Decimal(value))


@register.filter
def year_param(year: Any) -> str:
    return f"{year.start:%Y-%m-%d}" if year is not None else ""


@register.simple_tag
def account_link(company_id: Any, number: str, text: str = "") -> SafeString:
    """The account's page: its ledger."""
    url = reverse("accounting:account", args=[company_id, number])
    return format_html('<a href="{}">{}</a>', url, text or number)


@register.simple_tag
def voucher_link(company_id: Any, voucher_id: Any, text: str) -> SafeString:
    url = reverse("accounting:voucher", args=[company_id, voucher_id])
    return format_html('<a href="{}">{}</a>', url, text)
