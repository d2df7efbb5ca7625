"""Template filters of the accounting pages: amounts the Swedish way."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import numberformat

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """1234.5 -> "1 234,50" (no-break space between thousands; a minus for credits)."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    text = numberformat.format(
        abs(amount),
        ",",
        decimal_pos=2,
        grouping=3,
        thousand_sep="\N{NO-BREAK SPACE}",
        force_grouping=True,
    )
    return f"-{text}" if amount < 0 else text


@register.filter
def year_param(year: Any) -> str:
    return f"{year.start:%Y-%m-%d}" if year is not None else ""
