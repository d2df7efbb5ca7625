"""The admin lists the books and changes nothing."""

from __future__ import annotations

from django.urls import reverse

from skrivbord.accounting import models as m
from skrivbord.accounting.importer import sie_import
from skrivbord.core.models import User
from tests.accounting.base import BooksTestCase
from tests.accounting.files import BOOKS


class BooksAdminTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)
        self.client.force_login(User.objects.create_superuser("root@example.se", "x" * 20))

    def test_every_list_shows_the_imported_books(self) -> None:
        for model in m.BOOKS_MODELS:
            if model is m.TransactionRow:
                continue  # shown inside its voucher
            with self.subTest(model=model.__name__):
                url = reverse(f"admin:accounting_{model._meta.model_name}_changelist")
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(
                    response, reverse(f"admin:accounting_{model._meta.model_name}_add")
                )

    def test_a_voucher_shows_its_rows_and_cannot_be_changed(self) -> None:
        voucher = m.Voucher.objects.get(series="A", number=1)
        url = reverse("admin:accounting_voucher_change", args=[voucher.id])
        response = self.client.get(url)
        self.assertContains(response, "Faktura 1")
        self.assertContains(response, "-1000.00")
        self.client.post(url, {"text": "Ändrad i admin"})
        voucher.refresh_from_db()
        self.assertEqual(voucher.text, "Faktura 1")
        delete = reverse("admin:accounting_voucher_delete", args=[voucher.id])
        self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
        self.assertTrue(m.Voucher.objects.filter(id=voucher.id).exists())
