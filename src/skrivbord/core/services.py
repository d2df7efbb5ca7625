"""Writes to companies, users, memberships and API tokens.

Companies, users and rights are not synchronised (DESIGN.md §2), but they still change only
through these functions, so every path (web, API, CLI, admin) behaves the same.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from skrivbord.core.models import ApiToken, Company, Language, Membership, Role, User
from skrivbord.core.validators import normalize_org_number

TOKEN_PREFIX = "skb_"  # noqa: S105 (a public prefix, not a secret)


def parse_address(value: str) -> dict[str, str]:
    """'Storgatan 1, 123 45 Stad' -> street, postal code and city (Swedish address order)."""
    street, _sep, rest = value.rpartition(",")
    if not _sep:
        return {"street": value.strip(), "postal_code": "", "city": ""}
    rest = rest.strip()
    parts = rest.split()
    # Swedish postal codes are five digits, usually written "123 45".
    digits: list[str] = []
    while parts and parts[0].isdigit() and len("".join(digits)) < 5:
        digits.append(parts.pop(0))
    return {"street": street.strip(), "postal_code": " ".join(digits), "city": " ".join(parts)}


@transaction.atomic
def company_create(
    *,
    name: str,
    org_number: str = "",
    email: str = "",
    phone: str = "",
    address: str = "",
    fiscal_year_start_month: int = 1,
    **fields: Any,
) -> Company:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("A company needs a name.")})
    errors: dict[str, list[str]] = {}
    try:
        org_number = normalize_org_number(org_number)
    except ValidationError as error:
        errors["org_number"] = list(error.messages)
    if not 1 <= fiscal_year_start_month <= 12:
        errors["fiscal_year_start_month"] = [_("The month must be between 1 and 12.")]
    if errors:
        raise ValidationError(errors)
    if address:
        fields.update(parse_address(address))
    company = Company(
        name=name,
        org_number=org_number,
        email=email.strip(),
        phone=phone.strip(),
        fiscal_year_start_month=fiscal_year_start_month,
        **fields,
    )
    company.full_clean()
    company.save()
    return company


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str,
    full_name: str = "",
    language: str = Language.SWEDISH,
    check_password: bool = True,
) -> User:
    email = User.objects.normalize_email(email.strip()).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("There is already a user with this e-mail address.")})
    candidate = User(email=email, full_name=full_name, language=language)
    candidate.full_clean(exclude=["password"])
    if check_password:
        validate_password(password, candidate)
    return User.objects.create_user(email, password, full_name=full_name, language=language)


@transaction.atomic
def membership_set(*, user: User, company: Company, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role: %(role)s.") % {"role": role}})
    membership, _created = Membership.objects.update_or_create(
        user=user, company=company, defaults={"role": role}
    )
    if user.default_company_id is None:
        user.default_company = company
        user.save(update_fields=["default_company"])
    return membership


def user_set_default_company(*, user: User, company_id: uuid.UUID) -> Company:
    membership = Membership.objects.select_related("company").get(user=user, company_id=company_id)
    user.default_company = membership.company
    user.save(update_fields=["default_company"])
    return membership.company


def user_set_language(*, user: User, language: str) -> None:
    if language not in Language.values:
        raise ValidationError({"language": _("Unknown language.")})
    user.language = language
    user.save(update_fields=["language"])


def _hash_token(secret: str) -> str:
    # Tokens are 256-bit random strings, so a plain SHA-256 suffices (no brute force is
    # feasible) and keeps authentication a single indexed lookup per request.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it and the secret, which is never stored and shown only once."""
    name = name.strip() or _("API token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], prefix=secret[:12], key_hash=_hash_token(secret)
    )
    return token, secret


def token_revoke(*, user: User, token_id: uuid.UUID) -> ApiToken:
    token = ApiToken.objects.get(user=user, id=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write last-use at most once a minute: a busy integration should not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user
