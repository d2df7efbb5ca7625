from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from skrivbord.contacts import selectors
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page


@company_view(module="contacts")
def contact_list(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    contacts = selectors.contact_list(access=access)[:50]
    return render_page(request, "contacts/list.html", {"contacts": contacts})
