"""The web layer's shared pieces: the company view decorator and htmx partial rendering."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess, company_access

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

View = TypeVar("View", bound=Callable[..., HttpResponse])


def company_view(
    *, module: str, help_page: str | None = None, write: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve `company_id` from the URL to a CompanyAccess and pass it to the view.

    Non-members get 404. Unsafe methods (and views marked write=True, such as the form for a
    new record) need the module's "change" right, else 403. Every screen names its help page.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(
            request: HttpRequest, company_id: Any, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            needs_write = write or request.method not in SAFE_METHODS
            access = company_access(
                cast(Any, request.user), company_id, module=module, write=needs_write
            )
            request.access = access  # type: ignore[attr-defined]
            request.module_key = module  # type: ignore[attr-defined]
            request.help_page = help_page or registry.get(module).help_page  # type: ignore[attr-defined]
            return view(request, access, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only the named partial when htmx asks for a fragment.

    This is the one place that decides between the two (the netbox utilities/htmx.py idea).
    """
    name = f"{template}#{partial}" if partial and is_htmx(request) else template
    return render(request, name, context, status=status)


def access_of(request: HttpRequest) -> CompanyAccess | None:
    return getattr(request, "access", None)
