"""Sync conflicts: the log, the queue of "ask a person", and decide/reverse as new edits."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from skrivbord.contacts import selectors as contact_selectors
from skrivbord.contacts import services as contact_services
from skrivbord.contacts.models import Contact
from skrivbord.core.models import User
from skrivbord.core.services import user_set_language
from skrivbord.sync import conflicts
from skrivbord.sync.models import SyncChange, SyncConflict
from tests.sync.base import SyncTestCase


class ConflictTestCase(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Messages are asserted in English, whatever the Swedish catalog says.
        self.enterContext(translation.override("en"))
        self.admin = self.access(self.alice)
        self.contact = contact_services.contact_create(
            access=self.admin, name="Kund AB", phone="08-111 11 11"
        )

    def conflict(self, **values: Any) -> SyncConflict:
        fields: dict[str, Any] = {
            "company": self.acme,
            "entity": "contacts.contact",
            "row_id": self.contact.id,
            "field": "phone",
            "office_value": "08-111 11 11",
            "online_value": "070-222 22 22",
            "policy": "ask",
            "status": "open",
            "winner": "",
            **values,
        }
        return SyncConflict.objects.create(**fields)

    def phone(self) -> str:
        return contact_selectors.contact_get(access=self.admin, contact_id=self.contact.id).phone

    def last_change(self) -> SyncChange:
        return SyncChange.objects.order_by("-seq").first()  # type: ignore[return-value]


class ConflictServiceTests(ConflictTestCase):
    def test_deciding_writes_the_chosen_value_as_a_new_captured_edit(self) -> None:
        conflict = self.conflict()
        before = SyncChange.objects.count()
        decided = conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="online")
        self.assertEqual(self.phone(), "070-222 22 22")
        self.assertEqual(SyncChange.objects.count(), before + 1)
        change = self.last_change()
        self.assertEqual(
            (change.entity, change.row_id, change.op, change.fields),
            ("contacts.contact", self.contact.id, "u", "phone"),
        )
        self.assertEqual((decided.status, decided.winner), ("decided", "online"))
        self.assertEqual(decided.decided_by, "alice@acme.se")
        self.assertIsNotNone(decided.decided_at)

    def test_deciding_for_the_value_the_record_already_has_still_sends_it(self) -> None:
        # The other node holds the other value: the decision must reach it all the same.
        conflict = self.conflict()
        before = SyncChange.objects.count()
        conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="office")
        self.assertEqual(self.phone(), "08-111 11 11")
        self.assertEqual(SyncChange.objects.count(), before + 1)
        self.assertEqual(self.last_change().fields, "phone")

    def test_reversing_writes_the_losing_value_and_keeps_the_original_winner(self) -> None:
        conflict = self.conflict(policy="office-wins", status="resolved", winner="office")
        reversed_ = conflicts.conflict_reverse(access=self.admin, conflict=conflict)
        self.assertEqual(self.phone(), "070-222 22 22")
        self.assertEqual(self.last_change().fields, "phone")
        self.assertEqual((reversed_.status, reversed_.winner), ("reversed", "office"))
        self.assertEqual(conflicts.side_in_effect(reversed_), "online")
        self.assertEqual(reversed_.decided_by, "alice@acme.se")

    def test_a_decided_conflict_can_be_reversed_but_not_decided_again(self) -> None:
        conflict = conflicts.conflict_decide(
            access=self.admin, conflict=self.conflict(), choice="online"
        )
        with self.assertRaisesMessage(ValidationError, "no longer waiting for a decision"):
            conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="office")
        conflicts.conflict_reverse(access=self.admin, conflict=conflict)
        self.assertEqual(self.phone(), "08-111 11 11")
        with self.assertRaisesMessage(ValidationError, "Only a conflict that was resolved"):
            conflicts.conflict_reverse(access=self.admin, conflict=conflict)

    def test_an_open_conflict_cannot_be_reversed(self) -> None:
        with self.assertRaises(ValidationError):
            conflicts.conflict_reverse(access=self.admin, conflict=self.conflict())

    def test_only_an_administrator_decides_or_reverses(self) -> None:
        conflict = self.conflict()
        settled = self.conflict(status="resolved", winner="office")
        for user in (self.bob, self.rita):
            with self.assertRaises(PermissionDenied):
                conflicts.conflict_decide(
                    access=self.access(user), conflict=conflict, choice="office"
                )
            with self.assertRaises(PermissionDenied):
                conflicts.conflict_reverse(access=self.access(user), conflict=settled)
        self.assertEqual(self.phone(), "08-111 11 11")

    def test_another_companys_administrator_cannot_touch_the_conflict(self) -> None:
        from django.http import Http404

        with self.assertRaises(Http404):
            conflicts.conflict_decide(
                access=self.access(self.charlie, self.umbrella),
                conflict=self.conflict(),
                choice="online",
            )
        self.assertEqual(self.phone(), "08-111 11 11")

    def test_it_refuses_an_unknown_choice(self) -> None:
        with self.assertRaises(ValidationError):
            conflicts.conflict_decide(access=self.admin, conflict=self.conflict(), choice="both")

    def test_a_boolean_field_takes_the_chosen_json_value(self) -> None:
        conflict = self.conflict(field="is_customer", office_value=False, online_value=True)
        conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="online")
        self.assertTrue(Contact.objects.get(id=self.contact.id).is_customer)

    def test_it_refuses_to_write_to_a_deleted_record(self) -> None:
        conflict = self.conflict()
        contact_services.contact_delete(access=self.admin, contact=self.contact)
        with self.assertRaisesMessage(ValidationError, "The record was deleted"):
            conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="online")
        self.assertEqual(SyncConflict.objects.get(id=conflict.id).status, "open")

    def test_keeping_a_deleted_record_is_refused_until_it_is_re_created(self) -> None:
        conflict = self.conflict(field="_deleted", office_value=True, online_value=False)
        contact_services.contact_delete(access=self.admin, contact=self.contact)
        with self.assertRaisesMessage(ValidationError, "Re-create the record"):
            conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="online")

    def test_deciding_for_the_delete_deletes_the_record_as_a_captured_delete(self) -> None:
        conflict = self.conflict(field="_deleted", office_value=True, online_value=False)
        conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="office")
        self.assertFalse(Contact.objects.filter(id=self.contact.id).exists())
        self.assertEqual(self.last_change().op, "d")

    def test_keeping_an_existing_record_sends_the_whole_record_again(self) -> None:
        conflict = self.conflict(field="_deleted", office_value=True, online_value=False)
        conflicts.conflict_decide(access=self.admin, conflict=conflict, choice="online")
        self.assertTrue(Contact.objects.filter(id=self.contact.id).exists())
        change = self.last_change()
        self.assertEqual((change.op, change.fields), ("u", "*"))

    def test_the_list_shows_open_conflicts_or_all_of_the_companys_own(self) -> None:
        open_ = self.conflict()
        settled = self.conflict(status="resolved", winner="office")
        SyncConflict.objects.create(
            company=self.umbrella,
            entity="contacts.contact",
            row_id=uuid.uuid4(),
            field="name",
            policy="ask",
            status="open",
        )
        access = self.access(self.rita)
        self.assertEqual(list(conflicts.conflict_list(access=access)), [open_])
        self.assertCountEqual(
            conflicts.conflict_list(access=access, status="all"), [open_, settled]
        )


class ConflictPageTests(ConflictTestCase):
    def url(self, name: str, conflict: SyncConflict | None = None) -> str:
        args: list[Any] = [self.acme.id] + ([conflict.id] if conflict else [])
        return reverse(f"sync:{name}", args=args)

    def english(self, user: User) -> None:
        user_set_language(user=user, language="en")
        self.login(user)

    def test_the_list_names_the_entity_record_field_values_and_rule(self) -> None:
        self.conflict()
        self.english(self.rita)
        response = self.client.get(self.url("conflicts"))
        self.assertEqual(response.status_code, 200)
        detail_url = reverse("contacts:detail", args=[self.acme.id, self.contact.id])
        self.assertContains(response, f'<a href="{detail_url}">Kund AB</a>')
        self.assertContains(response, "Contact:")  # the model's verbose name
        self.assertContains(response, "Phone")  # the field's verbose name
        self.assertContains(response, "08-111 11 11")
        self.assertContains(response, "070-222 22 22")
        self.assertContains(response, "Ask a person")

    def test_the_list_and_the_detail_say_who_changed_each_side_and_when(self) -> None:
        when = dt.datetime(2026, 11, 27, 13, 3, 5, tzinfo=dt.UTC)  # 14:03 in Stockholm
        conflict = self.conflict(
            office_by="alice@acme.se",
            office_changed_at=when,
            online_by="cli:shell",
            online_changed_at=when + dt.timedelta(minutes=1),
        )
        self.english(self.rita)
        listed = self.client.get(self.url("conflicts"))
        self.assertContains(listed, "Changed by alice@acme.se 2026-11-27 14:03")
        self.assertContains(listed, "Changed by the command line (shell) 2026-11-27 14:04")
        detail = self.client.get(self.url("conflict_detail", conflict))
        self.assertContains(detail, "Changed by alice@acme.se 2026-11-27 14:03:05")
        self.assertContains(detail, "Changed by the command line (shell) 2026-11-27 14:04:05")

    def test_an_unknown_author_leaves_the_time_alone(self) -> None:
        when = dt.datetime(2026, 11, 27, 13, 3, tzinfo=dt.UTC)
        conflict = self.conflict(office_changed_at=when, online_by="bob@acme.se")
        self.english(self.rita)
        detail = self.client.get(self.url("conflict_detail", conflict))
        self.assertContains(detail, "Changed 2026-11-27 14:03:00")
        self.assertRegex(detail.content.decode(), r"Changed by bob@acme\.se\s*</span>")

    def test_a_contact_person_links_to_its_contact(self) -> None:
        person = contact_services.contact_person_create(
            access=self.admin, contact=self.contact, first_name="Eva", email="eva@kund.se"
        )
        self.conflict(
            entity="contacts.contactperson",
            row_id=person.id,
            field="email",
            office_value="eva@kund.se",
            online_value="eva.k@kund.se",
        )
        self.english(self.bob)
        response = self.client.get(self.url("conflicts"))
        detail_url = reverse("contacts:detail", args=[self.acme.id, self.contact.id])
        self.assertContains(response, f'<a href="{detail_url}">Eva</a>')
        self.assertContains(response, "Contact person:")

    def test_the_list_filters_open_and_all(self) -> None:
        self.conflict(office_value="open-office-value")
        self.conflict(office_value="settled-office-value", status="resolved", winner="office")
        self.login(self.bob)
        response = self.client.get(self.url("conflicts"))
        self.assertContains(response, "open-office-value")
        self.assertNotContains(response, "settled-office-value")
        response = self.client.get(self.url("conflicts"), {"status": "all"})
        self.assertContains(response, "settled-office-value")

    def test_the_detail_offers_an_administrator_both_values(self) -> None:
        conflict = self.conflict()
        self.english(self.alice)
        response = self.client.get(self.url("conflict_detail", conflict))
        self.assertContains(response, "Keep the office value: 08-111 11 11")
        self.assertContains(response, "Keep the online value: 070-222 22 22")
        self.english(self.bob)
        response = self.client.get(self.url("conflict_detail", conflict))
        self.assertNotContains(response, "Keep the office value")
        self.assertContains(response, "An administrator decides")

    def test_an_administrator_decides_with_a_post(self) -> None:
        conflict = self.conflict()
        self.login(self.alice)
        response = self.client.post(self.url("conflict_decide", conflict), {"choice": "online"})
        self.assertRedirects(response, self.url("conflict_detail", conflict))
        self.assertEqual(self.phone(), "070-222 22 22")
        self.assertEqual(SyncConflict.objects.get(id=conflict.id).status, "decided")

    def test_a_decision_is_sent_as_the_deciding_administrators_edit(self) -> None:
        self.login(self.alice)
        # The value the record has (logged explicitly), then a new one (the trigger logs it).
        for choice in ("office", "online"):
            conflict = self.conflict()
            self.client.post(self.url("conflict_decide", conflict), {"choice": choice})
            change = self.last_change()
            self.assertEqual((change.fields, change.actor), ("phone", "alice@acme.se"), choice)

    def test_reversing_asks_for_confirmation_then_writes_the_losing_value(self) -> None:
        conflict = self.conflict(policy="office-wins", status="resolved", winner="office")
        self.english(self.alice)
        detail = self.client.get(self.url("conflict_detail", conflict))
        self.assertContains(detail, f'href="{self.url("conflict_reverse", conflict)}"')
        confirm = self.client.get(self.url("conflict_reverse", conflict))
        self.assertContains(confirm, "070-222 22 22")
        self.assertEqual(self.phone(), "08-111 11 11")  # nothing changes before the POST
        response = self.client.post(self.url("conflict_reverse", conflict))
        self.assertRedirects(response, self.url("conflict_detail", conflict))
        self.assertEqual(self.phone(), "070-222 22 22")
        self.assertEqual(self.last_change().fields, "phone")

    def test_a_refused_decision_is_explained(self) -> None:
        conflict = self.conflict()
        contact_services.contact_delete(access=self.admin, contact=self.contact)
        self.english(self.alice)
        response = self.client.post(
            self.url("conflict_decide", conflict), {"choice": "online"}, follow=True
        )
        self.assertContains(response, "The record was deleted")
        self.assertContains(response, "(deleted record)")

    def test_users_and_read_only_members_cannot_decide_or_reverse(self) -> None:
        conflict = self.conflict()
        settled = self.conflict(status="resolved", winner="office")
        for user in (self.bob, self.rita):
            self.login(user)
            decide = self.client.post(self.url("conflict_decide", conflict), {"choice": "online"})
            self.assertEqual(decide.status_code, 403)
            self.assertEqual(
                self.client.get(self.url("conflict_reverse", settled)).status_code, 403
            )
            self.assertEqual(
                self.client.post(self.url("conflict_reverse", settled)).status_code, 403
            )
        self.assertEqual(self.phone(), "08-111 11 11")
        self.assertEqual(SyncConflict.objects.get(id=conflict.id).status, "open")

    def test_an_open_conflict_offers_no_reversal(self) -> None:
        conflict = self.conflict()
        self.english(self.alice)
        response = self.client.get(self.url("conflict_reverse", conflict), follow=True)
        self.assertRedirects(response, self.url("conflict_detail", conflict))
        self.assertContains(response, "Only a conflict that was resolved or decided")
        response = self.client.post(self.url("conflict_reverse", conflict), follow=True)
        self.assertContains(response, "Only a conflict that was resolved or decided")
        self.assertEqual(SyncConflict.objects.get(id=conflict.id).status, "open")

    def test_deciding_needs_a_post(self) -> None:
        self.login(self.alice)
        response = self.client.get(self.url("conflict_decide", self.conflict()))
        self.assertEqual(response.status_code, 405)

    def test_charlie_gets_404_on_every_sync_page(self) -> None:
        conflict = self.conflict()
        settled = self.conflict(status="resolved", winner="office")
        self.login(self.charlie)
        for url in (
            reverse("sync:history", args=[self.acme.id]),
            self.url("conflicts"),
            self.url("conflict_detail", conflict),
            self.url("conflict_reverse", settled),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        for url in (self.url("conflict_decide", conflict), self.url("conflict_reverse", settled)):
            self.assertEqual(self.client.post(url, {"choice": "online"}).status_code, 404, url)
        # Nor through his own company's address.
        own = reverse("sync:conflict_detail", args=[self.umbrella.id, conflict.id])
        self.assertEqual(self.client.get(own).status_code, 404)
        own_decide = reverse("sync:conflict_decide", args=[self.umbrella.id, conflict.id])
        self.assertEqual(self.client.post(own_decide, {"choice": "online"}).status_code, 404)
        self.assertEqual(self.phone(), "08-111 11 11")
