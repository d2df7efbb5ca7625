"""Forms of the contacts UI.

Plain forms, not ModelForms: they only parse and check the input; the views hand
`cleaned_data` to the services, which are the one write path (see services.py). Field names
are the model's, so a service's ValidationError dict maps straight back onto the form.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from skrivbord.contacts.models import Contact, ContactKind, ContactPerson

DEFAULT_COUNTRY = "SE"
# Babel's territory list has two-letter codes that are not countries (regions, reserved
# codes); Kosovo (XK) stays because banks and the EU use it.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "ZZ"}
)


@lru_cache(maxsize=8)
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    try:
        territories = Locale.parse(language.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError):
        territories = Locale("en").territories
    countries = [
        (code, str(name))
        for code, name in territories.items()
        if isinstance(code, str)
        and len(code) == 2
        and code.isalpha()
        and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(countries, key=lambda country: country[1]))


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs in the active language, the company's own country first."""
    countries = _countries(get_language() or "sv")
    own = [pair for pair in countries if pair[0] == DEFAULT_COUNTRY]
    return own + [pair for pair in countries if pair[0] != DEFAULT_COUNTRY]


def country_name(code: str) -> str:
    return dict(_countries(get_language() or "sv")).get(code, code)


def _model_field(model: type[Contact] | type[ContactPerson], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _label(model: type[Contact] | type[ContactPerson], name: str) -> Any:
    # capfirst keeps the lazy verbose name lazy, so the label follows the request's language.
    return capfirst(_model_field(model, name).verbose_name)


def _max_length(model: type[Contact] | type[ContactPerson], name: str) -> int | None:
    return _model_field(model, name).max_length


def _text(
    model: type[Contact] | type[ContactPerson],
    name: str,
    *,
    required: bool = False,
    extra: int = 0,
    **attrs: Any,
) -> forms.CharField:
    """A text field with the model's label and max length (plus `extra` for input that the
    service normalises to a shorter stored form, such as "SE 5560 3607 9301")."""
    max_length = _max_length(model, name)
    widget_attrs = dict(attrs)
    if max_length is not None:
        widget_attrs["maxlength"] = str(max_length + extra)
    return forms.CharField(
        label=_label(model, name),
        max_length=None if max_length is None else max_length + extra,
        required=required,
        widget=forms.TextInput(attrs=widget_attrs),
    )


def _tel(
    model: type[Contact] | type[ContactPerson], name: str, autocomplete: str
) -> forms.CharField:
    field = _text(model, name, autocomplete=autocomplete, inputmode="tel")
    field.widget.input_type = "tel"
    return field


def _email(model: type[Contact] | type[ContactPerson]) -> forms.EmailField:
    return forms.EmailField(
        label=_label(model, "email"),
        max_length=_max_length(model, "email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


def _notes(model: type[Contact] | type[ContactPerson]) -> forms.CharField:
    return forms.CharField(
        label=_label(model, "notes"),
        max_length=_max_length(model, "notes"),
        required=False,
        strip=False,  # the service strips; keep the user's line breaks inside
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class CountryField(forms.ChoiceField):
    """A country as its two-letter code, shown by name in the active language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=country_choices, initial=DEFAULT_COUNTRY, **kwargs)


class ContactForm(forms.Form):
    """Everything of a contact but `is_active`, which the Deactivate/Activate buttons set."""

    # Basics
    name = _text(Contact, "name", required=True, autofocus=True, autocomplete="off")
    kind = forms.ChoiceField(
        label=_label(Contact, "kind"),
        choices=ContactKind.choices,
        initial=ContactKind.ORGANISATION,
        widget=forms.RadioSelect,
    )
    is_customer = forms.BooleanField(label=capfirst(_("customer")), required=False)
    is_supplier = forms.BooleanField(label=capfirst(_("supplier")), required=False)
    org_number = _text(Contact, "org_number", extra=4, autocomplete="off", spellcheck="false")
    vat_number = _text(Contact, "vat_number", extra=8, autocomplete="off", spellcheck="false")
    email = _email(Contact)
    phone = _tel(Contact, "phone", "tel")
    website = forms.URLField(
        label=_label(Contact, "website"),
        max_length=_max_length(Contact, "website"),
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    # Postal address
    postal_street = _text(Contact, "postal_street", autocomplete="off")
    postal_code = _text(Contact, "postal_code", autocomplete="off")
    postal_city = _text(Contact, "postal_city", autocomplete="off")
    postal_country = CountryField(label=_label(Contact, "postal_country"))
    # Visiting address
    visiting_street = _text(Contact, "visiting_street", autocomplete="off")
    visiting_postal_code = _text(Contact, "visiting_postal_code", autocomplete="off")
    visiting_city = _text(Contact, "visiting_city", autocomplete="off")
    visiting_country = CountryField(label=_label(Contact, "visiting_country"))
    # Notes
    notes = _notes(Contact)

    fieldsets = (
        (
            _("Basics"),
            (
                "name",
                "kind",
                "is_customer",
                "is_supplier",
                "org_number",
                "vat_number",
                "email",
                "phone",
                "website",
            ),
        ),
        (_("Postal address"), ("postal_street", "postal_code", "postal_city", "postal_country")),
        (
            _("Visiting address"),
            ("visiting_street", "visiting_postal_code", "visiting_city", "visiting_country"),
        ),
        (_("Notes"), ("notes",)),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_number"].help_text = _("For example 556036-0793.")
        self.fields["vat_number"].help_text = _("For example SE556036079301.")
        self.fields["postal_street"].label = _("Street or box")
        self.fields["visiting_street"].label = _("Street")
        # A code synchronised from elsewhere that is not in our list must survive an edit.
        for name in ("postal_country", "visiting_country"):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            current = self.initial.get(name)
            codes = {code for code, _name in country_choices()}
            if current and current not in codes:
                field.choices = [(current, current), *country_choices()]

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The bound fields per fieldset, for the template."""
        return [(str(legend), [self[name] for name in names]) for legend, names in self.fieldsets]

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in cls.base_fields}


class ContactPersonForm(forms.Form):
    first_name = _text(ContactPerson, "first_name", autofocus=True, autocomplete="off")
    last_name = _text(ContactPerson, "last_name", autocomplete="off")
    title = _text(ContactPerson, "title", autocomplete="off")
    email = _email(ContactPerson)
    phone = _tel(ContactPerson, "phone", "tel")
    mobile = _tel(ContactPerson, "mobile", "tel")
    notes = _notes(ContactPerson)

    @classmethod
    def initial_for(cls, person: ContactPerson) -> dict[str, Any]:
        return {name: getattr(person, name) for name in cls.base_fields}
