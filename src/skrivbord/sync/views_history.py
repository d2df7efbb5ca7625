from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page


@company_view(module="sync")
def history(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    return render_page(request, "sync/history.html", {"company": access.company})
