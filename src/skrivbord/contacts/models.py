"""Contacts (Kontakter): organisations and persons that are customers and/or suppliers."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from skrivbord.core.models import TenantModel


class ContactKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")


class Contact(TenantModel):
    kind = models.CharField(
        _("kind"), max_length=20, choices=ContactKind.choices, default=ContactKind.ORGANISATION
    )
    name = models.CharField(_("name"), max_length=200)
    org_number = models.CharField(_("organisation number"), max_length=13, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    postal_street = models.CharField(_("postal address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    postal_city = models.CharField(_("city"), max_length=100, blank=True)
    postal_country = models.CharField(_("country"), max_length=2, default="SE")
    visiting_street = models.CharField(_("visiting address"), max_length=200, blank=True)
    visiting_postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    visiting_city = models.CharField(_("city"), max_length=100, blank=True)
    visiting_country = models.CharField(_("country"), max_length=2, default="SE")
    notes = models.TextField(_("notes"), max_length=10_000, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["company", "name"], name="contact_company_name"),
            models.Index(Lower("name"), "company", name="contact_company_lname"),
            models.Index(fields=["company", "org_number"], name="contact_company_orgnr"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactPerson(TenantModel):
    """A person at an organisation (kontaktperson)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="persons")
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), max_length=10_000, blank=True)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
