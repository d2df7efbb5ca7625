"""Money is exact: Decimal in Python, integer öre in the database, exact sums in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from skrivbord.accounting import models as m
from skrivbord.accounting.fields import MoneyField
from tests.accounting.base import BooksTestCase


class MoneyFieldTests(BooksTestCase):
    def test_it_stores_ore_and_gives_back_decimals(self) -> None:
        year = m.FiscalYear.objects.create(
            company=self.acme, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )
        balance = m.Balance.objects.create(
            company=self.acme,
            fiscal_year=year,
            kind="UB",
            account="1930",
            amount=Decimal("-1234.5"),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT amount FROM accounting_balance WHERE id = %s",
                [balance.id.hex if connection.vendor == "sqlite" else balance.id],
            )
            self.assertEqual(cursor.fetchone()[0], -123450)
        balance.refresh_from_db()
        self.assertEqual(balance.amount, Decimal("-1234.50"))
        self.assertEqual(str(balance.amount), "-1234.50")

    def test_sql_sums_are_exact_where_floats_are_not(self) -> None:
        year = m.FiscalYear.objects.create(
            company=self.acme, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )
        # 0.10 ten thousand times: a float sum drifts (1000.0000000001588), öre do not.
        m.PeriodBalance.objects.bulk_create(
            m.PeriodBalance(
                company=self.acme,
                fiscal_year=year,
                kind="PSALDO",
                period=dt.date(2025, 1, 1),
                account=str(1000 + n),
                amount=Decimal("0.10"),
            )
            for n in range(10_000)
        )
        self.assertNotEqual(sum([0.1] * 10_000), 1000)
        total = m.PeriodBalance.objects.aggregate(total=Sum("amount"))["total"]
        self.assertEqual(total, Decimal("1000.00"))
        self.assertIsInstance(total, Decimal)

    def test_it_refuses_more_than_two_decimals_and_floats(self) -> None:
        field = MoneyField()
        self.assertEqual(field.get_prep_value("12.5"), 1250)
        self.assertEqual(field.get_prep_value(Decimal("-0.01")), -1)
        for value, code in (
            (Decimal("1.005"), "too_precise"),
            (0.1, "invalid"),
            ("tolv", "invalid"),
        ):
            with self.subTest(value=value), self.assertRaises(ValidationError) as refused:
                field.get_prep_value(value)
            self.assertEqual(refused.exception.code, code)
        with self.assertRaises(ValidationError):
            field.get_prep_value(Decimal("1e20"))

    def test_lookups_compare_in_kronor(self) -> None:
        year = m.FiscalYear.objects.create(
            company=self.acme, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)
        )
        m.Balance.objects.create(
            company=self.acme, fiscal_year=year, kind="UB", account="1930", amount=Decimal("99.99")
        )
        self.assertTrue(m.Balance.objects.filter(amount__lt=Decimal("100")).exists())
        self.assertFalse(m.Balance.objects.filter(amount__gt="99.99").exists())
