"""Pairing and disconnecting in the sync API (online node).

`POST /api/v1/sync/pair` needs no other authentication: the single-use pairing token in its
body is the authority. Failed token attempts are limited per client address (10 in 10
minutes), so tokens cannot be guessed, not even slowly. `POST /api/v1/sync/disconnect` is
called by the office with its sync credential and removes the online copy of that
credential's company.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from skrivbord.core.proxy import client_ip
from skrivbord.sync import pairing
from skrivbord.sync.auth import SYNC_CREDENTIAL
from skrivbord.sync.models import SyncCredential

router = Router(tags=["sync"])

PAIR_FAILURE_LIMIT = 10
PAIR_FAILURE_WINDOW = 10 * 60  # seconds


class DetailOut(Schema):
    detail: str = Field(description="What went wrong, in words the person can act on.")


class PairIn(Schema):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(max_length=200, description="The pairing token (skp_...).")
    office_company_id: uuid.UUID = Field(description="The company's id on the office node.")
    office_node_id: uuid.UUID = Field(description="The office node's id.")
    office_company_name: str = Field("", max_length=200)
    office_org_number: str = Field(
        "",
        max_length=20,
        description="If both sides have one, they must be the same company's.",
    )


class PairOut(Schema):
    credential: str = Field(
        description="The sync credential (sks_...) for Authorization: Bearer. Shown only once."
    )
    online_company_id: uuid.UUID
    online_company_name: str
    online_node_id: uuid.UUID
    epoch: uuid.UUID = Field(description="The online database's epoch (restore detection).")


class DisconnectOut(Schema):
    detail: str
    deleted: dict[str, int] = Field(
        description="Rows of the online copy removed, per synchronised model."
    )


def _client(request: HttpRequest) -> str:
    if getattr(settings, "BEHIND_PROXY", False):
        return client_ip(request)
    return str(request.META.get("REMOTE_ADDR", ""))


def _failures_key(request: HttpRequest) -> str:
    return f"skrivbord:sync-pair-failures:{_client(request)}"


def _record_failure(request: HttpRequest) -> None:
    key = _failures_key(request)
    if not cache.add(key, 1, timeout=PAIR_FAILURE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.set(key, 1, timeout=PAIR_FAILURE_WINDOW)


@router.post(
    "/pair",
    auth=None,
    response={200: PairOut, 401: DetailOut, 409: DetailOut, 410: DetailOut, 429: DetailOut},
    summary="Pair an office company with this online company",
    description=(
        "Trades a single-use pairing token (made by an administrator on the online desktop) "
        "for the company's sync credential and links the two companies. 401: unknown token; "
        "410: used or expired; 409: the online company is already connected (disconnect "
        "first) or the organisation numbers differ; 429: too many failed attempts from this "
        "address."
    ),
    operation_id="sync_pair",
)
def pair(request: HttpRequest, body: PairIn, response: HttpResponse) -> Status:
    failures = cache.get(_failures_key(request), 0)
    if failures >= PAIR_FAILURE_LIMIT:
        response["Retry-After"] = str(PAIR_FAILURE_WINDOW)
        return Status(
            429,
            {
                "detail": _(
                    "Too many failed pairing attempts from this address. Wait 10 minutes "
                    "and try again."
                )
            },
        )
    try:
        result = pairing.pairing_exchange(
            secret=body.token,
            office_company_id=body.office_company_id,
            office_node_id=body.office_node_id,
            office_company_name=body.office_company_name,
            office_org_number=body.office_org_number,
        )
    except pairing.PairingRefused as refused:
        if refused.counts_as_failed_attempt:
            _record_failure(request)
        return Status(refused.status, {"detail": refused.message})
    company = result.link.company
    return Status(
        200,
        {
            "credential": result.secret,
            "online_company_id": company.id,
            "online_company_name": company.name,
            "online_node_id": result.node.node_id,
            "epoch": result.node.epoch,
        },
    )


@router.post(
    "/disconnect",
    auth=SYNC_CREDENTIAL,
    response={200: DisconnectOut, 401: DetailOut, 429: DetailOut},
    summary="Disconnect: remove the online copy of the credential's company",
    description=(
        "Deletes the online copy of the company's synchronised data, its sync state and its "
        "link, and revokes the credential. The company, its users and their access stay. "
        "The company is the credential's; no other company can be reached."
    ),
    operation_id="sync_disconnect",
)
def disconnect(request: HttpRequest) -> Status:
    credential: SyncCredential = request.auth  # type: ignore[attr-defined]
    deleted = pairing.online_disconnect(company=credential.company)
    return Status(
        200,
        {
            "detail": _("The online copy of %(name)s is removed and the connection ended.")
            % {"name": credential.company.name},
            "deleted": deleted,
        },
    )
