from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess, company_module_enabled, user_memberships


def _menu(access: CompanyAccess) -> list[dict[str, Any]]:
    return [
        {
            "key": module.key,
            "name": module.name,
            "url": reverse(module.url_name, kwargs={"company_id": access.company.id}),
        }
        for module in registry.all_modules()
        if module.in_menu
        and company_module_enabled(access.company, module.key)
        and access.has(module.key, "view")
    ]


def desktop(request: HttpRequest) -> dict[str, Any]:
    """The top bar: current company, module menu, company switcher and the help link."""
    access: CompanyAccess | None = getattr(request, "access", None)
    user = getattr(request, "user", None)
    help_page = getattr(request, "help_page", None) or "index"
    context: dict[str, Any] = {
        "help_url": reverse("help:page", kwargs={"page": help_page}),
        "current_access": access,
        "current_company": access.company if access else None,
    }
    if user is not None and user.is_authenticated:
        context["memberships"] = SimpleLazyObject(lambda: user_memberships(user))
    if access is not None:
        context["menu"] = SimpleLazyObject(lambda: _menu(access))
        context["active_module"] = getattr(request, "module_key", None)
    return context
