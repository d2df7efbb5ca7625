"""Django admin for contacts. Every write goes through the services, like any other write path,
so an edit made here is validated the same way and reaches sync change capture."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Field, Model, QuerySet, URLField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from skrivbord.contacts import selectors, services
from skrivbord.contacts.models import Contact, ContactPerson
from skrivbord.core.access import CompanyAccess, staff_access
from skrivbord.core.models import Company, User
from skrivbord.core.validators import normalize_org_number, normalize_vat_number


def _admin_access(request: HttpRequest, company: Company) -> CompanyAccess:
    user = request.user
    assert isinstance(user, User)
    return staff_access(user, company)


def _copy_into(source: Model, target: Model) -> None:
    """Make the admin's unsaved instance the row the service wrote (its id, timestamps)."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


def _formfield(db_field: Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    # Web addresses typed without a scheme are https (Django 6's default, asked for now).
    if isinstance(db_field, URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class ContactAdminForm(forms.ModelForm):
    """Checks what the services check, so a service never refuses a form the admin accepted."""

    class Meta:
        model = Contact
        fields = ["company", *services.CONTACT_FIELDS]
        formfield_callback = _formfield

    def clean_org_number(self) -> str:
        return normalize_org_number(self.cleaned_data.get("org_number") or "")

    def clean_vat_number(self) -> str:
        return normalize_vat_number(self.cleaned_data.get("vat_number") or "")


class ContactPersonAdminForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = list(services.PERSON_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.cleaned_data.get("DELETE") and not (
            cleaned.get("first_name") or cleaned.get("last_name")
        ):
            raise ValidationError({"last_name": [_("A contact person needs a name.")]})
        return cleaned


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    form = ContactPersonAdminForm
    fields = list(services.PERSON_FIELDS)
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    inlines = [ContactPersonInline]
    list_display = [
        "name",
        "company",
        "kind",
        "org_number",
        "postal_city",
        "is_customer",
        "is_supplier",
        "is_active",
    ]
    list_filter = ["company", "kind", "is_customer", "is_supplier", "is_active"]
    search_fields = ["name", "org_number"]
    list_select_related = ["company"]
    readonly_fields = ["id", "created_at", "updated_at"]

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Contact | None = None) -> list[str]:
        # A contact never moves to another company.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "company"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Contact, form: Any, change: bool) -> None:
        values = {
            name: form.cleaned_data[name]
            for name in services.CONTACT_FIELDS
            if name in form.cleaned_data
        }
        if change:
            access = _admin_access(request, obj.company)
            # `obj` already carries the form's values; the service needs the stored row to
            # see what changed.
            current = selectors.contact_get(access=access, contact_id=obj.pk)
            saved = services.contact_update(access=access, contact=current, **values)
        else:
            access = _admin_access(request, form.cleaned_data["company"])
            saved = services.contact_create(access=access, **values)
        _copy_into(saved, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ContactPerson:
            super().save_formset(request, form, formset, change)
            return
        contact: Contact = form.instance
        access = _admin_access(request, contact.company)
        formset.save(commit=False)  # sorts the rows into new, changed and deleted; writes nothing

        def stored(person: ContactPerson) -> ContactPerson:
            return selectors.contact_person_get(access=access, contact=contact, person_id=person.pk)

        def values(person: ContactPerson) -> dict[str, Any]:
            return {name: getattr(person, name) for name in services.PERSON_FIELDS}

        for person in formset.deleted_objects:
            services.contact_person_delete(access=access, person=stored(person))
        for person, _changed in formset.changed_objects:
            services.contact_person_update(access=access, person=stored(person), **values(person))
        for person in formset.new_objects:
            created = services.contact_person_create(
                access=access, contact=contact, **values(person)
            )
            _copy_into(created, person)

    def delete_model(self, request: HttpRequest, obj: Contact) -> None:
        try:
            services.contact_delete(access=_admin_access(request, obj.company), contact=obj)
        except services.ContactInUse as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        for contact in queryset.select_related("company"):
            self.delete_model(request, contact)
