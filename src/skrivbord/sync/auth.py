"""Who is calling the sync API: the office's agent, with its company-scoped sync credential.

`Authorization: Bearer sks_...` resolves to the SyncCredential (`request.auth`); its
`.company` is the online company, and the sync endpoints take the company from there only,
never from the request, so a credential of company A can never reach company B.

A missing, unknown or revoked credential is refused with 401 and a message the agent can
show as it is. Each credential is rate limited (SYNC_RATE_LIMIT_PER_MINUTE, default 600; 0
turns it off) with Django's cache: a counter per credential and minute. The default cache
(LocMemCache) counts per process, so with several web processes the effective limit is the
limit times the processes; configure a shared cache (CACHES) to make it exact. The cache
rather than the database: a counter row written on every request would compete with the
sync's own writes for SQLite's single writer lock, and a limit is allowed to be approximate.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from skrivbord.sync.models import SyncCredential
from skrivbord.sync.pairing import CREDENTIAL_PREFIX, hash_secret

DEFAULT_RATE_LIMIT_PER_MINUTE = 600


class SyncAuthFailed(HttpError):
    """401 with a message for the person running the agent.

    `headers` are meant for the response (the API's HttpError handler adds them).
    """

    def __init__(self, message: str) -> None:
        super().__init__(401, message)
        self.headers = {"WWW-Authenticate": 'Bearer realm="skrivbord sync"'}


class SyncRateLimited(HttpError):
    """429: too many requests with one credential; `wait` seconds until the next window."""

    def __init__(self, wait: float) -> None:
        self.wait = max(1, math.ceil(wait))
        super().__init__(
            429,
            _("Too many sync requests. Wait %(seconds)s seconds and try again.")
            % {"seconds": self.wait},
        )
        self.headers = {"Retry-After": str(self.wait)}


def rate_limit_per_minute() -> int:
    return int(getattr(settings, "SYNC_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE))


def check_rate(credential: SyncCredential, *, now: float | None = None) -> None:
    """Count one request for the credential in the current minute; raise above the limit.

    A fixed window per minute: simple, one cache operation, and at most twice the limit
    across a window boundary, which is fine for a guard against a runaway agent.
    """
    limit = rate_limit_per_minute()
    if limit <= 0:
        return
    now = time.time() if now is None else now
    window = int(now // 60)
    key = f"skrivbord:sync-rate:{credential.id}:{window}"
    # add() is a no-op if the counter exists; incr() is atomic in every shared cache backend.
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        raise SyncRateLimited(wait=60 - now % 60)


def credential_authenticate(secret: str) -> SyncCredential:
    """The active credential for a secret, or SyncAuthFailed with the reason."""
    secret = secret.strip()
    credential = None
    if secret.startswith(CREDENTIAL_PREFIX):
        credential = (
            SyncCredential.objects.select_related("company")
            .filter(key_hash=hash_secret(secret))
            .first()
        )
    if credential is None:
        raise SyncAuthFailed(
            _(
                "The sync credential is not valid. Connect the company again with a new "
                "pairing token."
            )
        )
    if credential.revoked_at is not None:
        raise SyncAuthFailed(
            _("The sync credential was revoked; connect again with a new pairing token.")
        )
    return credential


def _touch(credential: SyncCredential) -> None:
    # At most one write a minute: the agent long-polls and pushes continuously.
    now = timezone.now()
    if credential.last_used_at is None or (now - credential.last_used_at).total_seconds() > 60:
        SyncCredential.objects.filter(id=credential.id).update(last_used_at=now)
        credential.last_used_at = now


class SyncCredentialAuth(HttpBearer):
    """`Authorization: Bearer sks_...` — the sync credential from pairing."""

    openapi_description = (
        "The company-scoped sync credential the office received when it was paired "
        "(POST /api/v1/sync/pair). Used by the sync agent only."
    )

    def __call__(self, request: HttpRequest) -> SyncCredential:
        # Every failure raises with its own message: ninja's generic 401 speaks of personal
        # API tokens, which would mislead the person reading the agent's log.
        scheme, _space, secret = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise SyncAuthFailed(
                _(
                    "No sync credential was sent. Send it as Authorization: Bearer <credential>;"
                    " the office receives it when it connects with a pairing token."
                )
            )
        return self.authenticate(request, secret)

    def authenticate(self, request: HttpRequest, token: str) -> SyncCredential:
        credential = credential_authenticate(token)
        check_rate(credential)
        _touch(credential)
        return credential


SYNC_CREDENTIAL = SyncCredentialAuth()
