"""Links from the Kontroll page to the books' pages: a voucher, an account.

The browse pages (`accounting:voucher`, `accounting:account`) come from another part of the
accounting UI; where they are not (yet) installed the tag renders plain text, so the page
never fails on a missing URL.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


def _link(name: str, args: list[Any], text: str) -> SafeString:
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return format_html("{}", text)
    return format_html('<a href="{}">{}</a>', url, text)


@register.simple_tag
def voucher_link(company_id: Any, voucher_id: Any, text: str) -> SafeString:
    return _link("accounting:voucher", [company_id, voucher_id], text)


@register.simple_tag
def account_link(company_id: Any, number: str, text: str | None = None) -> SafeString:
    return _link("accounting:account", [company_id, number], text or number)
