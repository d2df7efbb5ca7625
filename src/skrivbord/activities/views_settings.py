"""Activity settings for administrators: the activity types, the resources and the working
hours. Everything is written through the services (activity_type_create/update,
resource_create/update, working_hours_set); users and read-only members get 403 (the
module's "configure" right), non-members 404.

A type or resource is never deleted here: activities refer to it. It is deactivated, which
hides it from new activities and keeps the old ones as they are."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from skrivbord.activities import selectors, services
from skrivbord.activities.models import ResourceKind, ShowsIn
from skrivbord.core.access import CompanyAccess
from skrivbord.core.web import company_view, render_page


class _ColourInput(forms.TextInput):
    input_type = "color"


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class TypeForm(forms.Form):
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=40,
        help_text=gettext_lazy(
            "A short fixed name (letters, digits, hyphens) used by the API; it cannot be "
            "changed later."
        ),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100, required=False)
    shows_in = forms.ChoiceField(label=gettext_lazy("Shows in"), choices=ShowsIn.choices)
    colour = forms.CharField(
        label=gettext_lazy("Colour"), max_length=7, initial="#2f6fb0", widget=_ColourInput()
    )
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=32767)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, fixed_key: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_key:
            # The key is stable once made: shown, never posted back.
            del self.fields["key"]


class ResourceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ResourceKind.choices)
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def _weekday_choices() -> list[tuple[str, str]]:
    from django.utils.dates import WEEKDAYS

    return [(str(day + 1), str(WEEKDAYS[day])) for day in range(7)]


class WorkingHoursForm(forms.Form):
    weekdays = forms.MultipleChoiceField(
        label=gettext_lazy("Working days"),
        choices=_weekday_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    day_start = forms.TimeField(label=gettext_lazy("Day starts"), widget=_TimeInput())
    day_end = forms.TimeField(label=gettext_lazy("Day ends"), widget=_TimeInput())
    lunch_start = forms.TimeField(
        label=gettext_lazy("Lunch starts"), required=False, widget=_TimeInput()
    )
    lunch_end = forms.TimeField(
        label=gettext_lazy("Lunch ends"), required=False, widget=_TimeInput()
    )


def _configure(access: CompanyAccess) -> None:
    access.require("activities", "configure")


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def _working_hours_initial(access: CompanyAccess) -> dict[str, Any]:
    hours = selectors.working_hours(access)
    return {
        "weekdays": [str(day + 1) for day in sorted(hours.weekdays)],
        "day_start": hours.day_start,
        "day_end": hours.day_end,
        "lunch_start": hours.lunch_start,
        "lunch_end": hours.lunch_end,
    }


@company_view(module="activities")
def settings_page(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _configure(access)
    hours = selectors.working_hours(access)
    names = dict(_weekday_choices())
    return render_page(
        request,
        "activities/settings.html",
        {
            "company": access.company,
            "types": selectors.activity_type_list(access=access, active=None),
            "resources": selectors.resource_list(access=access, active=None),
            "hours": hours,
            "working_days": [names[str(day + 1)] for day in sorted(hours.weekdays)],
        },
    )


def _settings_redirect(access: CompanyAccess, anchor: str) -> HttpResponse:
    response = redirect("activities:settings", company_id=access.company.id)
    response["Location"] += f"#{anchor}"
    return response


def _edit_page(
    request: HttpRequest, access: CompanyAccess, form: forms.Form, title: str, **extra: Any
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render_page(
        request,
        "activities/settings_form.html",
        {"company": access.company, "form": form, "title": title, **extra},
        status=status,
    )


def _saved(
    request: HttpRequest,
    access: CompanyAccess,
    form: forms.Form,
    save: Callable[[dict[str, Any]], str],
    section: str,
) -> HttpResponse | None:
    """A posted form saved through `save` (which returns the message to show): the way
    back to the settings, or None when the form must be shown again with its errors."""
    if not form.is_valid():
        return None
    try:
        message = save(form.cleaned_data)
    except ValidationError as error:
        _errors_onto(form, error)
        return None
    messages.success(request, message)
    return _settings_redirect(access, section)


@company_view(module="activities")
def type_create(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _configure(access)
    title = _("New activity type")
    if request.method == "POST":
        form = TypeForm(request.POST)

        def create(data: dict[str, Any]) -> str:
            made = services.activity_type_create(access=access, **data)
            return _("The activity type %(name)s is saved.") % {"name": made.display_name}

        return _saved(request, access, form, create, "types") or _edit_page(
            request, access, form, title
        )
    next_order = (
        max((t.order for t in selectors.activity_type_list(access=access, active=None)), default=0)
        + 10
    )
    form = TypeForm(initial={"order": min(next_order, 32767), "shows_in": ShowsIn.CALENDAR})
    return _edit_page(request, access, form, title)


@company_view(module="activities")
def type_edit(request: HttpRequest, access: CompanyAccess, type_id: uuid.UUID) -> HttpResponse:
    _configure(access)
    activity_type = selectors.activity_type_get(access=access, type_id=type_id)
    title = _("Edit %(name)s") % {"name": activity_type.display_name}
    extra = {"fixed_key": activity_type.key, "is_type": True}
    if request.method == "POST":
        form = TypeForm(request.POST, fixed_key=True)

        def update(data: dict[str, Any]) -> str:
            services.activity_type_update(access=access, activity_type=activity_type, **data)
            return _("The activity type %(name)s is saved.") % {"name": activity_type.display_name}

        return _saved(request, access, form, update, "types") or _edit_page(
            request, access, form, title, **extra
        )
    form = TypeForm(
        fixed_key=True,
        initial={
            "name": activity_type.name,
            "shows_in": activity_type.shows_in,
            "colour": activity_type.colour,
            "order": activity_type.order,
            "is_active": activity_type.is_active,
        },
    )
    return _edit_page(request, access, form, title, **extra)


@company_view(module="activities")
def resource_create(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _configure(access)
    title = _("New resource")
    if request.method == "POST":
        form = ResourceForm(request.POST)

        def create(data: dict[str, Any]) -> str:
            made = services.resource_create(access=access, **data)
            return _("The resource %(name)s is saved.") % {"name": made.name}

        return _saved(request, access, form, create, "resources") or _edit_page(
            request, access, form, title
        )
    return _edit_page(request, access, ResourceForm(initial={"kind": ResourceKind.ROOM}), title)


@company_view(module="activities")
def resource_edit(
    request: HttpRequest, access: CompanyAccess, resource_id: uuid.UUID
) -> HttpResponse:
    _configure(access)
    resource = selectors.resource_get(access=access, resource_id=resource_id)
    title = _("Edit %(name)s") % {"name": resource.name}
    if request.method == "POST":
        form = ResourceForm(request.POST)

        def update(data: dict[str, Any]) -> str:
            services.resource_update(access=access, resource=resource, **data)
            return _("The resource %(name)s is saved.") % {"name": resource.name}

        return _saved(request, access, form, update, "resources") or _edit_page(
            request, access, form, title, is_resource=True
        )
    form = ResourceForm(
        initial={"name": resource.name, "kind": resource.kind, "is_active": resource.is_active}
    )
    return _edit_page(request, access, form, title, is_resource=True)


@company_view(module="activities")
def working_hours(request: HttpRequest, access: CompanyAccess) -> HttpResponse:
    _configure(access)
    title = _("Working hours")
    if request.method == "POST":
        form = WorkingHoursForm(request.POST)

        def save(data: dict[str, Any]) -> str:
            services.working_hours_set(
                access=access,
                weekdays=[int(day) for day in data["weekdays"]],
                day_start=data["day_start"],
                day_end=data["day_end"],
                lunch_start=data.get("lunch_start"),
                lunch_end=data.get("lunch_end"),
            )
            return _("The working hours are saved.")

        return _saved(request, access, form, save, "hours") or _edit_page(
            request, access, form, title, is_hours=True
        )
    return _edit_page(
        request,
        access,
        WorkingHoursForm(initial=_working_hours_initial(access)),
        title,
        is_hours=True,
    )
