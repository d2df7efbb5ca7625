"""An edit of a contact person whose contact the other side deleted.

Deleting a contact deletes its persons (on_delete=CASCADE). The parent's delete wins over a
concurrent edit or new person on the other side whatever the policy, and the edit is logged
as a conflict the delete won (docs/sync.md, Conflict policies). ParentDeleteBeforePushTests
and ParentDeleteOutOfOrderTests replay orders of arrival the model-based test found."""

from __future__ import annotations

from django.db import transaction

from skrivbord.sync import engine
from skrivbord.sync.merge import Side
from skrivbord.sync.models import SyncConflict, SyncLink
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


def deleter_side(alias: str) -> str:
    return "office" if alias == OFFICE else "online"


class ParentDeleteTests(SyncTestCase):
    databases = {"default", "office"}

    def assert_the_edit_is_kept_or_logged(self, *, policy: str, deleter: str) -> None:
        nodes = TwoNodes(policy=policy)
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        person = nodes.persons(OFFICE).create(
            company=nodes.office_company, contact=contact, first_name="Eva"
        )
        nodes.exchange()
        editor = ONLINE if deleter == OFFICE else OFFICE
        nodes.contacts(deleter).filter(id=contact.id).delete()
        nodes.persons(editor).filter(id=person.id).update(first_name="Eva-Lena")
        nodes.exchange()

        self.assertEqual(nodes.snapshot(OFFICE), nodes.snapshot(ONLINE))
        kept = nodes.persons(ONLINE).filter(id=person.id, first_name="Eva-Lena").exists()
        logged = SyncConflict.objects.using(ONLINE).filter(
            company=nodes.online_company, row_id=person.id
        )
        self.assertTrue(kept or logged, "the edit was lost without a logged conflict")

    def assert_a_new_child_is_logged(self, *, policy: str, deleter: str) -> None:
        nodes = TwoNodes(policy=policy)
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        nodes.exchange()
        creator = ONLINE if deleter == OFFICE else OFFICE
        nodes.contacts(deleter).filter(id=contact.id).delete()
        person = nodes.persons(creator).create(
            company=nodes.company(creator), contact_id=contact.id, first_name="Ny"
        )
        nodes.exchange()
        nodes.exchange()

        self.assertEqual(nodes.snapshot(OFFICE), nodes.snapshot(ONLINE))
        self.assertFalse(nodes.persons(ONLINE).filter(id=person.id).exists())
        # Logged where conflicts are decided, as the edit the delete won over.
        logged = SyncConflict.objects.using(ONLINE).get(row_id=person.id)
        self.assertEqual((logged.field, logged.winner), ("_deleted", deleter_side(deleter)))

    def test_an_online_person_added_to_a_contact_the_office_deleted_is_logged(self) -> None:
        self.assert_a_new_child_is_logged(policy="online-wins", deleter=OFFICE)

    def test_an_office_person_added_to_a_contact_deleted_online_is_logged(self) -> None:
        self.assert_a_new_child_is_logged(policy="office-wins", deleter=ONLINE)

    def test_an_online_edit_against_an_office_delete_of_its_contact_is_kept_or_logged(
        self,
    ) -> None:
        self.assert_the_edit_is_kept_or_logged(policy="online-wins", deleter=OFFICE)

    def test_an_office_edit_against_an_online_delete_of_its_contact_is_kept_or_logged(
        self,
    ) -> None:
        self.assert_the_edit_is_kept_or_logged(policy="office-wins", deleter=ONLINE)


class ParentDeleteOutOfOrderTests(SyncTestCase):
    databases = {"default", "office"}

    def test_a_person_arriving_before_its_contacts_winning_edit_goes_on_both_nodes(
        self,
    ) -> None:
        """Found by the long model-based profile. The online node deleted a contact; the
        office edited it and added a person under it. The person's batch arrived first: it
        lost to the contact's delete. The contact's edit then won (office wins) and brought
        the contact back. The person's delete was sent to the office with the office's own
        version, so the office took it for old news and kept the person: the nodes
        differed for good. The child's delete now carries the parent's delete."""
        nodes = TwoNodes(policy="office-wins")
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        nodes.exchange()
        nodes.contacts(ONLINE).filter(id=contact.id).delete()
        nodes.contacts(OFFICE).filter(id=contact.id).update(phone="08-123 45 67")
        person = nodes.persons(OFFICE).create(
            company=nodes.office_company, contact_id=contact.id, first_name="Ny"
        )
        engine.stamp(using=OFFICE, side=Side.OFFICE)
        link = SyncLink.objects.using(OFFICE).get(id=nodes.office_link.id)
        first = engine.collect(
            company=nodes.office_company, after=link.push_cursor, limit=1, using=OFFICE
        )
        second = engine.collect(company=nodes.office_company, after=first.upto, using=OFFICE)
        self.assertEqual([row["entity"] for row in second.rows], ["contacts.contactperson"])
        for batch in (second, first):  # reordered on the way
            with transaction.atomic(using=ONLINE):
                engine.apply(
                    link=nodes.online_link, rows=batch.rows, using=ONLINE, side=Side.ONLINE
                )
        SyncLink.objects.using(OFFICE).filter(id=link.id).update(push_cursor=second.upto)
        nodes.exchange()

        self.assertEqual(nodes.snapshot(OFFICE), nodes.snapshot(ONLINE))
        self.assertEqual(nodes.contacts(OFFICE).get(id=contact.id).phone, "08-123 45 67")
        self.assertFalse(nodes.persons(OFFICE).filter(id=person.id).exists())
        logged = SyncConflict.objects.using(ONLINE).get(row_id=person.id)
        self.assertEqual((logged.field, logged.winner), ("_deleted", "online"))


class ParentDeleteBeforePushTests(SyncTestCase):
    """The office pulls the online delete of a contact before it has pushed a person it added
    to (or edited under) that contact."""

    databases = {"default", "office"}

    def test_an_office_person_is_logged_online_when_the_contact_delete_arrives_first(
        self,
    ) -> None:
        """The pull deletes the contact on the office, and its person with it
        (`_orphaned_children`): the conflict is logged there, and the person is sent on as
        gone with its contact, so the online node, where conflicts are decided, logs it too
        (as when the office pushes first). Found by the model-based test."""
        nodes = TwoNodes(policy="office-wins")
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        nodes.exchange()
        nodes.contacts(ONLINE).filter(id=contact.id).delete()
        person = nodes.persons(OFFICE).create(
            company=nodes.office_company, contact_id=contact.id, first_name="Ny"
        )
        nodes.pull()  # the delete arrives before the person has been pushed
        nodes.exchange()

        self.assertEqual(nodes.snapshot(OFFICE), nodes.snapshot(ONLINE))
        self.assertFalse(nodes.persons(OFFICE).filter(id=person.id).exists())
        on_office = SyncConflict.objects.using(OFFICE).filter(row_id=person.id)
        self.assertEqual(
            [(c.field, c.winner) for c in on_office], [("_deleted", "online")], "office log"
        )
        logged = SyncConflict.objects.using(ONLINE).get(row_id=person.id)
        self.assertEqual((logged.field, logged.winner), ("_deleted", "online"))

    def test_the_person_deleted_with_its_contact_counts_as_applied(self) -> None:
        """The same pull deletes the office's unpushed person with its contact
        (`_orphaned_children`, then the cascade): the history counts it as applied."""
        nodes = TwoNodes(policy="office-wins")
        contact = nodes.create_contact(OFFICE, name="Kund AB")
        nodes.exchange()
        nodes.contacts(ONLINE).filter(id=contact.id).delete()
        nodes.persons(OFFICE).create(
            company=nodes.office_company, contact_id=contact.id, first_name="Ny"
        )
        engine.stamp(using=ONLINE, side=Side.ONLINE)
        link = SyncLink.objects.using(OFFICE).get(id=nodes.office_link.id)
        batch = engine.collect(
            company=nodes.online_company, after=link.pull_cursor, limit=500, using=ONLINE
        )
        with transaction.atomic(using=OFFICE):
            result = engine.apply(link=link, rows=batch.rows, using=OFFICE, side=Side.OFFICE)

        self.assertFalse(nodes.persons(OFFICE).exists())
        self.assertEqual(result.applied["contacts.contact"], 1)
        self.assertEqual(result.applied["contacts.contactperson"], 1)
