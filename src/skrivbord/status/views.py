"""The company's Status page (Företagsstatus). Key figures and sync health arrive with the
accounting and sync issues; for now it shows the company and its contacts at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from skrivbord.contacts import selectors as contact_selectors
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page


@company_view(module="status")
def index(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    context = {
        "company": access.company,
        "contact_counts": contact_selectors.contact_counts(access=access)
        if access.has("contacts")
        else None,
    }
    return render_page(request, "status/index.html", context)
