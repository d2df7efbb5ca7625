from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from skrivbord.help.pages import load_page


def page(request: HttpRequest, page: str) -> HttpResponse:
    """Help is public: it describes the product, never a company's data."""
    language = (get_language() or "sv")[:2]
    help_page = load_page(page, language)
    if help_page is None:
        raise Http404
    request.help_page = page  # type: ignore[attr-defined]
    return render(request, "help/page.html", {"page": help_page})
