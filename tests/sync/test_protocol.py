"""The sync protocol's bad input: malformed, cut, oversized, forged and out-of-version batches
are refused with a clear message and change nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import uuid
from typing import Any

from django.test import override_settings
from django.utils import timezone

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact
from skrivbord.sync.models import SyncCredential, SyncLink
from skrivbord.sync.pairing import hash_secret
from skrivbord.sync.protocol import SCHEMA_VERSION, decode, encode
from tests.sync.base import SyncTestCase

SECRET = "sks_" + "x" * 43


@override_settings(NODE="online")
class ProtocolTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        SyncCredential.objects.create(
            company=self.acme, key_hash=hash_secret(SECRET), prefix=SECRET[:12]
        )
        self.link = SyncLink.objects.create(company=self.acme, remote_company_id=uuid.uuid4())

    def post(self, path: str, body: bytes, *, compressed: bool = True) -> Any:
        headers = {"Authorization": f"Bearer {SECRET}"}
        if compressed:
            headers["Content-Encoding"] = "gzip"
        return self.client.post(
            f"/api/v1/sync{path}", body, content_type="application/json", headers=headers
        )

    def row(self, **values: Any) -> dict[str, Any]:
        fields = {"kind": "organisation", "name": "Kund AB", **values}
        return {
            "entity": "contacts.contact",
            "id": str(uuid.uuid4()),
            "deleted": False,
            "values": fields,
            "versions": {name: [5, 0, 1] for name in (*fields, "_deleted")},
        }

    def push(self, rows: list[dict[str, Any]], **extra: Any) -> Any:
        payload = {"after": 0, "upto": 5, "rows": rows, **extra}
        return self.post("/push", encode(payload))

    def test_a_good_batch_is_applied_and_the_answer_is_compressed(self) -> None:
        row = self.row()
        response = self.push([row])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertEqual(decode(response.content, compressed=True)["push_cursor"], 5)
        self.assertTrue(Contact.objects.filter(id=row["id"], company=self.acme).exists())

    def test_a_cut_batch_is_refused_and_changes_nothing(self) -> None:
        body = encode({"after": 0, "upto": 5, "rows": [self.row()]})
        response = self.post("/push", body[: len(body) // 2])
        self.assertEqual(response.status_code, 400)
        self.assertIn("cut", response.json()["detail"])
        self.assertFalse(Contact.objects.exists())

    def test_malformed_json_and_wrong_shapes_are_refused(self) -> None:
        self.assertEqual(self.post("/push", gzip.compress(b"{nope")).status_code, 400)
        bad_rows = [{"entity": "contacts.contact", "id": "x", "values": [], "versions": {}}]
        response = self.post("/push", encode({"upto": 1, "rows": bad_rows}))
        self.assertEqual(response.status_code, 400)
        self.assertIn("rows[0].values", response.json()["detail"])
        row = self.row()
        row["versions"]["name"] = [1, "two", 3]
        self.assertEqual(self.push([row]).status_code, 400)
        self.assertFalse(Contact.objects.exists())

    def test_a_version_may_name_who_made_the_edit_in_a_string_of_its_own(self) -> None:
        named = self.row()
        named["versions"]["name"] = [5, 0, 1, "alice@acme.se"]
        self.assertEqual(self.push([named]).status_code, 200)
        for bad in ([5, 0, 1, 7], [5, 0, 1, "x" * 255], [5, 0, 1, "a", "b"], [5, 0, "a"]):
            row = self.row()
            row["versions"]["name"] = bad
            response = self.push([row])
            self.assertEqual(response.status_code, 400, bad)
            self.assertIn("rows[0].versions.name is not a version", response.json()["detail"])
        self.assertEqual(Contact.objects.count(), 1)

    def test_an_unknown_entity_is_refused(self) -> None:
        row = self.row()
        row["entity"] = "core.user"
        response = self.push([row])
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Contact.objects.exists())

    def test_a_decompression_bomb_is_refused(self) -> None:
        bomb = gzip.compress(b"[" + b" " * (70 * 1024 * 1024) + b"]")
        response = self.post("/push", bomb)
        self.assertIn(response.status_code, {400, 413})
        self.assertFalse(Contact.objects.exists())

    def test_a_batch_naming_another_companys_record_changes_nothing(self) -> None:
        theirs = contact_services.contact_create(
            access=self.access(self.charlie, self.umbrella), name="Umbrellas kund"
        )
        forged = self.row(name="Stolen")
        forged["id"] = str(theirs.id)
        response = self.push([self.row(name="Innocent"), forged])
        self.assertEqual(response.status_code, 403)
        theirs.refresh_from_db()
        self.assertEqual(theirs.name, "Umbrellas kund")
        self.assertFalse(Contact.objects.filter(company=self.acme).exists())  # atomic

    def test_a_repeated_batch_changes_nothing(self) -> None:
        row = self.row()
        self.push([row])
        Contact.objects.filter(id=row["id"]).update(name="Changed online since")
        self.assertEqual(self.push([row]).status_code, 200)
        self.assertEqual(Contact.objects.get(id=row["id"]).name, "Changed online since")

    def test_an_incompatible_version_names_the_side_to_upgrade(self) -> None:
        for theirs, side in ((SCHEMA_VERSION + 1, "online node"), (0, "office node")):
            response = self.post("/handshake", encode({"schema_version": theirs, "generation": 0}))
            self.assertEqual(response.status_code, 409)
            self.assertIn(f"Upgrade the {side}", response.json()["detail"])

    def test_a_clock_an_hour_off_may_not_push(self) -> None:
        skewed = (timezone.now() + dt.timedelta(hours=3)).isoformat()
        response = self.post(
            "/handshake",
            encode({"schema_version": SCHEMA_VERSION, "generation": 0, "agent_time": skewed}),
        )
        answer = decode(response.content, compressed=True)
        self.assertTrue(answer["push_refused"])
        self.assertTrue(answer["clock_warning"])
        response = self.push([self.row()], agent_time=skewed)
        self.assertEqual(response.status_code, 409)
        self.assertIn("clock", response.json()["detail"])
        self.assertFalse(Contact.objects.exists())

    def test_a_restored_office_is_recognised_in_the_handshake(self) -> None:
        SyncLink.objects.filter(id=self.link.id).update(generation=7)
        response = self.post(
            "/handshake", encode({"schema_version": SCHEMA_VERSION, "generation": 3})
        )
        self.assertTrue(decode(response.content, compressed=True)["restored"])

    def test_a_wrong_credential_gets_401_and_a_plain_body_400(self) -> None:
        response = self.client.post(
            "/api/v1/sync/push",
            encode({"rows": []}),
            content_type="application/json",
            headers={"Authorization": "Bearer sks_wrong", "Content-Encoding": "gzip"},
        )
        self.assertEqual(response.status_code, 401)
        response = self.post(
            "/push", json.dumps({"upto": 0, "rows": []}).encode(), compressed=False
        )
        self.assertEqual(response.status_code, 200)
