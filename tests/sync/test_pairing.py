"""Pairing tokens on the online node, and trading one for a sync credential (POST /sync/pair)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from skrivbord.core import services
from skrivbord.sync import pairing
from skrivbord.sync.auth import credential_authenticate
from skrivbord.sync.models import PairingToken, SyncCredential, SyncLink, SyncNode
from tests.sync.base import SyncTestCase

PAIR_URL = "/api/v1/sync/pair"


class PairingTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()  # the failed-attempt counters live in the cache
        self.office_company_id = uuid.uuid4()
        self.office_node_id = uuid.uuid4()

    def token(self, **kwargs: Any) -> str:
        _token, secret = pairing.pairing_token_create(access=self.access(self.alice), **kwargs)
        return secret

    def pair(self, secret: str, *, address: str = "127.0.0.1", **fields: Any) -> Any:
        body = {
            "token": secret,
            "office_company_id": str(self.office_company_id),
            "office_node_id": str(self.office_node_id),
            "office_company_name": "Acme AB",
            "office_org_number": "556036-0793",
            **fields,
        }
        return self.client.post(
            PAIR_URL, body, content_type="application/json", REMOTE_ADDR=address
        )


class PairingTokenTests(PairingTestCase):
    def test_it_makes_a_prefixed_random_secret_and_stores_only_its_hash(self) -> None:
        token, secret = pairing.pairing_token_create(access=self.access(self.alice))
        assert secret.startswith("skp_")
        assert len(secret) >= 4 + 43  # 256 bits, urlsafe base64
        assert token.token_hash == pairing.hash_secret(secret)
        assert secret not in token.token_hash
        assert token.company == self.acme
        assert token.created_by == "alice@acme.se"
        assert token.used_at is None

    def test_it_expires_after_24_hours_by_default(self) -> None:
        before = timezone.now()
        token, _secret = pairing.pairing_token_create(access=self.access(self.alice))
        assert before + timedelta(hours=24) <= token.expires_at
        assert token.expires_at <= timezone.now() + timedelta(hours=24)

    def test_only_an_administrator_may_make_one(self) -> None:
        for user in (self.bob, self.rita):
            with pytest.raises(PermissionDenied):
                pairing.pairing_token_create(access=self.access(user))
        assert not PairingToken.objects.exists()

    @override_settings(NODE="office")
    def test_an_office_node_makes_no_pairing_tokens(self) -> None:
        with pytest.raises(ValidationError, match="online desktop"):
            pairing.pairing_token_create(access=self.access(self.alice))

    def test_a_connected_company_gets_no_new_token(self) -> None:
        self.pair(self.token())
        with pytest.raises(ValidationError, match="already connected"):
            self.token()

    def test_it_refuses_a_validity_beyond_a_week(self) -> None:
        with pytest.raises(ValidationError):
            self.token(ttl=timedelta(days=8))


class PairExchangeTests(PairingTestCase):
    def test_it_trades_the_token_for_a_credential_and_links_the_companies(self) -> None:
        response = self.pair(self.token())
        assert response.status_code == 200
        body = response.json()
        node = SyncNode.objects.get(id=1)
        assert body["online_company_id"] == str(self.acme.id)
        assert body["online_company_name"] == "Acme AB"
        assert body["online_node_id"] == str(node.node_id)
        assert body["epoch"] == str(node.epoch)
        assert body["credential"].startswith("sks_")
        credential = credential_authenticate(body["credential"])
        assert credential.company == self.acme
        assert credential.office_node_id == self.office_node_id
        assert credential.prefix == body["credential"][:12]
        assert body["credential"] not in credential.key_hash
        link = SyncLink.objects.get(company=self.acme)
        assert link.remote_company_id == self.office_company_id
        assert link.credential == ""  # the online node keeps only the hash

    def test_the_token_works_only_once(self) -> None:
        secret = self.token()
        assert self.pair(secret).status_code == 200
        # Even after the first connection is gone, the token stays used.
        pairing.online_disconnect(company=self.acme)
        response = self.pair(secret)
        assert response.status_code == 410
        assert "already used" in response.json()["detail"]
        assert SyncCredential.objects.filter(revoked_at__isnull=True).count() == 0
        assert PairingToken.objects.get().used_at is not None

    def test_an_expired_token_is_refused(self) -> None:
        secret = self.token()
        PairingToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        response = self.pair(secret)
        assert response.status_code == 410
        assert "expired" in response.json()["detail"]
        assert not SyncLink.objects.exists()
        assert not SyncCredential.objects.exists()

    def test_a_wrong_token_is_refused_with_401(self) -> None:
        self.token()
        response = self.pair("skp_" + "x" * 43)
        assert response.status_code == 401
        assert "not valid" in response.json()["detail"]
        assert not SyncLink.objects.exists()
        assert PairingToken.objects.get().used_at is None

    def test_an_already_connected_company_is_refused_and_keeps_the_token(self) -> None:
        # A link left from an earlier pairing (a second token was made before the first use).
        first, second = self.token(), self.token()
        assert self.pair(first).status_code == 200
        response = self.pair(second)
        assert response.status_code == 409
        assert "disconnect first" in response.json()["detail"]
        assert SyncCredential.objects.count() == 1
        # The token is not spent: after disconnecting it can still be used.
        pairing.online_disconnect(company=self.acme)
        assert self.pair(second).status_code == 200

    def test_it_refuses_an_office_company_with_another_organisation_number(self) -> None:
        response = self.pair(self.token(), office_org_number="556677-8899")
        assert response.status_code == 409
        assert "organisation numbers differ" in response.json()["detail"]
        assert not SyncLink.objects.exists()

    def test_it_accepts_an_office_company_without_an_organisation_number(self) -> None:
        assert self.pair(self.token(), office_org_number="").status_code == 200

    def test_the_token_of_another_company_links_that_company_only(self) -> None:
        _token, secret = pairing.pairing_token_create(
            access=self.access(self.charlie, self.umbrella)
        )
        response = self.pair(secret, office_org_number="556677-8899")
        assert response.json()["online_company_id"] == str(self.umbrella.id)
        assert not SyncLink.objects.filter(company=self.acme).exists()

    def test_ten_failed_attempts_from_one_address_are_followed_by_429(self) -> None:
        secret = self.token()
        for _attempt in range(10):
            assert self.pair("skp_wrong", address="10.0.0.7").status_code == 401
        response = self.pair(secret, address="10.0.0.7")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert "Too many failed pairing attempts" in response.json()["detail"]
        assert PairingToken.objects.get().used_at is None
        # Other addresses are not locked out.
        assert self.pair(secret, address="10.0.0.8").status_code == 200

    def test_it_refuses_a_body_without_the_office_ids(self) -> None:
        response = self.client.post(
            PAIR_URL, {"token": self.token()}, content_type="application/json"
        )
        assert response.status_code == 422
        assert not SyncLink.objects.exists()

    def test_the_endpoint_is_in_the_openapi_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        assert "post" in paths[PAIR_URL]
        assert "post" in paths["/api/v1/sync/disconnect"]


class TokenCommandTests(SyncTestCase):
    def run_command(self, *args: str) -> list[str]:
        out = StringIO()
        call_command("sync_token_create", *args, stdout=out)
        return out.getvalue().splitlines()

    def test_it_prints_a_token_that_pairs_as_its_last_line(self) -> None:
        lines = self.run_command("--company", str(self.acme.id), "--hours", "2")
        secret = lines[-1]
        token = PairingToken.objects.get(token_hash=pairing.hash_secret(secret))
        assert token.company == self.acme
        assert token.created_by == "command line"
        assert token.expires_at <= timezone.now() + timedelta(hours=2)
        assert "Acme AB" in lines[0]

    def test_it_refuses_an_unknown_company(self) -> None:
        with pytest.raises(CommandError, match="There is no company with the id nope"):
            self.run_command("--company", "nope")

    def test_it_refuses_hours_out_of_range(self) -> None:
        with pytest.raises(CommandError, match="--hours"):
            self.run_command("--company", str(self.acme.id), "--hours", "0")

    @override_settings(NODE="office")
    def test_it_refuses_on_an_office_node(self) -> None:
        with pytest.raises(CommandError, match="SKRIVBORD_NODE=online"):
            self.run_command("--company", str(self.acme.id))

    def test_a_company_created_later_gets_its_own_token(self) -> None:
        other = services.company_create(name="Nytt AB")
        secret = self.run_command("--company", str(other.id))[-1]
        assert PairingToken.objects.get(token_hash=pairing.hash_secret(secret)).company == other
