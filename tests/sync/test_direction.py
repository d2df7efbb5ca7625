"""Direction: data one node owns is read-only on the other, on every write path but the sync.

No module owns its data on one side yet (accounting will, office -> online), so these tests
declare Contacts office-owned for their duration: the registry entry is swapped and the
triggers reinstalled inside the test's transaction, which the test rolls back.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction
from django.test import override_settings
from django.urls import reverse

from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact
from skrivbord.core import registry
from skrivbord.core.services import token_create
from skrivbord.sync import capture
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes

REFUSED = "synchronised here. Change it in the office"


@contextmanager
def contacts_owned_by_the_office(*aliases_and_nodes: tuple[str, str]) -> Iterator[None]:
    module = registry.get("contacts")
    owned = dataclasses.replace(
        module,
        synced_models=tuple(
            dataclasses.replace(synced, direction=registry.Direction.OFFICE_TO_ONLINE)
            for synced in module.synced_models
        ),
    )
    registry._modules["contacts"] = owned
    try:
        for alias, node in aliases_and_nodes:
            capture.install(alias, node=node)
            if connections[alias].vendor == "postgresql":
                # The reinstalled commit-order trigger starts deferred again (see SyncTestCase).
                with connections[alias].cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS sync_stamp_commit_seq IMMEDIATE")
        yield
    finally:
        registry._modules["contacts"] = module


class RegistryTests(SyncTestCase):
    def test_a_model_is_read_only_on_the_node_that_does_not_own_it(self) -> None:
        synced = registry.SyncedModel("x.y", ("a",), registry.Direction.OFFICE_TO_ONLINE)
        self.assertTrue(registry.read_only_on(synced, "online"))
        self.assertFalse(registry.read_only_on(synced, "office"))
        both = registry.SyncedModel("x.y", ("a",))
        self.assertFalse(registry.read_only_on(both, "online"))
        self.assertFalse(registry.read_only_on(both, "office"))


class OnlineRefusalTests(SyncTestCase):
    """The online node (the tests' default node) with Contacts owned by the office."""

    def setUp(self) -> None:
        super().setUp()
        self.volvo = contact_services.contact_create(
            access=self.access(self.alice), name="Volvo AB"
        )
        self.enterContext(contacts_owned_by_the_office(("default", "online")))

    def test_the_web_refuses_an_edit_with_a_plain_explanation(self) -> None:
        self.login(self.alice)
        url = reverse("contacts:edit", args=[self.acme.id, self.volvo.id])
        response = self.client.post(url, {"name": "Changed online", "kind": "organisation"})
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, REFUSED, status_code=403)
        self.assertContains(response, "This cannot be changed here", status_code=403)
        self.assertEqual(Contact.objects.get(id=self.volvo.id).name, "Volvo AB")

    def test_reading_stays_allowed_and_offers_no_edit(self) -> None:
        self.login(self.alice)
        response = self.client.get(reverse("contacts:detail", args=[self.acme.id, self.volvo.id]))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(
            response, reverse("contacts:edit", args=[self.acme.id, self.volvo.id])
        )

    def test_the_api_refuses_with_the_explanation(self) -> None:
        _token, secret = token_create(user=self.alice, name="tests")
        response = self.client.post(
            f"/api/v1/companies/{self.acme.id}/contacts",
            json.dumps({"name": "New online"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn(REFUSED, response.json()["detail"])
        self.assertFalse(Contact.objects.filter(name="New online").exists())

    def test_the_database_refuses_a_write_that_bypasses_the_services(self) -> None:
        for write in (
            lambda: Contact.objects.filter(id=self.volvo.id).update(name="Raw"),
            lambda: Contact.objects.create(company=self.acme, name="Raw"),
            lambda: Contact.objects.filter(id=self.volvo.id).delete(),
        ):
            with (
                self.subTest(write=write),
                self.assertRaisesMessage(DatabaseError, "kept on the office node"),
                transaction.atomic(),
            ):
                write()
        self.assertEqual(Contact.objects.get(id=self.volvo.id).name, "Volvo AB")

    def test_another_company_still_sees_nothing(self) -> None:
        self.login(self.charlie)
        url = reverse("contacts:edit", args=[self.acme.id, self.volvo.id])
        self.assertEqual(self.client.get(url).status_code, 404)


class SyncStillWritesTests(SyncTestCase):
    databases = {"default", "office"}

    def test_office_owned_rows_reach_the_online_node_and_stay_equal(self) -> None:
        nodes = TwoNodes()
        with contacts_owned_by_the_office((ONLINE, "online"), (OFFICE, "office")):
            contact = nodes.create_contact(OFFICE, name="Made at the office")
            nodes.exchange()
            self.assertEqual(nodes.contacts(ONLINE).get(id=contact.id).name, "Made at the office")
            nodes.contacts(OFFICE).filter(id=contact.id).update(name="Edited at the office")
            nodes.exchange()
            self.assertEqual(nodes.snapshot(ONLINE), nodes.snapshot(OFFICE))

    @override_settings(NODE="office")
    def test_the_owning_node_edits_freely(self) -> None:
        with contacts_owned_by_the_office(("default", "office")):
            contact = contact_services.contact_create(access=self.access(self.alice), name="A")
            self.login(self.alice)
            url = reverse("contacts:edit", args=[self.acme.id, contact.id])
            self.assertEqual(self.client.get(url).status_code, 200)
