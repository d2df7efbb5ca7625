"""Gathers a fiscal year's facts for the rules (rules.YearData) with aggregate SQL.

No query loads the year's rows into Python: sums per account and per day come from the
reports' index `(fiscal_year, account, date, kind, amount)`, the per-voucher sums of the
balance and duplicate tests come from one GROUP BY with a window over its result, and the
rest are counts with a sample of the first few vouchers. Read-only: nothing is written.
"""

# SQL here is built from our own table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Sum

from skrivbord.accounting import models as m
from skrivbord.accounting.checks import rules
from skrivbord.accounting.checks.rules import AccountInfo, Sample, SeriesNumbering, VoucherRef

#: Rows of a query that picks out vouchers read at most (a year of broken books still
#: answers quickly; the counts come from separate aggregates where it matters).
MAX_PICKED = 5000
ROWS = m.TransactionRow._meta.db_table
VOUCHERS = m.Voucher._meta.db_table
#: Redovisningskonto för moms: a voucher booking it moves the period's VAT (check 15).
VAT_ACCOUNT = "2650"
CASH = (1910, 1919)
#: Reverse charge and import VAT (output side) and the input VAT booked against them.
REVERSE_CHARGE_OUT = ("2614", "2615", "2624", "2625", "2634", "2635")
REVERSE_CHARGE_IN = ("2645", "2647")


def _ore(value: Any) -> Decimal:
    return (Decimal(int(value or 0)) / 100).quantize(rules.CENT)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def voucher_label(series: str, number: int | None, occurrence: int = 0) -> str:
    label = f"{series} {number if number is not None else ''}".strip()
    return f"{label} ({occurrence + 1})" if occurrence else label


def _ref(
    voucher_id: Any, series: str, number: int | None, occurrence: int, date: Any
) -> VoucherRef:
    return VoucherRef(
        id=str(uuid.UUID(str(voucher_id))),
        label=voucher_label(series, number, occurrence),
        date=_date(date),
    )


class YearLoader:
    def __init__(self, year: m.FiscalYear, *, using: str = "default") -> None:
        self.year = year
        self.using = using
        self.connection = connections[using]
        self.year_param = m.FiscalYear._meta.pk.get_db_prep_value(year.id, self.connection)

    def sql(self, query: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(query, params)
            return list(cursor.fetchall())

    def vouchers(self) -> QuerySet[m.Voucher]:
        return m.Voucher.objects.using(self.using).filter(fiscal_year=self.year)

    def sample(self, vouchers: QuerySet[m.Voucher]) -> Sample:
        count = vouchers.count()
        if not count:
            return Sample()
        picked = vouchers.order_by("date", "series", "number", "occurrence").values_list(
            "id", "series", "number", "occurrence", "date"
        )[: rules.MAX_LISTED]
        return Sample(count=count, vouchers=tuple(_ref(*row) for row in picked))

    def load(self, previous: m.FiscalYear | None) -> rules.YearData:
        year = self.year
        data = rules.YearData(start=year.start, end=year.end)
        data.accounts = {
            number: AccountInfo(number, name, account_type)
            for number, name, account_type in m.Account.objects.using(self.using)
            .filter(company_id=year.company_id)
            .values_list("number", "name", "type")
        }
        self.balances(data, previous)
        self.movements(data)
        self.per_voucher(data)
        self.rtrans(data)
        self.numbering(data)
        self.dates(data)
        self.cash(data)
        self.reverse_charge(data)
        self.journal(data)
        return data

    def balances(self, data: rules.YearData, previous: m.FiscalYear | None) -> None:
        stated: dict[str, dict[str, Decimal]] = {"IB": {}, "UB": {}, "RES": {}}
        for kind, account, amount in (
            m.Balance.objects.using(self.using)
            .filter(fiscal_year=self.year, kind__in=stated, object_dimension=0)
            .values_list("kind", "account", "amount")
        ):
            stated[kind][account] = amount
        data.opening, data.closing, data.result = stated["IB"], stated["UB"], stated["RES"]
        if previous is not None:
            data.previous_closing = dict(
                m.Balance.objects.using(self.using)
                .filter(fiscal_year=previous, kind="UB", object_dimension=0)
                .values_list("account", "amount")
            )
        periods = (
            m.PeriodBalance.objects.using(self.using)
            .filter(fiscal_year=self.year, kind="PSALDO", object_dimension=0)
            .values("account")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        data.period_sums = {row["account"]: row["total"] for row in periods}
        if data.period_sums:
            data.last_period = (
                m.PeriodBalance.objects.using(self.using)
                .filter(fiscal_year=self.year, kind="PSALDO")
                .order_by("-period")
                .values_list("period", flat=True)
                .first()
            )

    def movements(self, data: rules.YearData) -> None:
        """Σ amount, rows and rows dated outside the year, per account: from the index."""
        year = self.year
        outside = Q(date__lt=year.start) | Q(date__gt=year.end)
        per_account = (
            m.TransactionRow.objects.using(self.using)
            .filter(fiscal_year=year, kind=m.RowKind.TRANS)
            .values("account")
            .annotate(
                total=Sum("amount"),
                rows=Count("account"),
                outside=Count("account", filter=outside),
            )
            .order_by()
        )
        movements: dict[str, Decimal] = {}
        outside_rows = 0
        for row in per_account:
            movements[row["account"]] = row["total"]
            data.rows += row["rows"]
            outside_rows += row["outside"]
        data.movements = movements
        settlements = m.TransactionRow.objects.using(self.using).filter(
            fiscal_year=year, kind=m.RowKind.TRANS, account=VAT_ACCOUNT
        )
        settled = (
            m.TransactionRow.objects.using(self.using)
            .filter(
                fiscal_year=year,
                kind=m.RowKind.TRANS,
                account__in=[a for a in movements if rules.in_range(a, 2600, 2699)],
                voucher_id__in=settlements.values("voucher_id"),
            )
            .exclude(account=VAT_ACCOUNT)
            .values("account")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        data.vat_settled = {row["account"]: row["total"] for row in settled}
        if outside_rows:
            with_rows = (
                m.TransactionRow.objects.using(self.using)
                .filter(fiscal_year=year, kind=m.RowKind.TRANS)
                .filter(outside)
                .values("voucher_id")
            )
            sample = self.sample(self.vouchers().filter(id__in=with_rows))
            data.rows_outside_year = Sample(count=outside_rows, vouchers=sample.vouchers)

    def per_voucher(self, data: rules.YearData) -> None:
        """Unbalanced vouchers and likely duplicates (same date, number of rows, gross
        amount and lowest and highest account) in one pass over the year's rows."""
        query = f"""
            WITH sums AS (
                SELECT voucher_id, SUM(amount) AS total, SUM(ABS(amount)) AS gross,
                       COUNT(*) AS n, MIN(account) AS low, MAX(account) AS high
                FROM {ROWS} WHERE fiscal_year_id = %s AND kind = 'TRANS'
                GROUP BY voucher_id
            ), marked AS (
                SELECT s.voucher_id, s.total, s.gross, s.n, s.low, s.high,
                       v.series, v.number, v.occurrence, v.date,
                       COUNT(*) OVER (PARTITION BY v.date, s.gross, s.n, s.low, s.high) AS twins
                FROM sums s JOIN {VOUCHERS} v ON v.id = s.voucher_id
            )
            SELECT voucher_id, series, number, occurrence, date, total, gross, n, low, high,
                   twins
            FROM marked WHERE total <> 0 OR (twins > 1 AND gross <> 0)
            ORDER BY date, series, number, occurrence
        """
        unbalanced = []
        groups: dict[tuple[Any, ...], list[VoucherRef]] = defaultdict(list)
        duplicates = 0
        for row in self.sql(query, [self.year_param])[: MAX_PICKED * 4]:
            voucher_id, series, number, occurrence, date, total, gross, n, low, high, twins = row
            ref = _ref(voucher_id, series, number, occurrence, date)
            if total:
                unbalanced.append((ref, _ore(total)))
            if twins > 1 and gross:
                groups[(ref.date, gross, n, low, high)].append(ref)
                duplicates += 1
        data.unbalanced = tuple(unbalanced)
        data.unbalanced_count = len(unbalanced)
        data.duplicates = tuple(tuple(group) for group in groups.values())
        data.duplicates_count = duplicates
        data.vouchers = self.vouchers().count()

    def rtrans(self, data: rules.YearData) -> None:
        query = f"""
            SELECT r.voucher_id, v.series, v.number, v.occurrence, v.date, r.account, r.amount
            FROM {ROWS} r JOIN {VOUCHERS} v ON v.id = r.voucher_id
            WHERE r.fiscal_year_id = %s AND r.kind = 'RTRANS' AND NOT EXISTS (
                SELECT 1 FROM {ROWS} t
                WHERE t.voucher_id = r.voucher_id AND t.position = r.position + 1
                  AND t.kind = 'TRANS' AND t.account = r.account AND t.amount = r.amount)
            ORDER BY v.date, v.series, v.number LIMIT {rules.MAX_PER_CODE}
        """
        data.unpaired_rtrans = tuple(
            (_ref(*row[:5]), row[5], _ore(row[6])) for row in self.sql(query, [self.year_param])
        )

    def numbering(self, data: rules.YearData) -> None:
        """Per series: gaps and repeated numbers, and vouchers dated before the voucher
        numbered just before them (a window over the year's vouchers)."""
        stats = (
            self.vouchers()
            .filter(number__isnull=False)
            .values("series")
            .annotate(count=Count("id"), first=Min("number"), last=Max("number"))
            .order_by()
        )
        query = f"""
            SELECT id, series, number, occurrence, date, previous_number, previous_date FROM (
                SELECT id, series, number, occurrence, date,
                       LAG(number) OVER (PARTITION BY series ORDER BY number, occurrence)
                           AS previous_number,
                       LAG(date) OVER (PARTITION BY series ORDER BY number, occurrence)
                           AS previous_date
                FROM {VOUCHERS} WHERE fiscal_year_id = %s AND number IS NOT NULL
            ) numbered
            WHERE occurrence > 0 OR number - previous_number > 1 OR date < previous_date
            ORDER BY series, number, occurrence
        """
        gaps: dict[str, list[tuple[int, int]]] = defaultdict(list)
        repeated: dict[str, list[VoucherRef]] = defaultdict(list)
        late: dict[str, list[VoucherRef]] = defaultdict(list)
        for row in self.sql(query, [self.year_param])[: MAX_PICKED * 4]:
            voucher_id, series, number, occurrence, date, previous_number, previous_date = row
            ref = _ref(voucher_id, series, number, occurrence, date)
            if occurrence > 0:
                repeated[series].append(ref)
            elif previous_number is not None and number - previous_number > 1:
                gaps[series].append((previous_number, number))
            if previous_date is not None and _date(date) < _date(previous_date):
                late[series].append(ref)
        data.numbering = tuple(
            SeriesNumbering(
                series=row["series"],
                count=row["count"],
                first=row["first"],
                last=row["last"],
                gaps=tuple(gaps.get(row["series"], ())),
                duplicates=tuple(repeated.get(row["series"], ())[: rules.MAX_LISTED]),
                out_of_order=tuple(late.get(row["series"], ())[: rules.MAX_LISTED]),
                out_of_order_count=len(late.get(row["series"], ())),
            )
            for row in stats
        )
        data.without_series = self.sample(self.vouchers().filter(series=""))

    def dates(self, data: rules.YearData) -> None:
        year = self.year
        vouchers = self.vouchers()
        data.outside_year = self.sample(
            vouchers.filter(Q(date__lt=year.start) | Q(date__gt=year.end))
        )
        data.registered_before_date = self.sample(vouchers.filter(registered__lt=F("date")))
        data.post_closing = self.sample(vouchers.filter(registered__gt=year.end))

    def cash_accounts(self, data: rules.YearData) -> list[str]:
        numbers = set(data.movements) | set(data.opening)
        return sorted(a for a in numbers if rules.in_range(a, *CASH))

    def cash(self, data: rules.YearData) -> None:
        """The day-by-day net of each cash account (a few hundred rows per account), and the
        vouchers on cash accounts registered more than a day after their date."""
        accounts = self.cash_accounts(data)
        if not accounts:
            return
        days: dict[str, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        per_day = (
            m.TransactionRow.objects.using(self.using)
            .filter(fiscal_year=self.year, kind=m.RowKind.TRANS, account__in=accounts)
            .values("account", "date")
            .annotate(total=Sum("amount"))
            .order_by("account", "date")
        )
        for row in per_day:
            days[row["account"]].append((row["date"], row["total"]))
        data.cash_days = dict(days)
        on_cash = (
            m.TransactionRow.objects.using(self.using)
            .filter(fiscal_year=self.year, kind=m.RowKind.TRANS, account__in=accounts)
            .values("voucher_id")
        )
        late = (
            self.vouchers()
            .filter(registered__gt=F("date") + dt.timedelta(days=1), id__in=on_cash)
            .order_by("date", "series", "number")
            .values_list("id", "series", "number", "occurrence", "date", "registered")
        )[:MAX_PICKED]
        data.cash_registered = tuple((_ref(*row[:5]), _date(row[5])) for row in late)

    def reverse_charge(self, data: rules.YearData) -> None:
        accounts = REVERSE_CHARGE_OUT + REVERSE_CHARGE_IN
        if not any(a in data.movements for a in accounts):
            return
        marks = ", ".join(["%s"] * len(accounts))
        query = f"""
            SELECT r.voucher_id FROM {ROWS} r
            WHERE r.fiscal_year_id = %s AND r.kind = 'TRANS' AND r.account IN ({marks})
            GROUP BY r.voucher_id HAVING SUM(r.amount) <> 0
        """
        unpaired = [row[0] for row in self.sql(query, [self.year_param, *accounts])]
        if unpaired:
            ids = [uuid.UUID(str(value)) for value in unpaired[:MAX_PICKED]]
            sample = self.sample(self.vouchers().filter(id__in=ids))
            data.reverse_charge = Sample(count=len(unpaired), vouchers=sample.vouchers)

    def journal(self, data: rules.YearData) -> None:
        vouchers = self.vouchers()
        data.weekend = self.sample(vouchers.filter(date__week_day__in=(1, 7)))
        with_text = m.TransactionRow.objects.using(self.using).filter(
            voucher_id=OuterRef("pk"), text__gt=""
        )
        data.without_text = self.sample(vouchers.filter(text="").exclude(Exists(with_text)))
        # First digits of the amounts (öre have the same first digit as kronor from 1 kr).
        query = f"""
            SELECT SUBSTR(CAST(ABS(amount) AS VARCHAR(20)), 1, 1) AS digit, COUNT(*)
            FROM {ROWS} WHERE fiscal_year_id = %s AND kind = 'TRANS' AND ABS(amount) >= 1000
            GROUP BY digit
        """
        data.first_digits = {
            int(digit): count
            for digit, count in self.sql(query, [self.year_param])
            if str(digit).isdigit() and digit != "0"
        }


def load_year(
    year: m.FiscalYear, previous: m.FiscalYear | None, *, using: str = "default"
) -> rules.YearData:
    return YearLoader(year, using=using).load(previous)
