"""The sync credential: who may call the sync API, for which company, and how often."""

from __future__ import annotations

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpRequest
from django.test import override_settings
from django.utils import timezone
from ninja import Router
from ninja.testing import TestClient

from skrivbord.core.models import Company
from skrivbord.sync import pairing
from skrivbord.sync.auth import (
    SYNC_CREDENTIAL,
    SyncAuthFailed,
    SyncRateLimited,
    check_rate,
    credential_authenticate,
)
from skrivbord.sync.models import SyncCredential, SyncLink
from tests.sync.base import SyncTestCase

# A stand-in for the lead's sync endpoints: they take the company from request.auth only.
probe = Router()


@probe.get("/whoami", auth=SYNC_CREDENTIAL)
def whoami(request: HttpRequest) -> dict[str, str]:
    credential: SyncCredential = request.auth  # type: ignore[attr-defined]
    return {"company_id": str(credential.company.id), "company": credential.company.name}


def paired(company: Company, org_number: str = "") -> str:
    """Pair `company` (as the online company) with a made-up office; returns the secret."""
    _token, secret = pairing.pairing_token_issue(company=company, created_by="test")
    result = pairing.pairing_exchange(
        secret=secret,
        office_company_id=uuid.uuid4(),
        office_node_id=uuid.uuid4(),
        office_org_number=org_number,
    )
    return result.secret


class CredentialAuthTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.secret = paired(self.acme)
        self.probe = TestClient(probe)

    def bearer(self, secret: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {secret}"}

    def test_the_credential_resolves_to_its_own_company(self) -> None:
        umbrella_secret = paired(self.umbrella)
        acme = self.probe.get("/whoami", headers=self.bearer(self.secret))
        umbrella = self.probe.get("/whoami", headers=self.bearer(umbrella_secret))
        assert acme.json() == {"company_id": str(self.acme.id), "company": "Acme AB"}
        assert umbrella.json()["company_id"] == str(self.umbrella.id)

    def test_a_missing_credential_gets_401_with_an_explanation(self) -> None:
        response = self.client.post("/api/v1/sync/disconnect")
        assert response.status_code == 401
        assert "No sync credential was sent" in response.json()["detail"]

    def test_a_personal_api_token_is_not_a_sync_credential(self) -> None:
        from skrivbord.core.services import token_create

        _token, api_secret = token_create(user=self.alice, name="integration")
        response = self.client.post("/api/v1/sync/disconnect", headers=self.bearer(api_secret))
        assert response.status_code == 401
        assert "not valid" in response.json()["detail"]

    def test_a_wrong_credential_gets_401(self) -> None:
        response = self.client.post(
            "/api/v1/sync/disconnect", headers=self.bearer("sks_" + "A" * 43)
        )
        assert response.status_code == 401
        assert "Connect the company again with a new pairing token" in response.json()["detail"]

    def test_a_revoked_credential_gets_401_saying_so(self) -> None:
        pairing.credential_revoke(credential=SyncCredential.objects.get(company=self.acme))
        response = self.client.post("/api/v1/sync/disconnect", headers=self.bearer(self.secret))
        assert response.status_code == 401
        assert response.json()["detail"] == (
            "The sync credential was revoked; connect again with a new pairing token."
        )

    def test_a_new_pairing_revokes_the_previous_credential(self) -> None:
        pairing.online_disconnect(company=self.acme)
        new_secret = paired(self.acme)
        with pytest.raises(SyncAuthFailed, match="revoked"):
            credential_authenticate(self.secret)
        assert credential_authenticate(new_secret).company == self.acme

    def test_it_notes_the_last_use_at_most_once_a_minute(self) -> None:
        credential = SyncCredential.objects.get(company=self.acme)
        assert credential.last_used_at is None
        self.probe.get("/whoami", headers=self.bearer(self.secret))
        credential.refresh_from_db()
        first = credential.last_used_at
        assert first is not None
        self.probe.get("/whoami", headers=self.bearer(self.secret))
        credential.refresh_from_db()
        assert credential.last_used_at == first
        SyncCredential.objects.update(last_used_at=timezone.now() - timedelta(minutes=2))
        self.probe.get("/whoami", headers=self.bearer(self.secret))
        credential.refresh_from_db()
        assert credential.last_used_at is not None
        assert credential.last_used_at > first


class RateLimitTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()
        self.secret = paired(self.acme)
        self.probe = TestClient(probe)

    @override_settings(SYNC_RATE_LIMIT_PER_MINUTE=3)
    def test_requests_above_the_limit_get_429_until_the_next_minute(self) -> None:
        headers = {"Authorization": f"Bearer {self.secret}"}
        with mock.patch("skrivbord.sync.auth.time") as clock:
            clock.time.return_value = 1_800_000_000.0  # 00 seconds into a minute
            statuses = [self.probe.get("/whoami", headers=headers).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]
            clock.time.return_value += 60
            assert self.probe.get("/whoami", headers=headers).status_code == 200

    @override_settings(SYNC_RATE_LIMIT_PER_MINUTE=1)
    def test_the_429_says_how_long_to_wait(self) -> None:
        credential = SyncCredential.objects.get(company=self.acme)
        check_rate(credential, now=1_800_000_045.0)
        with pytest.raises(SyncRateLimited) as raised:
            check_rate(credential, now=1_800_000_045.0)
        assert raised.value.status_code == 429
        assert raised.value.wait == 15
        assert raised.value.headers == {"Retry-After": "15"}
        assert "Wait 15 seconds" in str(raised.value)

    @override_settings(SYNC_RATE_LIMIT_PER_MINUTE=1)
    def test_each_credential_has_its_own_limit(self) -> None:
        acme = credential_authenticate(self.secret)
        umbrella = credential_authenticate(paired(self.umbrella))
        check_rate(acme, now=1_800_000_000.0)
        check_rate(umbrella, now=1_800_000_000.0)
        with pytest.raises(SyncRateLimited):
            check_rate(acme, now=1_800_000_001.0)

    @override_settings(SYNC_RATE_LIMIT_PER_MINUTE=1)
    def test_a_throttled_request_changes_nothing(self) -> None:
        headers = {"Authorization": f"Bearer {self.secret}"}
        with mock.patch("skrivbord.sync.auth.time") as clock:
            clock.time.return_value = 1_800_000_000.0
            check_rate(credential_authenticate(self.secret))  # the minute's one request
            response = self.client.post("/api/v1/sync/disconnect", headers=headers)
        assert response.status_code == 429
        assert "Too many sync requests" in response.json()["detail"]
        assert SyncLink.objects.filter(company=self.acme).exists()

    @override_settings(SYNC_RATE_LIMIT_PER_MINUTE=0)
    def test_a_limit_of_zero_turns_it_off(self) -> None:
        credential = SyncCredential.objects.get(company=self.acme)
        for _request in range(1000):
            check_rate(credential)
