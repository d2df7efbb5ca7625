"""The contacts screens: list with search and filters, detail, forms, delete, contact persons.

Views read through selectors and write through services; they never touch the models'
managers, so tenant isolation and sync change capture cannot be bypassed from here.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from skrivbord.contacts import selectors, services
from skrivbord.contacts.forms import ContactForm, ContactPersonForm, country_name
from skrivbord.contacts.models import Contact, ContactKind
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page

_YES_NO = {"yes": True, "no": False}
# Clickable column headers: column -> sort key in selectors.SORTS.
SORTABLE_COLUMNS = ("name", "org_number", "city")


def _yes_no(value: str | None) -> bool | None:
    return _YES_NO.get(value or "")


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string; unknown values mean "no filter"."""
    active = request.GET.get("active") or "yes"
    if active not in {"yes", "no", "all"}:
        active = "yes"
    kind = request.GET.get("kind") or ""
    if kind not in ContactKind.values:
        kind = ""
    sort = request.GET.get("sort") or selectors.DEFAULT_SORT
    if sort not in selectors.SORTS:
        sort = selectors.DEFAULT_SORT
    return {
        "q": (request.GET.get("q") or "").strip()[:200],
        "customer": request.GET.get("customer")
        if _yes_no(request.GET.get("customer")) is not None
        else "",
        "supplier": request.GET.get("supplier")
        if _yes_no(request.GET.get("supplier")) is not None
        else "",
        "active": active,
        "kind": kind,
        "sort": sort,
    }


def _sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """Per column: the sort a click asks for (toggling the current one) and the aria-sort."""
    headers = {}
    for column in SORTABLE_COLUMNS:
        if sort == column:
            headers[column] = {"next": f"-{column}", "aria": "ascending"}
        elif sort == f"-{column}":
            headers[column] = {"next": column, "aria": "descending"}
        else:
            headers[column] = {"next": column, "aria": "none"}
    return headers


@company_view(module="contacts")
def contact_list(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    filters = _list_filters(request)
    contacts = selectors.contact_list(
        access=access,
        search=filters["q"],
        customer=_yes_no(filters["customer"]),
        supplier=_yes_no(filters["supplier"]),
        active={"yes": True, "no": False}.get(filters["active"]),
        kind=filters["kind"] or None,
        sort=filters["sort"],
    )
    page = Paginator(contacts, settings.CONTACTS_PAGE_SIZE).get_page(request.GET.get("page"))
    filtered = bool(
        filters["q"]
        or filters["customer"]
        or filters["supplier"]
        or filters["kind"]
        or filters["active"] != "yes"
    )
    # Only an empty page needs to know whether the company has any contact at all.
    has_any = True
    if not page.object_list:
        has_any = selectors.contact_list(access=access, active=None).exists()
    context = {
        "page": page,
        "contacts": page.object_list,
        "filters": filters,
        "filtered": filtered,
        "has_any": has_any,
        "headers": _sort_headers(filters["sort"]),
        "can_write": access.can_write("contacts"),
        "company": access.company,
        "kinds": ContactKind.choices,
    }
    response = render_page(request, "contacts/list.html", context, partial="results")
    # The same URL answers htmx with a fragment and browsers with a page: caches must tell.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError under the form fields it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def _contact_values(form: ContactForm) -> dict[str, Any]:
    return {
        name: form.cleaned_data[name] for name in form.fields if name in services.CONTACT_FIELDS
    }


def _form_page(
    request: HttpRequest,
    access: CompanyAccess,
    form: forms.Form,
    *,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render_page(
        request,
        "contacts/form.html",
        {"form": form, "company": access.company, **extra},
        status=status,
    )


@company_view(module="contacts", write=True)
def contact_create(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact = services.contact_create(access=access, **_contact_values(form))
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("The contact %(name)s is created.") % {"name": contact.name}
                )
                return redirect(
                    "contacts:detail", company_id=access.company.id, contact_id=contact.id
                )
        return _form_page(request, access, form, status=400, title=_("New contact"))
    return _form_page(request, access, ContactForm(), title=_("New contact"))


@company_view(module="contacts")
def contact_detail(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    persons = selectors.contact_person_list(access=access, contact=contact)
    return render_page(
        request,
        "contacts/detail.html",
        {
            "contact": contact,
            "persons": persons,
            "company": access.company,
            "can_write": access.can_write("contacts"),
            "postal_country": _foreign_country(contact.postal_country),
            "visiting_country": _foreign_country(contact.visiting_country),
            "website_safe": contact.website.lower().startswith(("http://", "https://")),
        },
    )


def _foreign_country(code: str) -> str:
    """The country's name for an address abroad; a Swedish address does not repeat it."""
    return "" if code == "SE" else country_name(code)


@company_view(module="contacts", write=True)
def contact_edit(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    initial = ContactForm.initial_for(contact)
    extra: dict[str, Any] = {
        "title": _("Edit %(name)s") % {"name": contact.name},
        "contact": contact,
    }
    if request.method == "POST":
        form = ContactForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.contact_update(access=access, contact=contact, **_contact_values(form))
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("The contact %(name)s is saved.") % {"name": contact.name}
                )
                return redirect(
                    "contacts:detail", company_id=access.company.id, contact_id=contact.id
                )
        return _form_page(request, access, form, status=400, **extra)
    return _form_page(request, access, ContactForm(initial=initial), **extra)


@company_view(module="contacts", write=True)
def contact_delete(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID
) -> HttpResponse:
    """Confirm, then delete. A contact in use cannot be deleted; as in Mamut, the page offers
    to deactivate it instead, which hides it from lists but keeps what refers to it intact."""
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    usages = selectors.contact_usages(contact=contact)
    status = 200
    if request.method == "POST" and not usages:
        try:
            services.contact_delete(access=access, contact=contact)
        except services.ContactInUse as error:
            usages = error.usages
        else:
            messages.success(
                request, _("The contact %(name)s is deleted.") % {"name": contact.name}
            )
            return redirect("contacts:list", company_id=access.company.id)
    if request.method == "POST":
        status = 409  # refused: the contact is in use
    return render_page(
        request,
        "contacts/delete.html",
        {
            "contact": contact,
            "usages": usages,
            "company": access.company,
            "person_count": selectors.contact_person_list(access=access, contact=contact).count(),
        },
        status=status,
    )


@company_view(module="contacts")
@require_POST
def contact_set_active(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    active = request.POST.get("active") == "1"
    services.contact_set_active(access=access, contact=contact, active=active)
    if active:
        messages.success(
            request, _("The contact %(name)s is active again.") % {"name": contact.name}
        )
    else:
        messages.success(
            request,
            _(
                "The contact %(name)s is deactivated: it no longer shows in lists and searches "
                "unless you ask for inactive contacts."
            )
            % {"name": contact.name},
        )
    return redirect("contacts:detail", company_id=access.company.id, contact_id=contact.id)


# --- Contact persons --------------------------------------------------------------------------


def _person_page(
    request: HttpRequest,
    access: CompanyAccess,
    contact: Contact,
    form: ContactPersonForm,
    *,
    title: str,
    status: int = 200,
) -> HttpResponse:
    return render_page(
        request,
        "contacts/person_form.html",
        {"form": form, "contact": contact, "company": access.company, "title": title},
        status=status,
    )


def _person_values(form: ContactPersonForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in form.fields if name in services.PERSON_FIELDS}


@company_view(module="contacts", write=True)
def person_create(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    title = _("New contact person at %(name)s") % {"name": contact.name}
    if request.method == "POST":
        form = ContactPersonForm(request.POST)
        if form.is_valid():
            try:
                person = services.contact_person_create(
                    access=access, contact=contact, **_person_values(form)
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is added as a contact person.") % {"name": person.full_name},
                )
                return redirect(
                    "contacts:detail", company_id=access.company.id, contact_id=contact.id
                )
        return _person_page(request, access, contact, form, title=title, status=400)
    return _person_page(request, access, contact, ContactPersonForm(), title=title)


@company_view(module="contacts", write=True)
def person_edit(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    person = selectors.contact_person_get(access=access, contact=contact, person_id=person_id)
    initial = ContactPersonForm.initial_for(person)
    title = _("Edit %(name)s") % {"name": person.full_name}
    if request.method == "POST":
        form = ContactPersonForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.contact_person_update(access=access, person=person, **_person_values(form))
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": person.full_name})
                return redirect(
                    "contacts:detail", company_id=access.company.id, contact_id=contact.id
                )
        return _person_page(request, access, contact, form, title=title, status=400)
    return _person_page(request, access, contact, ContactPersonForm(initial=initial), title=title)


@company_view(module="contacts", write=True)
def person_delete(
    request: HttpRequest, access: CompanyAccess, contact_id: uuid.UUID, person_id: uuid.UUID
) -> HttpResponse:
    contact = selectors.contact_get(access=access, contact_id=contact_id)
    person = selectors.contact_person_get(access=access, contact=contact, person_id=person_id)
    if request.method == "POST":
        services.contact_person_delete(access=access, person=person)
        messages.success(
            request, _("%(name)s is removed from the contact persons.") % {"name": person.full_name}
        )
        return redirect("contacts:detail", company_id=access.company.id, contact_id=contact.id)
    return render_page(
        request,
        "contacts/person_delete.html",
        {"contact": contact, "person": person, "company": access.company},
    )
