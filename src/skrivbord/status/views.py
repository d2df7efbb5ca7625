"""The company's Status page (Företagsstatus). Key figures arrive with the accounting issue;
for now it shows the company, its contacts and the sync health at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skrivbord.accounting.reports.views import status_tiles
from skrivbord.contacts import selectors as contact_selectors
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page
from skrivbord.sync.health import sync_health


@company_view(module="status")
def index(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    context = {
        "company": access.company,
        "contact_counts": contact_selectors.contact_counts(access=access)
        if access.has("contacts")
        else None,
        "sync_health": sync_health(access=access) if access.has("sync") else None,
        "is_admin": access.is_admin,
        "key_figures": status_tiles(access),
    }
    return render_page(request, "status/index.html", context)


@company_view(module="sync")
def sync_tile(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    """The sync tile alone: the Status page polls it while a long transfer runs."""
    context = {
        "company": access.company,
        "sync_health": sync_health(access=access),
        "is_admin": access.is_admin,
    }
    return render(request, "status/index.html#sync_tile", context)
