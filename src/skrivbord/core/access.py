"""Tenant access by construction.

Views and API endpoints never look up business rows directly. They get a CompanyAccess from
`company_access()`, which checks that the user is a member of the company and holds the right
for the module, and hand it to the app's selectors and services, which filter by its company.
A user who is not a member gets 404 (the company's existence is not revealed); a member
without the right gets 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from skrivbord.core import registry
from skrivbord.core.models import Company, Membership, Role, User


class KeptElsewhere(PermissionDenied):
    """A write refused because the other node owns this data (its sync direction)."""

    def __init__(self, node: str) -> None:
        if node == "online":
            message = _(
                "This information is kept in the office's business system and synchronised "
                "here. Change it in the office; the change then reaches the online desktop."
            )
        else:
            message = _(
                "This information is kept in the online desktop and synchronised here. "
                "Change it there; the change then reaches the office."
            )
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CompanyAccess:
    user: User
    company: Company
    membership: Membership

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_admin(self) -> bool:
        return self.membership.role == Role.ADMINISTRATOR

    def has(self, module_key: str, permission: str = "view") -> bool:
        if not company_module_enabled(self.company, module_key):
            return False
        module = registry.get(module_key)
        if permission not in module.permissions:
            return False
        if permission != "view" and registry.module_read_only_on(module, settings.NODE):
            return False
        if permission in module.admin_permissions:
            return self.is_admin
        if self.membership.role == Role.READ_ONLY:
            return permission == "view"
        return True

    def can_write(self, module_key: str) -> bool:
        return self.has(module_key, "change")

    def require(self, module_key: str, permission: str = "view") -> None:
        if not self.has(module_key, permission):
            if (
                permission != "view"
                and self.has(module_key, "view")
                and registry.module_read_only_on(registry.get(module_key), settings.NODE)
            ):
                raise KeptElsewhere(settings.NODE)
            raise PermissionDenied(permission)


def company_module_enabled(company: Company, module_key: str) -> bool:
    """All modules are enabled for now; the licence issue decides this per company."""
    return module_key in {module.key for module in registry.all_modules()}


def company_access(
    user: User, company_id: uuid.UUID | str, *, module: str | None = None, write: bool = False
) -> CompanyAccess:
    """The user's access to a company, or 404 if the user is not one of its members."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    try:
        company_uuid = company_id if isinstance(company_id, uuid.UUID) else uuid.UUID(company_id)
    except (ValueError, TypeError) as error:
        raise Http404 from error
    membership = (
        Membership.objects.select_related("company")
        .filter(user=user, company_id=company_uuid)
        .first()
    )
    if membership is None:
        raise Http404
    access = CompanyAccess(user=user, company=membership.company, membership=membership)
    if module is not None:
        access.require(module, "change" if write else "view")
    return access


def user_memberships(user: User) -> list[Membership]:
    return list(
        Membership.objects.filter(user=user).select_related("company").order_by("company__name")
    )


def staff_access(user: User, company: Company) -> CompanyAccess:
    """Access for Django's admin site: staff acting on a company they are rarely members of.

    The admin's own permission checks have already decided what the staff user may change;
    this only gives the services the CompanyAccess they require (an unsaved administrator
    membership that grants nothing anywhere else).
    """
    if not (user.is_active and user.is_staff):
        raise PermissionDenied("staff only")
    membership = Membership(user=user, company=company, role=Role.ADMINISTRATOR)
    return CompanyAccess(user=user, company=company, membership=membership)
