"""The activities screens: the list with filters and quick views, detail, forms, delete, and
"mark done" in one click (htmx swaps the row; without JavaScript the page reloads).

Views read through selectors and write through services, never through the models."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skrivbord.activities import selectors, services
from skrivbord.activities.forms import ActivityForm
from skrivbord.activities.models import Status
from skrivbord.contacts import selectors as contact_selectors
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, is_htmx, render_page


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string; unknown values mean "no filter"."""
    get = request.GET
    status = get.get("status") or ""
    view = get.get("view") or ""
    return {
        "q": (get.get("q") or "").strip()[:200],
        "from": _date(get.get("from")),
        "to": _date(get.get("to")),
        "status": status if status in Status.values else "",
        "type": (get.get("type") or "")[:40],
        "responsible": (get.get("responsible") or "")[:254],
        "contact": _uuid(get.get("contact")),
        "view": view if view in selectors.QUICK_VIEWS else "",
    }


def filtered_activities(request: HttpRequest, access: CompanyAccess) -> tuple[dict[str, Any], Any]:
    """The list's filters from the query string, and the activities they select, in order
    (the list and its .ics export)."""
    filters = _list_filters(request)
    activities = selectors.activity_list(
        access=access,
        filters=selectors.ActivityFilters(
            search=filters["q"],
            date_from=filters["from"],
            date_to=filters["to"],
            status=filters["status"],
            type_key=filters["type"],
            responsible=filters["responsible"],
            contact_id=filters["contact"],
            view=filters["view"],
        ),
    )
    return filters, selectors.activity_order(activities)


@company_view(module="activities")
def activity_list(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    filters, activities = filtered_activities(request, access)
    page = Paginator(activities, settings.CONTACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    contact = None
    if filters["contact"]:
        contact = (
            contact_selectors.contact_list(access=access, active=None)
            .filter(id=filters["contact"])
            .first()
        )
    context = {
        "page": page,
        "activities": page.object_list,
        "filters": filters,
        "filtered": any(filters.values()),
        "types": selectors.activity_type_list(access=access, active=None),
        "employees": selectors.employees(access=access),
        "statuses": Status.choices,
        "filter_contact": contact,
        "can_write": access.can_write("activities"),
        "company": access.company,
        "me": access.user.email.lower(),
    }
    response = render_page(request, "activities/list.html", context, partial="results")
    patch_vary_headers(response, ["HX-Request"])
    return response


def _apply_service_errors(form: ActivityForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def _form_page(
    request: HttpRequest,
    access: CompanyAccess,
    form: ActivityForm,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render_page(
        request,
        "activities/form.html",
        {"form": form, "company": access.company, **extra},
        status=status,
    )


@company_view(module="activities", write=True)
def activity_create(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    title = _("New activity")
    contact = None
    if contact_id := _uuid(request.GET.get("contact")):
        contact = contact_selectors.contact_get(access=access, contact_id=contact_id)
    if request.method == "POST":
        form = ActivityForm(request.POST, access=access)
        if form.is_valid():
            try:
                activity = services.activity_create(access=access, **form.values())
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("The activity %(subject)s is saved.") % {"subject": activity.subject}
                )
                back = request.GET.get("next") or ""
                if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
                    return redirect(back)  # the calendar it was planned from
                return redirect(
                    "activities:detail", company_id=access.company.id, activity_id=activity.id
                )
        return _form_page(request, access, form, status=400, title=title)
    initial: dict[str, Any] = {"responsible": access.user.email.lower()}
    if contact is not None:
        initial["contact"] = contact.id
    if start := request.GET.get("start"):
        initial["start"] = start
    initial |= calendar_slot_initial(request)
    form = ActivityForm(initial=initial, access=access, contact=contact)
    return _form_page(request, access, form, title=title)


@company_view(module="activities")
def activity_detail(
    request: HttpRequest, access: CompanyAccess, activity_id: uuid.UUID
) -> HttpResponse:
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    visible = selectors.can_see(activity, access)
    return render_page(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "visible": visible,
            "company": access.company,
            "can_write": access.can_write("activities") and visible,
            "people": {u.email.lower(): u for u in selectors.employees(access=access)},
        },
    )


def _details_or_403(access: CompanyAccess, activity: Any) -> None:
    if not selectors.can_see(activity, access):
        raise PermissionDenied(
            _(
                "This activity is private: only its responsible employee and participants "
                "can change it."
            )
        )


@company_view(module="activities", write=True)
def activity_edit(
    request: HttpRequest, access: CompanyAccess, activity_id: uuid.UUID
) -> HttpResponse:
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    _details_or_403(access, activity)
    title = _("Edit %(subject)s") % {"subject": activity.subject}
    initial = ActivityForm.initial_for(activity)
    if request.method == "POST":
        form = ActivityForm(request.POST, initial=initial, access=access)
        if form.is_valid():
            try:
                services.activity_update(access=access, activity=activity, **form.values())
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("The activity %(subject)s is saved.") % {"subject": activity.subject}
                )
                return redirect(
                    "activities:detail", company_id=access.company.id, activity_id=activity.id
                )
        return _form_page(request, access, form, status=400, title=title, activity=activity)
    form = ActivityForm(initial=initial, access=access, contact=activity.contact)
    return _form_page(request, access, form, title=title, activity=activity)


@company_view(module="activities", write=True)
def activity_delete(
    request: HttpRequest, access: CompanyAccess, activity_id: uuid.UUID
) -> HttpResponse:
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    _details_or_403(access, activity)
    if request.method == "POST":
        services.activity_delete(access=access, activity=activity)
        messages.success(
            request, _("The activity %(subject)s is deleted.") % {"subject": activity.subject}
        )
        return redirect("activities:list", company_id=access.company.id)
    return render_page(
        request, "activities/delete.html", {"activity": activity, "company": access.company}
    )


@company_view(module="activities")
@require_POST
def activity_done(
    request: HttpRequest, access: CompanyAccess, activity_id: uuid.UUID
) -> HttpResponse:
    """Mark done in one click: htmx gets the row back, a plain form post goes back."""
    activity = selectors.activity_get(access=access, activity_id=activity_id)
    _details_or_403(access, activity)
    services.activity_mark_done(access=access, activity=activity)
    if is_htmx(request):
        activity = selectors.activity_get(access=access, activity_id=activity_id)
        return render_page(
            request,
            "activities/list.html",
            {
                "activity": activity,
                "company": access.company,
                "can_write": True,
                "me": access.user.email.lower(),
            },
            partial="row",
        )
    messages.success(
        request, _("The activity %(subject)s is done.") % {"subject": activity.subject}
    )
    back = request.POST.get("next") or ""
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}):
        return redirect(back)
    return redirect("activities:list", company_id=access.company.id)


def calendar_slot_initial(request: HttpRequest) -> dict[str, Any]:
    """A slot clicked in the calendar: its end, and the person (responsible) or resource of
    its column (`?start=…&end=…&responsible=…` or `&resource=…`)."""
    initial: dict[str, Any] = {}
    if end := request.GET.get("end"):
        initial["end"] = end
    if responsible := request.GET.get("responsible"):
        initial["responsible"] = responsible.strip().lower()
    if resource := _uuid(request.GET.get("resource")):
        initial["resources"] = [resource]
    return initial
