"""Realistic SIE 4E books of any size, written with our streaming writer. No Django.

    from skrivbord.accounting.sie.generate import generate

    generate("books.se", transactions=50_000, seed=7)  # one year, exactly 50,000 rows
    generate(
        stream,
        transactions=8_000,
        year=2026,
        years=2,  # 2025 and 2026
        until=datetime.date(2026, 11, 27),  # no voucher after this day
        company=CompanyInfo("Demoföretaget AB", "559123-4567"),
    )

Seeded: the same arguments give the same bytes. Used by the benchmarks
(`bench/sie_generate.py` is its command line), the tests and the demo company's books
(`skrivbord.demo.books`).

The books of a small Swedish building and painting company: a BAS chart with Swedish names
(å, ä, ö in codepage 437), cost centres (dimension 1) and projects (dimension 6), and six
voucher series in date order, on working days:

* A customer invoices at 25/12/6 % VAT, paid by the customer around the due date (30 days);
* B supplier invoices (materials on projects, rent, phone, fuel...), paid on the due date;
* C bank: payments in and out, the tax account, cash withdrawals for the till;
* K cash purchases (the till is topped up from the bank before it would go below zero, and
  cash vouchers are registered the same or the next working day, as BFL 5:2 asks);
* L salaries on the 25th with preliminary tax and employer's contributions per cost centre;
* M journal entries: the month's VAT moved to 2650 at the month's end, the tax return on the
  12th (VAT and payroll taxes to the tax account), and at a complete year's end depreciation,
  corporate tax and the closing entry (8999 against 2099); the next spring the result is
  moved to retained earnings and the tax paid.

Amounts are log-uniform (their first digits follow Benford's law) and scale with the size:
salaries, rent and purchases are shares of the expected sales, so the key figures look like
a small company's whatever the number of rows.

Every voucher balances; the opening balances balance; #UB = #IB + rows for balance-sheet
accounts and #RES = rows for result accounts, per year; the next year's #IB is the year
before's #UB; #PSALDO gives each account's month. The vouchers are generated twice from the
same seed: once to sum the balances, which the specification puts before the vouchers, and
once to write them, so memory stays flat.
"""

from __future__ import annotations

import datetime
import heapq
import math
import random
import time
from collections import defaultdict
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import IO

from skrivbord.accounting.sie import model as m
from skrivbord.accounting.sie.writer import SieWriter

ACCOUNTS = {
    "1220": "Inventarier och verktyg",
    "1229": "Ackumulerade avskrivningar på inventarier och verktyg",
    "1510": "Kundfordringar",
    "1630": "Avräkning för skatter och avgifter (skattekonto)",
    "1910": "Kassa",
    "1930": "Företagskonto/checkkonto/affärskonto",
    "2081": "Aktiekapital",
    "2091": "Balanserad vinst eller förlust",
    "2099": "Årets resultat",
    "2440": "Leverantörsskulder",
    "2512": "Beräknad inkomstskatt",
    "2611": "Utgående moms på försäljning inom Sverige, 25 %",
    "2621": "Utgående moms på försäljning inom Sverige, 12 %",
    "2631": "Utgående moms på försäljning inom Sverige, 6 %",
    "2641": "Debiterad ingående moms",
    "2650": "Redovisningskonto för moms",
    "2710": "Personalskatt",
    "2731": "Avräkning lagstadgade sociala avgifter",
    "3001": "Försäljning inom Sverige, 25 % moms",
    "3002": "Försäljning inom Sverige, 12 % moms",
    "3003": "Försäljning inom Sverige, 6 % moms",
    "4010": "Inköp material och varor",
    "5010": "Lokalhyra",
    "5410": "Förbrukningsinventarier",
    "5611": "Drivmedel för personbilar",
    "6071": "Representation, avdragsgill",
    "6110": "Kontorsmateriel",
    "6212": "Mobiltelefon",
    "6250": "Postbefordran",
    "6570": "Bankkostnader",
    "7210": "Löner till tjänstemän",
    "7510": "Arbetsgivaravgifter 31,42 %",
    "7832": "Avskrivningar på inventarier och verktyg",
    "8310": "Ränteintäkter från omsättningstillgångar",
    "8410": "Räntekostnader för långfristiga skulder",
    "8910": "Skatt som belastar årets resultat",
    "8999": "Årets resultat",
}
ACCOUNT_TYPES = {"1": "T", "2": "S", "3": "I", "8": "K"}
COST_CENTRES = {
    "100": "Ledning och administration",
    "200": "Måleri Göteborg",
    "210": "Måleri Malmö",
    "300": "Bygg Västerås",
    "310": "Bygg Örebro",
    "400": "Försäljning och kundtjänst",
}
#: Each cost centre's share of the salaries.
SALARY_SHARES = {"100": 0.12, "200": 0.22, "210": 0.18, "300": 0.22, "310": 0.16, "400": 0.10}
CUSTOMERS = (
    "Bostadsrättsföreningen Björkängen",
    "Fastighets AB Älvstranden",
    "Härnösands Kommun",
    "Kvarnbäckens Förskola",
    "Löfgrens Åkeri",
    "Nordströms Café & Bageri",
    "Sjöbergs Tandvård",
    "Västerås Stads Fastighetskontor",
)
SUPPLIERS = (
    "Beijer Byggmaterial",
    "Färgcentrum Väst",
    "Ahlsell Sverige",
    "Jula Företagsförsäljning",
    "Preem Företagskort",
    "Office Depot Sverige",
    "Telia Företag",
)
#: What a supplier invoice is for, and how often (materials are bought for projects).
PURCHASES = (("4010", 0.70), ("5410", 0.12), ("5611", 0.10), ("6110", 0.04), ("6212", 0.04))
LANDLORD = "Fastighetsbolaget Ängen"
SALES = (
    ("3001", "2611", Decimal("0.25")),
    ("3002", "2621", Decimal("0.12")),
    ("3003", "2631", Decimal("0.06")),
)
OUTPUT_VAT = ("2611", "2621", "2631")
CASH_TEXTS = (
    ("6071", "Lunch med kund"),
    ("6110", "Kontorsmaterial, pärmar"),
    ("6250", "Frimärken"),
    ("5410", "Kaffe och fikabröd"),
    ("5410", "Skruv och tejp, järnhandeln"),
)
OPENING = {  # balances on the first day (debit +, credit -), summing to zero
    "1220": Decimal("185000.00"),
    "1229": Decimal("-37000.00"),
    "1510": Decimal("212450.00"),
    "1630": Decimal("4120.00"),
    "1910": Decimal("8500.00"),
    "1930": Decimal("642310.55"),
    "2081": Decimal("-50000.00"),
    "2091": Decimal("-701330.55"),
    "2440": Decimal("-168450.00"),
    "2650": Decimal("-45600.00"),
    "2710": Decimal("-28000.00"),
    "2731": Decimal("-22000.00"),
}
CENT = Decimal("0.01")
ZERO = Decimal(0)
#: Mean rows of one business event (an invoice and its payment, a purchase...), for the pace.
ROWS_PER_EVENT = 4.6
#: Rows of the monthly vouchers (rent, salaries, VAT, tax return) per working day.
PERIODIC_ROWS_PER_DAY = 32 / 21.7
WORKING_DAYS_PER_MONTH = 21.7
#: The share of the events that are customer invoices.
INVOICE_SHARE = 0.42
#: The period's last day leaves this many rows for its payments, VAT and bank fees.
LAST_DAY_MARGIN = 40
#: Fewer rows in a year than this: no year-end entries (tests with tiny books).
MIN_ROWS_FOR_YEAR_END = 200
#: Invoice amounts (net, kronor): log-uniform between these.
INVOICE_NET = (500, 125_000)
BILL_NET = (100, 40_000)
CASH_NET = (20, 2_000)
#: Shares of the expected sales: salaries (gross), rent.
SALARY_SHARE = 0.30
RENT_SHARE = 0.05
TAX_RATE = Decimal("0.206")
DEPRECIATION_RATE = Decimal("0.20")
#: Rows the year-end entries take at most (depreciation, tax, closing entry).
YEAR_END_ROWS = 6
#: The till is topped up below this, with this much.
CASH_LOW = Decimal(3000)
CASH_TOP_UP = Decimal(10000)


@dataclass(frozen=True)
class CompanyInfo:
    """Whose books: #FNAMN, #ORGNR and #ADRESS."""

    name: str
    org_number: str
    contact: str = ""
    street: str = ""
    postal: str = ""
    phone: str = ""


AKESSONS = CompanyInfo(
    "Åkessons Bygg & Måleri AB",
    "556677-8899",
    "Karin Åkesson",
    "Storgatan 12",
    "722 15 Västerås",
    "021-12 34 56",
)


@dataclass(frozen=True)
class GeneratedFile:
    transactions: int
    vouchers: int
    path: Path | None
    seconds: float


@dataclass(frozen=True)
class Books:
    """What to generate; see `generate`."""

    transactions: int
    seed: int
    year: int
    years: int
    until: datetime.date | None
    company: CompanyInfo
    customers: tuple[str, ...]
    suppliers: tuple[str, ...]

    @property
    def first_year(self) -> int:
        return self.year - self.years + 1

    def period(self, year: int) -> tuple[datetime.date, datetime.date]:
        """The days of `year` that have vouchers: to the year's end, or to `until`."""
        end = datetime.date(year, 12, 31)
        if self.until is not None and self.until < end:
            end = self.until
        return datetime.date(year, 1, 1), end

    def row_targets(self) -> list[int]:
        """The rows of each year, in proportion to its days (the last takes what is left)."""
        days = [(e - s).days + 1 for s, e in map(self.period, self.years_covered())]
        total = sum(days)
        targets = [self.transactions * d // total for d in days[:-1]]
        return [*targets, self.transactions - sum(targets)]

    def years_covered(self) -> range:
        return range(self.first_year, self.year + 1)


def _working_day_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _working_day_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _next_working_day(day: datetime.date) -> datetime.date:
    return _working_day_on_or_after(day + datetime.timedelta(days=1))


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _log_uniform(rng: random.Random, low: float, high: float) -> Decimal:
    """Kronor and öre, log-uniform between low and high: first digits as Benford's law."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return Decimal(round(value * 100)) / 100


def _row(
    account: str,
    amount: Decimal,
    dims: tuple[tuple[int, str], ...] = (),
    text: str = "",
) -> m.TransactionRow:
    objects = tuple(m.ObjectRef(d, c) for d, c in dims)
    return m.TransactionRow(m.RowKind.TRANS, account, amount, objects, None, text)


class _Generator:
    """One pass over all the years: the vouchers in date order, with the running balances
    that the payments, the VAT return and the year-end entries need."""

    def __init__(self, books: Books) -> None:
        self.books = books
        self.rng = random.Random(books.seed)  # noqa: S311 -- reproducible books, not secrets
        self.balance: dict[str, Decimal] = defaultdict(Decimal, OPENING)
        self.projects = [f"P{n:03d}" for n in range(1, 41)]
        self.centres = list(COST_CENTRES)
        # Payments to come: (day, order, kind, amount, who), kind "in" or "out".
        self.due: list[tuple[datetime.date, int, str, Decimal, str]] = []
        self.order = 0
        # Last year's result and tax, settled in the spring.
        self.result_to_move = ZERO
        self.tax_to_pay = ZERO

    # --- the whole run ------------------------------------------------------------------------

    def vouchers(self) -> Iterator[tuple[int, m.Voucher]]:
        """(fiscal year, voucher) for every voucher of every year."""
        for year, target in zip(self.books.years_covered(), self.books.row_targets(), strict=True):
            for voucher in self._year(year, target):
                yield year, voucher

    def _year(self, year: int, target: int) -> Iterator[m.Voucher]:
        start, end = self.books.period(year)
        complete = end == datetime.date(year, 12, 31)
        reserve = YEAR_END_ROWS if complete and target >= MIN_ROWS_FOR_YEAR_END else 0
        self.numbers: dict[str, int] = defaultdict(int)
        self.rows_left = target - reserve
        self.year_end = end
        # The result accounts start every year at zero.
        for account in [a for a in self.balance if a >= "3000"]:
            del self.balance[account]
        days = [
            start + datetime.timedelta(days=n)
            for n in range((end - start).days + 1)
            if (start + datetime.timedelta(days=n)).weekday() < 5
        ] or [end]
        # Expected sales per month, from the pace of the events: salaries and rent are
        # shares of it, so the figures look like a company's whatever the size.
        months = len(days) / WORKING_DAYS_PER_MONTH
        # (Last year's open invoices are paid this year, two rows each.)
        rows = self.rows_left - PERIODIC_ROWS_PER_DAY * len(days) - 2 * len(self.due)
        events = max(0.0, rows) / ROWS_PER_EVENT
        invoice_mean = (INVOICE_NET[1] - INVOICE_NET[0]) / math.log(INVOICE_NET[1] / INVOICE_NET[0])
        self.monthly_sales = events / max(months, 1.0) * INVOICE_SHARE * invoice_mean
        carry = 0.0
        for index, day in enumerate(days):
            if self.rows_left <= 0:
                break
            after = len(days) - 1 - index  # working days after this one
            yield from self._morning(day)
            if after:
                # The pace follows what is left, so the vouchers spread over the period.
                expected = self.rows_left - PERIODIC_ROWS_PER_DAY * after
                carry += max(0.0, expected) / ROWS_PER_EVENT / (after + 1)
                count = int(carry)
                carry -= count
                for _ in range(count):
                    if self.rows_left <= 0:
                        break
                    yield from self._event(day)
            else:
                # The last working day takes what is left, but for the day's payments, the
                # month's VAT and a few bank fees.
                while self.rows_left > LAST_DAY_MARGIN:
                    yield from self._event(day)
            yield from self._payments(day, keep=LAST_DAY_MARGIN // 2 if not after else 0)
            yield from self._evening(day)
            if not after:
                yield from self._filler(day, self.rows_left)
        if reserve:
            self.rows_left += reserve
            yield from self._year_end(year, end)

    # --- emitting -----------------------------------------------------------------------------

    def _emit(
        self,
        series: str,
        day: datetime.date,
        text: str,
        rows: list[m.TransactionRow],
        *,
        registered: datetime.date | None = None,
    ) -> Generator[m.Voucher, None, bool]:
        """The voucher, or when it does not fit in the rows left, bank fees that take them
        (the period's last vouchers). Returns whether it was written."""
        rows = [r for r in rows if r.amount]
        if not rows:
            return False
        left = self.rows_left
        if len(rows) > left:
            yield from self._filler(day, left)
            return False
        if left - len(rows) == 1:
            # One row could not be a voucher: this one takes it (its last row in two parts).
            last = rows.pop()
            part = (last.amount / 2).quantize(CENT)
            rows += [replace(last, amount=part), replace(last, amount=last.amount - part)]
        if registered is None:
            registered = day + datetime.timedelta(days=self.rng.randint(0, 3))
        if self.books.until is not None and registered > self.books.until:
            registered = self.books.until
        self.rows_left -= len(rows)
        for r in rows:
            self.balance[r.account] += r.amount
        self.numbers[series] += 1
        yield m.Voucher(
            series,
            self.numbers[series],
            day,
            text,
            registered,
            self.rng.choice(("AN", "EK", "LS")),
            tuple(rows),
        )
        return True

    def _filler(self, day: datetime.date, left: int) -> Iterator[m.Voucher]:
        """Bank fees that take exactly the `left` rows (two or three a voucher)."""
        while left >= 2:
            fees = [_log_uniform(self.rng, 20, 200) for _ in range(1 if left != 3 else 2)]
            rows = [*(_row("6570", fee) for fee in fees), _row("1930", -sum(fees, ZERO))]
            self.rows_left = len(rows)
            yield from self._emit("C", day, "Bankavgifter", rows, registered=day)
            left -= len(rows)
        self.rows_left = 0

    # --- what happens on a day ----------------------------------------------------------------

    def _morning(self, day: datetime.date) -> Iterator[m.Voucher]:
        if day == _working_day_on_or_after(day.replace(day=1)):
            yield from self._rent(day)
        if day == _working_day_on_or_after(day.replace(day=12)):
            yield from self._tax_return(day)
        if day == _working_day_on_or_before(day.replace(day=25)):
            yield from self._salaries(day)
        if day.month == 5 and day == _working_day_on_or_after(day.replace(day=20)):
            yield from self._last_years_result(day)

    def _evening(self, day: datetime.date) -> Iterator[m.Voucher]:
        last = _month_end(day)
        if last <= self.year_end and day == _working_day_on_or_before(last):
            yield from self._vat(day)

    def _event(self, day: datetime.date) -> Iterator[m.Voucher]:
        rng = self.rng
        kind = rng.random()
        if kind < 0.42:
            yield from self._invoice(day)
        elif kind < 0.88:
            yield from self._bill(day)
        elif kind < 0.97:
            yield from self._cash_purchase(day)
        else:
            amount = _log_uniform(rng, 50, 500)
            yield from self._emit(
                "C", day, "Bankavgift", [_row("6570", amount), _row("1930", -amount)]
            )

    def _invoice(self, day: datetime.date) -> Iterator[m.Voucher]:
        rng = self.rng
        customer = rng.choice(self.books.customers)
        sales, vat_account, rate = SALES[0] if rng.random() < 0.8 else rng.choice(SALES)
        net = _log_uniform(rng, *INVOICE_NET)
        vat = (net * rate).quantize(CENT)
        text = f"Faktura {10000 + self.numbers['A']} {customer}"
        dims = ((1, rng.choice(self.centres)), (6, rng.choice(self.projects)))
        rows = [
            _row("1510", net + vat, text=customer),
            _row(sales, -net, dims),
            _row(vat_account, -vat),
        ]
        if (yield from self._emit("A", day, text, rows)):
            # Most customers pay within a few days of the due date, some a few weeks late.
            delay = 30 + int(rng.triangular(-8, 30, 2))
            self._due(day + datetime.timedelta(days=delay), "in", net + vat, customer)

    def _bill(self, day: datetime.date) -> Iterator[m.Voucher]:
        rng = self.rng
        supplier = rng.choice(self.books.suppliers)
        pick = rng.random()
        account = PURCHASES[-1][0]
        for candidate, share in PURCHASES:
            if pick < share:
                account = candidate
                break
            pick -= share
        net = _log_uniform(rng, *BILL_NET)
        dims: tuple[tuple[int, str], ...] = ((1, rng.choice(self.centres)),)
        if account == "4010":
            dims = (*dims, (6, rng.choice(self.projects)))
        yield from self._supplier_invoice(day, supplier, account, net, dims)

    def _supplier_invoice(
        self,
        day: datetime.date,
        supplier: str,
        account: str,
        net: Decimal,
        dims: tuple[tuple[int, str], ...],
    ) -> Iterator[m.Voucher]:
        vat = (net * Decimal("0.25")).quantize(CENT)
        rows = [
            _row(account, net, dims),
            _row("2641", vat),
            _row("2440", -(net + vat), text=supplier),
        ]
        if (yield from self._emit("B", day, f"Leverantörsfaktura {supplier}", rows)):
            self._due(day + datetime.timedelta(days=30), "out", net + vat, supplier)

    def _cash_purchase(self, day: datetime.date) -> Iterator[m.Voucher]:
        rng = self.rng
        account, text = rng.choice(CASH_TEXTS)
        net = _log_uniform(rng, *CASH_NET)
        vat = (net * Decimal("0.25")).quantize(CENT)
        if self.balance["1910"] - (net + vat) < CASH_LOW:
            top_up = CASH_TOP_UP + (net + vat).quantize(Decimal(1000))
            filled = yield from self._emit(
                "C",
                day,
                "Uttag till kassan",
                [_row("1910", top_up), _row("1930", -top_up)],
                registered=day,
            )
            if not filled:
                return  # the rows ran out before the till was filled
        # Cash is booked the same or the next working day (BFL 5:2).
        registered = day if rng.random() < 0.7 else _next_working_day(day)
        rows = [
            _row(account, net, ((1, rng.choice(self.centres)),)),
            _row("2641", vat),
            _row("1910", -(net + vat)),
        ]
        yield from self._emit("K", day, text, rows, registered=registered)

    def _due(self, day: datetime.date, kind: str, amount: Decimal, who: str) -> None:
        self.order += 1
        heapq.heappush(self.due, (_working_day_on_or_after(day), self.order, kind, amount, who))

    def _payments(self, day: datetime.date, keep: int = 0) -> Iterator[m.Voucher]:
        """What is due today (and, at the period's end, leaves `keep` rows)."""
        while self.due and self.due[0][0] <= day and self.rows_left > keep + 2:
            _, _, kind, amount, who = heapq.heappop(self.due)
            if kind == "in":
                text = f"Inbetalning {who}"
                rows = [_row("1930", amount), _row("1510", -amount, text=who)]
            else:
                text = f"Betalning {who}"
                rows = [_row("2440", amount, text=who), _row("1930", -amount)]
            yield from self._emit("C", day, text, rows)

    def _rent(self, day: datetime.date) -> Iterator[m.Voucher]:
        net = Decimal(round(self.monthly_sales * RENT_SHARE / 100) * 100)
        if net > 0:
            yield from self._supplier_invoice(day, LANDLORD, "5010", net, ((1, "100"),))

    def _salaries(self, day: datetime.date) -> Iterator[m.Voucher]:
        total = self.monthly_sales * SALARY_SHARE * self.rng.uniform(0.95, 1.05)
        rows: list[m.TransactionRow] = []
        gross_sum = fees_sum = ZERO
        for centre, share in SALARY_SHARES.items():
            gross = Decimal(round(total * share / 100) * 100)
            fees = (gross * Decimal("0.3142")).quantize(CENT)
            rows += [_row("7210", gross, ((1, centre),)), _row("7510", fees, ((1, centre),))]
            gross_sum += gross
            fees_sum += fees
        tax = (gross_sum * Decimal("0.30")).quantize(Decimal(1))
        rows += [
            _row("2710", -tax),
            _row("2731", -fees_sum),
            _row("1930", tax - gross_sum),
        ]
        yield from self._emit("L", day, f"Löner {day:%Y-%m}", rows, registered=day)

    def _vat(self, day: datetime.date) -> Iterator[m.Voucher]:
        """The month's VAT to the VAT account (momsredovisning)."""
        rows = [_row(a, -self.balance[a]) for a in (*OUTPUT_VAT, "2641")]
        net = sum((r.amount for r in rows), ZERO)
        rows.append(_row("2650", -net))
        yield from self._emit("M", day, f"Momsredovisning {day:%Y-%m}", rows, registered=day)

    def _tax_return(self, day: datetime.date) -> Iterator[m.Voucher]:
        """VAT and payroll taxes to the tax account, and the payment into it."""
        rows = [_row(a, -self.balance[a]) for a in ("2650", "2710", "2731")]
        total = sum((r.amount for r in rows), ZERO)
        if not total:
            return
        rows.append(_row("1630", -total))
        month = (day.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        yield from self._emit("M", day, f"Skattedeklaration {month}", rows, registered=day)
        if self.balance["1630"] < 0:
            owed = -self.balance["1630"]
            yield from self._emit(
                "C",
                day,
                "Inbetalning till skattekontot",
                [_row("1630", owed), _row("1930", -owed)],
                registered=day,
            )

    def _year_end(self, year: int, end: datetime.date) -> Iterator[m.Voucher]:
        """Depreciation, corporate tax and the closing entry (8999 against 2099)."""
        day = end
        depreciation = (self.balance["1220"] * DEPRECIATION_RATE).quantize(Decimal(1))
        result = -sum((v for a, v in self.balance.items() if "3000" <= a <= "8989"), ZERO)
        if result - depreciation <= 0:
            # No tax on a loss: its two rows go to bank fees first (the result stays a loss).
            yield from self._filler(day, 2)
            self.rows_left = YEAR_END_ROWS - 2
        yield from self._emit(
            "M",
            day,
            f"Avskrivningar inventarier {year}",
            [_row("7832", depreciation), _row("1229", -depreciation)],
            registered=day,
        )
        result = -sum((v for a, v in self.balance.items() if "3000" <= a <= "8989"), ZERO)
        tax = (result * TAX_RATE).quantize(Decimal(1)) if result > 0 else ZERO
        yield from self._emit(
            "M",
            day,
            f"Skatt på årets resultat {year}",
            [_row("8910", tax), _row("2512", -tax)],
            registered=day,
        )
        result -= tax
        yield from self._emit(
            "M",
            day,
            f"Årets resultat {year}",
            [_row("8999", result), _row("2099", -result)],
            registered=day,
        )
        self.result_to_move = result
        self.tax_to_pay = tax

    def _last_years_result(self, day: datetime.date) -> Iterator[m.Voucher]:
        """After the annual general meeting: the result to retained earnings, the tax paid."""
        if self.result_to_move:
            result, self.result_to_move = self.result_to_move, ZERO
            yield from self._emit(
                "M",
                day,
                "Vinstdisposition enligt årsstämma",
                [_row("2099", result), _row("2091", -result)],
                registered=day,
            )
        if self.tax_to_pay:
            tax, self.tax_to_pay = self.tax_to_pay, ZERO
            yield from self._emit(
                "C", day, "Slutlig skatt", [_row("2512", tax), _row("1930", -tax)]
            )


def generate(
    target: Path | str | IO[bytes],
    *,
    transactions: int = 1_000_000,
    seed: int = 20250101,
    year: int = 2025,
    years: int = 1,
    until: datetime.date | None = None,
    company: CompanyInfo = AKESSONS,
    customers: Sequence[str] = CUSTOMERS,
    suppliers: Sequence[str] = SUPPLIERS,
    generated: datetime.date | None = None,
) -> GeneratedFile:
    """Write the books to `target` (a path or a binary stream).

    `transactions` rows in all (at least 2 per year), spread over the fiscal years `year -
    years + 1` to `year` (calendar years) in proportion to their days; with `until`, no
    voucher is dated or registered after that day (the last year then ends there, without
    year-end entries). `generated` is the #GEN date (default: `until`, or 15 February after
    the last year).
    """
    if years < 1:
        raise ValueError("at least one fiscal year")
    if transactions < 2 * years:
        raise ValueError("a balanced voucher needs at least two rows")
    if until is not None and until < datetime.date(year, 1, 1):
        raise ValueError("`until` must be in the last fiscal year")
    if not customers or not suppliers:
        raise ValueError("customers and suppliers are needed")
    books = Books(
        transactions, seed, year, years, until, company, tuple(customers), tuple(suppliers)
    )
    started = time.perf_counter()
    # year -> account -> movement; (year, account, month) -> movement
    movement: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    months: dict[tuple[int, str, int], Decimal] = defaultdict(Decimal)
    vouchers = rows = 0
    for fiscal_year, v in _Generator(books).vouchers():
        vouchers += 1
        year_movement = movement[fiscal_year]
        for r in v.rows:
            rows += 1
            year_movement[r.account] += r.amount
            months[(fiscal_year, r.account, v.date.month)] += r.amount
    generated = generated or until or datetime.date(year + 1, 2, 15)

    def records() -> Iterator[m.Record]:
        yield m.Program("skrivbord sie_generate", "1.0")
        yield m.Format("PC8")
        yield m.Generated(generated, "skrivbord")
        yield m.SieType(4)
        yield m.Prosa(f"Genererade exempelböcker, {rows} transaktioner")
        yield m.CompanyType("AB")
        yield m.OrgNumber(company.org_number)
        if company.contact or company.street or company.postal or company.phone:
            yield m.Address(company.contact, company.street, company.postal, company.phone)
        yield m.CompanyName(company.name)
        last = year if years > 1 else year - 1  # one year: #RAR -1 too, without vouchers
        for index, fiscal_year in enumerate(range(year, min(books.first_year, last) - 1, -1)):
            yield m.FiscalYear(
                -index, datetime.date(fiscal_year, 1, 1), datetime.date(fiscal_year, 12, 31)
            )
        yield m.TaxYear(year + 1)
        yield m.ChartType("BAS2025")
        yield m.Currency("SEK")
        for number, name in ACCOUNTS.items():
            yield m.Account(number, name)
        for number in ACCOUNTS:
            yield m.AccountType(number, ACCOUNT_TYPES.get(number[0], "K"))
        yield m.Dimension(1, "Kostnadsställe")
        yield m.Dimension(6, "Projekt")
        for code, name in COST_CENTRES.items():
            yield m.Object(1, code, name)
        for n in range(1, 41):
            yield m.Object(6, f"P{n:03d}", f"Projekt {n:03d} - {customers[n % len(customers)]}")
        yield from _balances(books, movement)
        for (fiscal_year, number, month), amount in sorted(months.items()):
            if amount:
                yield m.PeriodBalance(
                    m.PeriodKind.PSALDO,
                    fiscal_year - year,
                    datetime.date(fiscal_year, month, 1),
                    number,
                    amount,
                )
        for _, voucher in _Generator(books).vouchers():
            yield voucher

    if isinstance(target, str | Path):
        path: Path | None = Path(target)
        with Path(target).open("wb") as f:
            _write(f, records())
    else:
        path = None
        _write(target, records())
    return GeneratedFile(rows, vouchers, path, time.perf_counter() - started)


def _balances(
    books: Books, movement: dict[int, dict[str, Decimal]]
) -> Iterator[m.Balance | m.PeriodBalance]:
    """#IB, #UB and #RES of every year; a year's #IB is the year before's #UB."""
    opening = dict(OPENING)
    for fiscal_year in books.years_covered():
        index = fiscal_year - books.year
        moved = movement.get(fiscal_year, {})
        closing: dict[str, Decimal] = {}
        for number in ACCOUNTS:
            if number[0] in "12":
                ib = opening.get(number, ZERO)
                ub = ib + moved.get(number, ZERO)
                if ib:
                    yield m.Balance(m.BalanceKind.IB, index, number, ib)
                    if books.years == 1:
                        yield m.Balance(m.BalanceKind.UB, index - 1, number, ib)
                if ub:
                    yield m.Balance(m.BalanceKind.UB, index, number, ub)
                    closing[number] = ub
            elif moved.get(number):
                yield m.Balance(m.BalanceKind.RES, index, number, moved[number])
        opening = closing


def _write(stream: IO[bytes], records: Iterator[m.Record]) -> None:
    writer = SieWriter(stream)
    writer.write_all(records)
    writer.close()
