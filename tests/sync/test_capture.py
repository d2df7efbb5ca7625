"""Every write path to a synchronised table is captured, and the engine's own writes are not."""

from django.db import connection

from skrivbord.contacts import services
from skrivbord.contacts.models import Contact
from skrivbord.sync.models import SyncApplying, SyncChange
from tests.sync.base import SyncTestCase


class CaptureTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.access_alice = self.access(self.alice)

    def changes(self) -> list[tuple[str, str, str]]:
        return [
            (change.entity, change.op, change.fields)
            for change in SyncChange.objects.order_by("id")
        ]

    def test_it_captures_a_create_through_the_service_with_all_fields(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        change = SyncChange.objects.get()
        self.assertEqual(
            (change.entity, change.row_id, change.company_id, change.op, change.fields),
            ("contacts.contact", contact.id, self.acme.id, "u", "*"),
        )
        self.assertIsNotNone(change.seq)

    def test_it_captures_only_the_changed_fields_of_an_update(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        services.contact_update(
            access=self.access_alice, contact=contact, name="Kund 2 AB", phone="08-1"
        )
        self.assertEqual(self.changes()[-1], ("contacts.contact", "u", "name,phone"))

    def test_it_ignores_a_save_that_changes_nothing(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        Contact.objects.filter(id=contact.id).update(name="Kund AB")
        self.assertEqual(len(self.changes()), 1)

    def test_it_captures_queryset_update_and_bulk_create_and_delete(self) -> None:
        Contact.objects.bulk_create(
            [Contact(company=self.acme, name=f"Bulk {n}") for n in range(3)]
        )
        Contact.objects.filter(company=self.acme).update(is_customer=True)
        Contact.objects.filter(name="Bulk 0").delete()
        ops = self.changes()
        self.assertEqual(ops[:3], [("contacts.contact", "u", "*")] * 3)
        self.assertEqual(ops[3:6], [("contacts.contact", "u", "is_customer")] * 3)
        self.assertEqual(ops[6:], [("contacts.contact", "d", "")])

    def test_it_captures_raw_sql(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE contacts_contact SET notes = %s WHERE id = %s",
                ["raw", contact.id.hex if connection.vendor == "sqlite" else contact.id],
            )
        self.assertEqual(self.changes()[-1], ("contacts.contact", "u", "notes"))

    def test_it_captures_contact_persons_and_cascading_deletes(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        person = services.contact_person_create(
            access=self.access_alice, contact=contact, first_name="Eva"
        )
        expected = [("contacts.contact", contact.id), ("contacts.contactperson", person.id)]
        services.contact_delete(access=self.access_alice, contact=contact)
        deleted = SyncChange.objects.filter(op="d").values_list("entity", "row_id")
        self.assertCountEqual(deleted, expected)

    def test_it_does_not_capture_the_engines_own_writes(self) -> None:
        contact = services.contact_create(access=self.access_alice, name="Kund AB")
        before = SyncChange.objects.count()
        marker = SyncApplying.objects.create()
        Contact.objects.filter(id=contact.id).update(name="From the other node")
        marker.delete()
        self.assertEqual(SyncChange.objects.count(), before)
        Contact.objects.filter(id=contact.id).update(name="Local again")
        self.assertEqual(SyncChange.objects.count(), before + 1)

    def test_it_orders_changes_by_commit_sequence(self) -> None:
        for n in range(3):
            services.contact_create(access=self.access_alice, name=f"K{n}")
        seqs = list(SyncChange.objects.order_by("id").values_list("seq", flat=True))
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), 3)

    def test_it_captures_writes_through_the_web_ui_the_api_and_the_admin(self) -> None:
        from skrivbord.core import services as core_services

        self.login(self.alice)
        self.client.post(
            f"/c/{self.acme.id}/contacts/new/",
            {
                "kind": "organisation",
                "name": "Från webben AB",
                "postal_country": "SE",
                "visiting_country": "SE",
            },
        )
        _token, secret = core_services.token_create(user=self.alice, name="t")
        self.client.post(
            f"/api/v1/companies/{self.acme.id}/contacts",
            {"name": "Från API:t AB"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        staff = core_services.user_create(
            email="staff@skrivbord.se", password="x", check_password=False
        )
        staff.is_staff = staff.is_superuser = True
        staff.save()
        self.client.force_login(staff)
        self.client.post(
            "/admin/contacts/contact/add/",
            {
                "company": str(self.acme.id),
                "kind": "organisation",
                "name": "Från admin AB",
                "postal_country": "SE",
                "visiting_country": "SE",
                "persons-TOTAL_FORMS": "0",
                "persons-INITIAL_FORMS": "0",
            },
        )
        names = set(Contact.objects.values_list("name", flat=True))
        self.assertEqual(names, {"Från webben AB", "Från API:t AB", "Från admin AB"})
        captured = set(
            SyncChange.objects.filter(op="u", fields="*").values_list("row_id", flat=True)
        )
        self.assertEqual(captured, set(Contact.objects.values_list("id", flat=True)))
