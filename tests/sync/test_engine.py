"""Two nodes exchanging changes through the engine: merge, conflicts, deletes, idempotence."""

from skrivbord.sync import engine
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncChange, SyncConflict
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


class EngineTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.nodes = TwoNodes()

    def test_it_copies_office_contacts_and_persons_online(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="Kund AB", phone="08-1")
        self.nodes.persons(OFFICE).create(
            company=self.nodes.office_company, contact=contact, first_name="Eva"
        )
        self.nodes.exchange()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        online = self.nodes.contacts(ONLINE).get(id=contact.id)
        self.assertEqual(online.company_id, self.nodes.online_company.id)

    def test_it_does_not_echo_received_changes_back(self) -> None:
        self.nodes.create_contact(OFFICE, name="Kund AB")
        self.nodes.push()
        engine.stamp(using=ONLINE, side=Side.ONLINE)
        self.assertFalse(SyncChange.objects.using(ONLINE).exists())
        self.assertEqual(self.nodes.pull(), 0)

    def test_it_merges_edits_of_different_fields_on_both_sides(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="Kund AB", phone="1")
        self.nodes.exchange()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="Kund 2 AB")
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(phone="2")
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            row = self.nodes.contacts(side).get(id=contact.id)
            self.assertEqual((row.name, row.phone), ("Kund 2 AB", "2"), side)
        self.assertFalse(SyncConflict.objects.exists())

    def test_the_office_wins_a_conflict_by_default_and_it_is_logged(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="Kund AB")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(name="Online")
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="Office")
        self.nodes.exchange()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=contact.id).name, "Office")
        conflict = SyncConflict.objects.get()
        self.assertEqual(
            (conflict.field, conflict.office_value, conflict.online_value, conflict.winner),
            ("name", "Office", "Online", "office"),
        )

    def test_a_later_edit_after_a_conflict_is_not_a_conflict(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="Kund AB")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(name="Online")
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="Office")
        self.nodes.exchange()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="Office again")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(name="Online again")
        self.nodes.exchange()
        self.assertEqual(SyncConflict.objects.count(), 1)
        self.assertEqual(self.nodes.contacts(OFFICE).get(id=contact.id).name, "Online again")

    def test_deletes_travel_both_ways(self) -> None:
        first = self.nodes.create_contact(OFFICE, name="A")
        second = self.nodes.create_contact(OFFICE, name="B")
        self.nodes.exchange()
        self.nodes.contacts(OFFICE).filter(id=first.id).delete()
        self.nodes.contacts(ONLINE).filter(id=second.id).delete()
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            self.assertFalse(self.nodes.contacts(side).exists(), side)

    def test_an_online_edit_against_an_office_delete_follows_the_policy(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="A")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(name="Edited online")
        self.nodes.contacts(OFFICE).filter(id=contact.id).delete()
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            self.assertFalse(self.nodes.contacts(side).exists(), side)
        self.assertEqual(SyncConflict.objects.get().field, "_deleted")

    def test_an_office_edit_against_an_online_delete_restores_the_row(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="A")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).delete()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="Edited at the office")
        self.nodes.exchange()
        self.assertEqual(self.nodes.snapshot(ONLINE), self.nodes.snapshot(OFFICE))
        self.assertEqual(
            self.nodes.contacts(ONLINE).get(id=contact.id).name, "Edited at the office"
        )

    def test_a_repeated_batch_changes_nothing(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="A")
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        batch = engine.collect(company=self.nodes.office_company, after=0, using=OFFICE)
        for _ in range(2):
            engine.apply(
                link=self.nodes.online_link, rows=batch.rows, using=ONLINE, side=Side.ONLINE
            )
        self.assertEqual(self.nodes.contacts(ONLINE).filter(id=contact.id).count(), 1)
        self.nodes.contacts(ONLINE).filter(id=contact.id).update(name="Newer online")
        engine.apply(link=self.nodes.online_link, rows=batch.rows, using=ONLINE, side=Side.ONLINE)
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=contact.id).name, "Newer online")

    def test_a_repeated_delete_that_lost_to_an_online_edit_changes_nothing(self) -> None:
        """Found by the long model-based profile: under online-wins the online edit keeps
        the row against the office's delete; the same batch again deleted it."""
        nodes = TwoNodes(policy="online-wins")
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        nodes.exchange()
        nodes.contacts(ONLINE).filter(id=contact.id).update(name="Kund 2 AB")
        nodes.contacts(OFFICE).filter(id=contact.id).delete()
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        link = nodes.office_link
        batch = engine.collect(company=nodes.office_company, after=link.push_cursor, using=OFFICE)
        for _ in range(2):
            result = engine.apply(
                link=nodes.online_link, rows=batch.rows, using=ONLINE, side=Side.ONLINE
            )
            self.assertEqual(nodes.contacts(ONLINE).get(id=contact.id).name, "Kund 2 AB")
        self.assertEqual(dict(result.applied), {})
        nodes.exchange()
        self.assertEqual(nodes.snapshot(OFFICE), nodes.snapshot(ONLINE))

    def test_a_child_that_arrives_before_its_parent_is_parked(self) -> None:
        contact = self.nodes.create_contact(OFFICE, name="A")
        person = self.nodes.persons(OFFICE).create(
            company=self.nodes.office_company, contact=contact, first_name="Eva"
        )
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        batch = engine.collect(company=self.nodes.office_company, after=0, using=OFFICE)
        children = [row for row in batch.rows if row["entity"] == "contacts.contactperson"]
        parents = [row for row in batch.rows if row["entity"] == "contacts.contact"]
        result = engine.apply(
            link=self.nodes.online_link, rows=children, using=ONLINE, side=Side.ONLINE
        )
        self.assertEqual(result.parked, 1)
        self.assertFalse(self.nodes.persons(ONLINE).exists())
        engine.apply(link=self.nodes.online_link, rows=parents, using=ONLINE, side=Side.ONLINE)
        self.assertTrue(self.nodes.persons(ONLINE).filter(id=person.id).exists())

    def test_a_batch_stops_at_the_last_stamped_change(self) -> None:
        # Another connection may commit between the agent's stamp and its collect: that edit
        # has no new version yet, and the batch must not move the cursor past it.
        self.nodes.create_contact(OFFICE, name="Stamped")
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        stamped_upto = engine.node(OFFICE).stamp_cursor
        self.nodes.create_contact(OFFICE, name="Not stamped yet")
        batch = engine.collect(company=self.nodes.office_company, after=0, using=OFFICE)
        self.assertEqual(batch.upto, stamped_upto)
        self.assertEqual([row["values"]["name"] for row in batch.rows], ["Stamped"])

    def test_it_resumes_from_the_cursor_in_small_batches(self) -> None:
        for n in range(25):
            self.nodes.create_contact(OFFICE, name=f"K{n:02}")
        self.assertEqual(self.nodes.push(limit=7), 25)
        self.assertEqual(self.nodes.contacts(ONLINE).count(), 25)
        self.assertEqual(self.nodes.push(limit=7), 0)

    def test_a_delete_after_a_restored_conflict_reaches_the_other_side(self) -> None:
        # Found by the model-based test: existence knowledge must merge while both copies
        # live, or a later delete carries an old vector and is ignored as stale.
        contact = self.nodes.create_contact(OFFICE, name="A")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).delete()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(notes="kept at the office")
        self.nodes.exchange()  # office wins: the row is restored online
        self.assertTrue(self.nodes.contacts(ONLINE).filter(id=contact.id).exists())
        self.nodes.contacts(OFFICE).filter(id=contact.id).delete()
        self.nodes.exchange()
        for side in (OFFICE, ONLINE):
            self.assertFalse(self.nodes.contacts(side).filter(id=contact.id).exists(), side)

    def test_an_office_edit_after_a_restore_is_not_a_conflict(self) -> None:
        # Found by the model-based test: a resolution must not mint versions that make the
        # office's next edit of an untouched field look concurrent.
        contact = self.nodes.create_contact(OFFICE, name="A")
        self.nodes.exchange()
        self.nodes.contacts(ONLINE).filter(id=contact.id).delete()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(name="B")
        self.nodes.push()
        self.nodes.contacts(OFFICE).filter(id=contact.id).update(notes="later")
        self.nodes.exchange()
        self.assertEqual(list(SyncConflict.objects.values_list("field", flat=True)), ["_deleted"])
        self.assertEqual(self.nodes.contacts(ONLINE).get(id=contact.id).notes, "later")
