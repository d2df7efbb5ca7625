"""Pairing an office company with its online counterpart, and ending that connection.

The online node hands out a single-use, expiring *pairing token* (an administrator makes it
on the connection page or with `skrivbord sync_token_create`). The office exchanges it once
at `POST /api/v1/sync/pair` for a company-scoped *sync credential*, which the agent then
sends on every sync request. Both secrets are 256-bit random strings stored as SHA-256, as
API tokens are.

Disconnecting removes the online copy of the company's synchronised data (never the company,
its users or their access) and both SyncLinks; the office data is never touched, so
connecting again later re-syncs the same ids without duplicates.

Errors say whether trying again later can help (`ConnectError.retryable`): an unreachable
online node can, a used pairing token cannot (the healthchecks transports shape).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from skrivbord.core import registry
from skrivbord.core.access import CompanyAccess
from skrivbord.core.models import Company
from skrivbord.core.validators import normalize_org_number
from skrivbord.sync import engine
from skrivbord.sync.models import (
    PairingToken,
    SyncApplying,
    SyncChange,
    SyncCredential,
    SyncLink,
    SyncNode,
    SyncParked,
    SyncRow,
)

PAIRING_PREFIX = "skp_"
CREDENTIAL_PREFIX = "sks_"
DEFAULT_TOKEN_TTL = timedelta(hours=24)
MAX_TOKEN_TTL = timedelta(days=7)
#: Seconds to wait for the online node when pairing or disconnecting.
REMOTE_TIMEOUT = 30.0


def hash_secret(secret: str) -> str:
    # 256-bit random secrets: a plain SHA-256 is enough (nothing to brute-force) and keeps the
    # lookup one indexed query.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


# --- Online node: pairing tokens -----------------------------------------------------------------


def pairing_token_create(
    *, access: CompanyAccess, ttl: timedelta = DEFAULT_TOKEN_TTL
) -> tuple[PairingToken, str]:
    """An administrator makes a pairing token; returns it and the secret (shown only once)."""
    if not access.is_admin:
        raise PermissionDenied("change")
    return pairing_token_issue(company=access.company, created_by=access.user.email, ttl=ttl)


def pairing_token_issue(
    *, company: Company, created_by: str, ttl: timedelta = DEFAULT_TOKEN_TTL
) -> tuple[PairingToken, str]:
    """Make a pairing token without a rights check: for operator commands only.

    The web path goes through `pairing_token_create`, which requires an administrator.
    """
    if settings.NODE != "online":
        raise ValidationError(
            _(
                "Pairing tokens are made on the online desktop (SKRIVBORD_NODE=online). "
                "This is an office node: connect it with a token made there."
            )
        )
    if not timedelta(minutes=5) <= ttl <= MAX_TOKEN_TTL:
        raise ValidationError(
            {"ttl": _("A pairing token is valid for at least 5 minutes and at most 7 days.")}
        )
    if SyncLink.objects.filter(company=company).exists():
        raise ValidationError(
            _(
                "%(name)s is already connected to an office. Disconnect it first; then make "
                "a new pairing token."
            )
            % {"name": company.name}
        )
    secret = PAIRING_PREFIX + secrets.token_urlsafe(32)
    token = PairingToken.objects.create(
        company=company,
        token_hash=hash_secret(secret),
        created_by=created_by[:254],
        expires_at=timezone.now() + ttl,
    )
    return token, secret


def pairing_tokens_pending(*, company: Company) -> int:
    return PairingToken.objects.filter(
        company=company, used_at__isnull=True, expires_at__gt=timezone.now()
    ).count()


# --- Online node: the exchange -------------------------------------------------------------------


class PairingRefused(Exception):
    """The online node refuses a pairing request; `status` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def counts_as_failed_attempt(self) -> bool:
        # Unknown, used and expired tokens are what someone guessing tokens produces; a valid
        # token for a company that is already connected is not.
        return self.status in {401, 410}


@dataclass(frozen=True)
class Pairing:
    credential: SyncCredential
    #: The credential's secret: returned to the office once, never stored here.
    secret: str
    link: SyncLink
    node: SyncNode


def _org_numbers_differ(online: str, office: str) -> bool:
    if not online or not office:
        return False
    try:
        return normalize_org_number(online) != normalize_org_number(office)
    except ValidationError:
        return online.strip() != office.strip()


def pairing_exchange(
    *,
    secret: str,
    office_company_id: uuid.UUID,
    office_node_id: uuid.UUID,
    office_company_name: str = "",
    office_org_number: str = "",
) -> Pairing:
    """Trade a pairing token for a sync credential and link the online company to the office.

    The token is claimed with a conditional UPDATE in the same transaction that creates the
    credential and the link, so two offices racing with one token cannot both succeed.
    """
    now = timezone.now()
    with transaction.atomic():
        token = (
            PairingToken.objects.select_for_update()
            .select_related("company")
            .filter(token_hash=hash_secret(secret.strip()))
            .first()
        )
        if token is None:
            raise PairingRefused(
                401,
                _(
                    "The pairing token is not valid. Check that it was copied whole, or make "
                    "a new one on the online desktop."
                ),
            )
        if token.used_at is not None:
            raise PairingRefused(
                410,
                _("The pairing token was already used. Make a new one on the online desktop."),
            )
        if token.expires_at <= now:
            raise PairingRefused(
                410, _("The pairing token has expired. Make a new one on the online desktop.")
            )
        company = token.company
        if SyncLink.objects.filter(company=company).exists():
            raise PairingRefused(
                409,
                _(
                    "%(name)s on the online desktop is already connected to an office; "
                    "disconnect first."
                )
                % {"name": company.name},
            )
        if _org_numbers_differ(company.org_number, office_org_number):
            # Sending one company's books into another company's online copy is the one
            # mistake pairing must never make.
            raise PairingRefused(
                409,
                _(
                    "The organisation numbers differ: %(office_name)s has %(office)s, but the "
                    "pairing token is for %(online_name)s with %(online)s. Use a pairing token "
                    "of the right company."
                )
                % {
                    "office_name": office_company_name or _("the office company"),
                    "office": office_org_number,
                    "online_name": company.name,
                    "online": company.org_number,
                },
            )
        claimed = PairingToken.objects.filter(id=token.id, used_at__isnull=True).update(used_at=now)
        if not claimed:
            raise PairingRefused(
                410,
                _("The pairing token was already used. Make a new one on the online desktop."),
            )
        # One link, one credential: anything left from an earlier connection stops working.
        SyncCredential.objects.filter(company=company, revoked_at__isnull=True).update(
            revoked_at=now
        )
        credential_secret = CREDENTIAL_PREFIX + secrets.token_urlsafe(32)
        credential = SyncCredential.objects.create(
            company=company,
            key_hash=hash_secret(credential_secret),
            prefix=credential_secret[:12],
            office_node_id=office_node_id,
        )
        link = SyncLink.objects.create(company=company, remote_company_id=office_company_id)
        node = engine.node()
    return Pairing(credential=credential, secret=credential_secret, link=link, node=node)


# --- Online node: credentials and ending the connection ------------------------------------------


def credential_active(*, company: Company) -> SyncCredential | None:
    return (
        SyncCredential.objects.filter(company=company, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def credential_revoke(*, credential: SyncCredential) -> SyncCredential:
    """Stop a credential from working; the agent then gets 401 and says so."""
    if credential.revoked_at is None:
        credential.revoked_at = timezone.now()
        credential.save(update_fields=["revoked_at"])
    return credential


def online_disconnect(*, company: Company) -> dict[str, int]:
    """Remove the online copy of a company's synchronised data and end its connection.

    Deletes every synchronised row of the company (children before parents), its version
    state, change log and parked rows, its SyncLink, and revokes its credentials. The
    company, its users and their memberships stay, and so do the sync history and the
    conflict log. Returns the number of rows deleted per synchronised model.

    No rights check: called by the disconnect endpoint (the office's credential is the
    authority) and by the connection page after its administrator check.
    """
    counts: dict[str, int] = {}
    now = timezone.now()
    with transaction.atomic():
        # The marker keeps the capture triggers quiet: these deletes are not changes to send
        # anywhere (the office keeps its data).
        marker = SyncApplying.objects.create()
        for synced in reversed(registry.synced_models()):
            model = apps.get_model(synced.label)
            _total, per_model = model._base_manager.filter(company_id=company.id).delete()
            counts[synced.label] = per_model.get(model._meta.label, 0)
        SyncRow.objects.filter(company_id=company.id).delete()
        SyncChange.objects.filter(company_id=company.id).delete()
        SyncParked.objects.filter(company=company).delete()
        SyncLink.objects.filter(company=company).delete()
        SyncCredential.objects.filter(company=company, revoked_at__isnull=True).update(
            revoked_at=now
        )
        marker.delete()
    return counts


# --- Office node: talking to the online node -----------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    #: The decoded JSON body, or None if the body was not JSON.
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


class RemoteUnreachable(Exception):
    """No HTTP answer at all: DNS, refused connection, timeout, TLS failure."""


PostJson = Callable[..., Reply]


def post_json(
    url: str,
    payload: Mapping[str, Any],
    *,
    timeout: float = REMOTE_TIMEOUT,
    bearer: str | None = None,
) -> Reply:
    """POST JSON and return the answer. The one place pairing does HTTP (tests replace it)."""
    headers = {"Accept-Language": translation.get_language() or settings.LANGUAGE_CODE}
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    try:
        # Redirects are not followed: a POST redirected from http to https would turn into a
        # GET; better to tell the person the right address.
        response = httpx.post(url, json=dict(payload), headers=headers, timeout=timeout)
    except httpx.HTTPError as error:
        raise RemoteUnreachable(str(error) or type(error).__name__) from error
    try:
        body = response.json()
    except ValueError:
        body = None
    return Reply(status=response.status_code, body=body, headers=dict(response.headers))


class ConnectError(Exception):
    """Connecting or disconnecting failed; `messages` are for the person, one per reason.

    `retryable`: trying again later may help (the online node was unreachable or busy).
    `unreachable`: no answer from the online node at all (disconnect offers to forget).
    """

    def __init__(
        self, messages: list[str], *, retryable: bool = False, unreachable: bool = False
    ) -> None:
        super().__init__(" ".join(messages))
        self.messages = messages
        self.retryable = retryable
        self.unreachable = unreachable


def normalize_url(url: str) -> str:
    """The online desktop's address without a trailing slash; only http(s) addresses."""
    url = url.strip().rstrip("/")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ConnectError(
            [_("Enter the online desktop's address, for example https://skrivbord.example.se.")]
        ) from error
    return url


def _remote_failure(url: str, reply: Reply) -> ConnectError:
    detail = reply.body.get("detail") if isinstance(reply.body, dict) else None
    if 300 <= reply.status < 400:
        location = reply.headers.get("location") or reply.headers.get("Location") or ""
        return ConnectError(
            [
                _("The address %(url)s redirects to %(location)s. Use that address instead.")
                % {"url": url, "location": location}
            ]
        )
    retryable = reply.status == 429 or reply.status >= 500
    if isinstance(detail, str) and detail:
        return ConnectError([detail], retryable=retryable)
    return ConnectError(
        [
            _(
                "The address %(url)s did not answer as a skrivbord online desktop "
                "(HTTP %(status)s). Check the address."
            )
            % {"url": url, "status": reply.status}
        ],
        retryable=retryable,
    )


def _unreachable(url: str, error: RemoteUnreachable) -> ConnectError:
    return ConnectError(
        [
            _(
                "The online desktop at %(url)s could not be reached (%(reason)s). Check the "
                "address and the network connection, and try again."
            )
            % {"url": url, "reason": error}
        ],
        retryable=True,
        unreachable=True,
    )


# --- Office node: connecting ---------------------------------------------------------------------


@dataclass(frozen=True)
class Prerequisite:
    """One thing that must be in place before connecting, in plain words."""

    key: str
    #: What must be true ("The phone number is filled in").
    label: str
    #: What is wrong when it is not ("The company's phone number is missing.").
    problem: str
    met: bool


def connect_prerequisites(
    *, company: Company, access: CompanyAccess | None = None
) -> list[Prerequisite]:
    """What Mamut's connection wizard checked: the company's details, and an administrator.

    `access` is the connecting person's (web UI); the command line is an operator's and has
    no person to check.
    """
    address = company.street.strip() and company.postal_code.strip() and company.city.strip()
    items = [
        Prerequisite(
            "name",
            _("The company has a name"),
            _("The company's name is missing."),
            bool(company.name.strip()),
        ),
        Prerequisite(
            "org_number",
            _("The organisation number is filled in"),
            _("The company's organisation number is missing."),
            bool(company.org_number.strip()),
        ),
        Prerequisite(
            "address",
            _("The postal address is filled in (street, postal code and city)"),
            _("The company's postal address is incomplete: street, postal code and city."),
            bool(address),
        ),
        Prerequisite(
            "phone",
            _("The phone number is filled in"),
            _("The company's phone number is missing."),
            bool(company.phone.strip()),
        ),
        Prerequisite(
            "email",
            _("The e-mail address is filled in"),
            _("The company's e-mail address is missing."),
            bool(company.email.strip()),
        ),
    ]
    if access is not None:
        items.append(
            Prerequisite(
                "admin",
                _("You are an administrator of the company"),
                _("Only an administrator of the company can connect it."),
                access.is_admin,
            )
        )
    return items


def licence_blocker(*, company: Company) -> Company | None:
    """Another company of this system database that is already connected, if any.

    The licence rule: one company database per system database may be connected to the
    online desktop (a later issue adds licence keys that allow more).
    """
    # Office links name the online node's address; links the online role keeps for its
    # companies have none and are not the office's connections.
    link = (
        SyncLink.objects.exclude(company=company)
        .exclude(remote_url="")
        .select_related("company")
        .first()
    )
    return link.company if link is not None else None


def _licence_message(other: Company) -> str:
    return _(
        "Only one company database per system database can be connected to the online "
        "desktop; disconnect %(name)s first or get a licence that allows more."
    ) % {"name": other.name}


def connect(
    *,
    company: Company,
    url: str,
    token: str,
    access: CompanyAccess | None = None,
    post: PostJson | None = None,
) -> SyncLink:
    """Connect an office company to its online counterpart with a pairing token.

    Checks the prerequisites and the licence rule first, then exchanges the token with the
    online node and stores the link. Any failure raises ConnectError and stores nothing.
    """
    if settings.NODE != "office":
        raise ConnectError(
            [
                _(
                    "Connecting is done on the office node (SKRIVBORD_NODE=office). This is "
                    "the online desktop: make a pairing token here instead."
                )
            ]
        )
    missing = [
        item.problem
        for item in connect_prerequisites(company=company, access=access)
        if not item.met
    ]
    if missing:
        raise ConnectError(missing)
    if SyncLink.objects.filter(company=company).exists():
        raise ConnectError(
            [
                _("%(name)s is already connected to the online desktop; disconnect first.")
                % {"name": company.name}
            ]
        )
    other = licence_blocker(company=company)
    if other is not None:
        raise ConnectError([_licence_message(other)])
    token = token.strip()
    if not token:
        raise ConnectError([_("Enter the pairing token made on the online desktop.")])
    url = normalize_url(url)

    node = engine.node()
    payload = {
        "token": token,
        "office_company_id": str(company.id),
        "office_node_id": str(node.node_id),
        "office_company_name": company.name,
        "office_org_number": company.org_number,
    }
    # No transaction is open during the call: the office keeps working while it waits.
    try:
        reply = (post or post_json)(f"{url}/api/v1/sync/pair", payload, timeout=REMOTE_TIMEOUT)
    except RemoteUnreachable as error:
        raise _unreachable(url, error) from error
    if reply.status != 200:
        raise _remote_failure(url, reply)
    answer = reply.body if isinstance(reply.body, dict) else {}
    try:
        credential = str(answer["credential"])
        remote_company_id = uuid.UUID(str(answer["online_company_id"]))
        remote_epoch = uuid.UUID(str(answer["epoch"]))
    except (KeyError, ValueError) as error:
        raise ConnectError(
            [
                _(
                    "The address %(url)s answered, but not as a skrivbord online desktop. "
                    "Check the address."
                )
                % {"url": url}
            ]
        ) from error

    try:
        with transaction.atomic():
            # Checked again: another connection may have been made while we waited.
            other = licence_blocker(company=company)
            if other is not None:
                raise ConnectError([_licence_message(other)])
            return SyncLink.objects.create(
                company=company,
                remote_company_id=remote_company_id,
                remote_url=url,
                credential=credential,
                remote_epoch=remote_epoch,
            )
    except IntegrityError as error:
        raise ConnectError(
            [
                _("%(name)s is already connected to the online desktop; disconnect first.")
                % {"name": company.name}
            ]
        ) from error


# --- Office node: disconnecting ------------------------------------------------------------------


@dataclass(frozen=True)
class Disconnected:
    #: Rows the online node removed per synchronised model (empty when it had already ended
    #: the connection on its side).
    removed_online: dict[str, int]
    #: The online node had already ended the connection (its credential was revoked).
    already_ended_online: bool = False


def disconnect(*, company: Company, post: PostJson | None = None) -> Disconnected:
    """End the connection from the office: the online copy is removed, the office data stays.

    Raises ConnectError if the online node cannot be reached or refuses; the link then stays,
    and `connection_forget` can drop it locally after a second confirmation.
    """
    link = SyncLink.objects.filter(company=company).first()
    if link is None:
        raise ConnectError(
            [_("%(name)s is not connected to the online desktop.") % {"name": company.name}]
        )
    url = link.remote_url
    try:
        reply = (post or post_json)(
            f"{url}/api/v1/sync/disconnect", {}, timeout=REMOTE_TIMEOUT, bearer=link.credential
        )
    except RemoteUnreachable as error:
        raise _unreachable(url, error) from error
    if reply.status == 401:
        # The credential no longer works: the online side has ended the connection already
        # (an administrator there disconnected), so there is nothing left to remove there.
        connection_forget(company=company)
        return Disconnected(removed_online={}, already_ended_online=True)
    if reply.status != 200:
        failure = _remote_failure(url, reply)
        failure.unreachable = failure.retryable
        raise failure
    removed = reply.body.get("deleted", {}) if isinstance(reply.body, dict) else {}
    connection_forget(company=company)
    return Disconnected(removed_online={str(k): int(v) for k, v in removed.items()})


def connection_forget(*, company: Company) -> bool:
    """Drop the office's link without asking the online node; the office data stays.

    The online copy then stays until an administrator there disconnects it.
    """
    deleted, _per_model = SyncLink.objects.filter(company=company).delete()
    return bool(deleted)
