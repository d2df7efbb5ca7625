"""Activities sync both ways with field-level merge (TwoNodes: office and online in one
process, the engine between them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from skrivbord.activities.models import Activity, ActivityType, Participant, Resource
from skrivbord.contacts.models import Contact
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes

UTC = dt.UTC


class ActivitySyncTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.nodes = TwoNodes()

    def type_on(self, side: str, key: str = "meeting") -> ActivityType:
        return ActivityType.objects.using(side).get(company=self.nodes.company(side), key=key)

    def activity(self, side: str, **values: Any) -> Activity:
        values.setdefault("type", self.type_on(side))
        values.setdefault("subject", "Möte")
        values.setdefault("start", dt.datetime(2026, 12, 1, 8, tzinfo=UTC))
        values.setdefault("end", dt.datetime(2026, 12, 1, 9, tzinfo=UTC))
        return Activity.objects.using(side).create(company=self.nodes.company(side), **values)

    def test_both_nodes_have_the_same_default_types_and_their_first_sync_merges_them(self) -> None:
        self.assertEqual(self.type_on(OFFICE).id, self.type_on(ONLINE).id)
        self.nodes.exchange()
        self.assertEqual(
            ActivityType.objects.using(OFFICE).filter(company=self.nodes.office_company).count(), 7
        )
        self.assertEqual(
            ActivityType.objects.using(ONLINE).filter(company=self.nodes.online_company).count(), 7
        )
        self.assertEqual(self.nodes.conflicts, [])

    def test_an_activity_made_online_appears_at_the_office_with_its_participants(self) -> None:
        contact = self.nodes.create_contact(ONLINE, name="Kund AB")
        room = Resource.objects.using(ONLINE).create(
            company=self.nodes.online_company, name="Rummet"
        )
        made = self.activity(
            ONLINE, contact=contact, subject="Kundmöte", responsible="alice@acme.se"
        )
        Participant.objects.using(ONLINE).create(
            company=self.nodes.online_company, activity=made, resource=room
        )
        Participant.objects.using(ONLINE).create(
            company=self.nodes.online_company, activity=made, employee="bob@acme.se"
        )
        self.nodes.exchange()
        there = Activity.objects.using(OFFICE).get(id=made.id)
        self.assertEqual(
            (there.subject, there.contact_id, there.start), ("Kundmöte", contact.id, made.start)
        )
        self.assertEqual(there.company_id, self.nodes.office_company.id)
        self.assertEqual(Participant.objects.using(OFFICE).filter(activity_id=made.id).count(), 2)
        self.assertEqual(self.nodes.rows(OFFICE), self.nodes.rows(ONLINE))

    def test_an_activity_made_at_the_office_appears_online(self) -> None:
        made = self.activity(
            OFFICE,
            all_day=True,
            start=None,
            end=None,
            start_date=dt.date(2026, 12, 24),
            end_date=dt.date(2026, 12, 24),
        )
        self.nodes.exchange()
        there = Activity.objects.using(ONLINE).get(id=made.id)
        self.assertEqual((there.all_day, there.start_date), (True, dt.date(2026, 12, 24)))

    def test_concurrent_edits_of_different_fields_both_survive(self) -> None:
        made = self.activity(OFFICE)
        self.nodes.exchange()
        Activity.objects.using(OFFICE).filter(id=made.id).update(location="Kontoret")
        Activity.objects.using(ONLINE).filter(id=made.id).update(
            status="done", subject="Möte (klart)"
        )
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            row = Activity.objects.using(side).get(id=made.id)
            self.assertEqual(
                (row.location, row.status, row.subject), ("Kontoret", "done", "Möte (klart)"), side
            )
        self.assertEqual(self.nodes.conflicts, [])

    def test_the_same_field_edited_on_both_sides_follows_the_policy(self) -> None:
        made = self.activity(OFFICE)
        self.nodes.exchange()
        Activity.objects.using(OFFICE).filter(id=made.id).update(subject="Kontorets")
        Activity.objects.using(ONLINE).filter(id=made.id).update(subject="Onlines")
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            self.assertEqual(Activity.objects.using(side).get(id=made.id).subject, "Kontorets")

    def test_a_type_renamed_at_the_office_is_renamed_online(self) -> None:
        self.nodes.exchange()
        ActivityType.objects.using(OFFICE).filter(id=self.type_on(OFFICE, "call").id).update(
            name="Samtal"
        )
        self.nodes.exchange()
        self.assertEqual(self.type_on(ONLINE, "call").name, "Samtal")

    def test_a_contact_deleted_at_the_office_while_an_activity_was_planned_for_it_online(
        self,
    ) -> None:
        contact = self.nodes.create_contact(OFFICE, name="Snart borta AB")
        self.nodes.exchange()
        made = self.activity(ONLINE, contact=Contact.objects.using(ONLINE).get(id=contact.id))
        Contact.objects.using(OFFICE).filter(id=contact.id).delete()
        self.nodes.exchange()
        # A child cannot outlive its parent: the delete wins and the activity's loss is logged.
        for side in (OFFICE, ONLINE):
            self.assertFalse(Contact.objects.using(side).filter(id=contact.id).exists(), side)
            self.assertFalse(Activity.objects.using(side).filter(id=made.id).exists(), side)
        self.assertEqual(self.nodes.rows(OFFICE), self.nodes.rows(ONLINE))
