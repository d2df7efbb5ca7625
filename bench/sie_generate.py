"""A realistic SIE 4E file with N transactions, written with our streaming writer.

    uv run python bench/sie_generate.py                      # 1,000,000 rows -> sie-1000000.se
    uv run python bench/sie_generate.py -n 50000 -o /tmp/demo.se --seed 7

Also importable (`from bench.sie_generate import generate`, or `from sie_generate import
generate` from this folder) for other benchmarks, tests and the demo company. Seeded: the
same arguments give the same bytes.

The books of "Åkessons Bygg & Måleri AB": a BAS chart with Swedish names (å, ä, ö in
codepage 437), cost centres (dimension 1) and projects (dimension 6), and five voucher
series in date order — A customer invoices at 25/12/6 % VAT, B supplier invoices, C bank
payments in and out, K cash purchases, L salaries with tax and employer's contributions.
Every voucher balances; opening balances balance; #UB = #IB + rows for balance-sheet
accounts and #RES = rows for result accounts, and #PSALDO gives each account's month. The
vouchers are generated twice from the same seed: once to sum the balances, which the
specification puts before the vouchers, and once to write them, so memory stays flat.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

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
    "2440": "Leverantörsskulder",
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
    "8310": "Ränteintäkter från omsättningstillgångar",
    "8410": "Räntekostnader för långfristiga skulder",
}
ACCOUNT_TYPES = {"1": "T", "2": "S", "3": "I", "8": "I"}
COST_CENTRES = {
    "100": "Ledning och administration",
    "200": "Måleri Göteborg",
    "210": "Måleri Malmö",
    "300": "Bygg Västerås",
    "310": "Bygg Örebro",
    "400": "Försäljning och kundtjänst",
}
CUSTOMERS = [
    "Bostadsrättsföreningen Björkängen",
    "Fastighets AB Älvstranden",
    "Härnösands Kommun",
    "Kvarnbäckens Förskola",
    "Löfgrens Åkeri",
    "Nordströms Café & Bageri",
    "Sjöbergs Tandvård",
    "Västerås Stads Fastighetskontor",
]
SUPPLIERS = [
    ("4010", "Beijer Byggmaterial"),
    ("4010", "Färgcentrum Väst"),
    ("4010", "Ahlsell Sverige"),
    ("5010", "Fastighetsbolaget Ängen"),
    ("5410", "Jula Företagsförsäljning"),
    ("5611", "Preem Företagskort"),
    ("6110", "Office Depot Sverige"),
    ("6212", "Telia Företag"),
]
SALES = (
    ("3001", "2611", Decimal("0.25")),
    ("3002", "2621", Decimal("0.12")),
    ("3003", "2631", Decimal("0.06")),
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


@dataclass(frozen=True)
class GeneratedFile:
    transactions: int
    vouchers: int
    path: Path | None
    seconds: float


def _vouchers(seed: int, transactions: int, year: int) -> Iterator[m.Voucher]:
    """Balanced vouchers in date order until `transactions` rows are reached."""
    rng = random.Random(seed)
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year, 12, 31) - start).days + 1
    numbers: dict[str, int] = defaultdict(int)
    projects = [f"P{n:03d}" for n in range(1, 41)]
    cc = list(COST_CENTRES)
    rows_total = 0
    # Spread the vouchers evenly over the year: about 3.3 rows each.
    per_day = max(1.0, transactions / 3.3 / days)
    carry = 0.0
    day = 0
    invoices: list[tuple[Decimal, str]] = []
    bills: list[tuple[Decimal, str]] = []
    T = m.RowKind.TRANS
    while rows_total < transactions:
        date = start + datetime.timedelta(days=min(day, days - 1))
        day += 1
        carry += per_day
        count = int(carry)
        carry -= count
        registered = date + datetime.timedelta(days=rng.randint(0, 3))
        for _ in range(count):
            if rows_total >= transactions:
                break
            kind = rng.random()
            rows: list[m.TransactionRow]
            if date.day == 25 and kind < 0.02:
                series, text = "L", f"Löner {date:%Y-%m}"
                gross = Decimal(rng.randint(30_000, 90_000))
                tax = (gross * Decimal("0.30")).quantize(CENT)
                fees = (gross * Decimal("0.3142")).quantize(CENT)
                centre = ((1, rng.choice(cc)),)
                rows = [
                    _row("7210", gross, centre, T),
                    _row("7510", fees, centre, T),
                    _row("2710", -tax, (), T),
                    _row("2731", -fees, (), T),
                    _row("1930", tax - gross, (), T),
                ]
            elif kind < 0.34:
                series, customer = "A", rng.choice(CUSTOMERS)
                sales, vat_account, rate = SALES[0] if rng.random() < 0.8 else rng.choice(SALES)
                net = Decimal(rng.randint(500_00, 12_500_000)) / 100
                vat = (net * rate).quantize(CENT)
                text = f"Faktura {10000 + numbers['A']} {customer}"
                dims = ((1, rng.choice(cc)), (6, rng.choice(projects)))
                rows = [
                    _row("1510", net + vat, (), T, text=customer),
                    _row(sales, -net, dims, T),
                    _row(vat_account, -vat, (), T),
                ]
                invoices.append((net + vat, customer))
            elif kind < 0.58:
                series = "B"
                account, supplier = rng.choice(SUPPLIERS)
                net = Decimal(rng.randint(100_00, 4_000_000)) / 100
                vat = (net * Decimal("0.25")).quantize(CENT)
                text = f"Leverantörsfaktura {supplier}"
                rows = [
                    _row(account, net, ((1, rng.choice(cc)),), T),
                    _row("2641", vat, (), T),
                    _row("2440", -(net + vat), (), T, text=supplier),
                ]
                bills.append((net + vat, supplier))
            elif kind < 0.92:
                series = "C"
                if invoices and (rng.random() < 0.55 or not bills):
                    amount, who = invoices.pop(rng.randrange(len(invoices)))
                    text = f"Inbetalning {who}"
                    rows = [_row("1930", amount, (), T), _row("1510", -amount, (), T)]
                elif bills:
                    amount, who = bills.pop(rng.randrange(len(bills)))
                    text = f"Betalning {who}"
                    rows = [_row("2440", amount, (), T), _row("1930", -amount, (), T)]
                else:
                    amount = Decimal(rng.randint(50_00, 500_00)) / 100
                    text = "Bankavgift"
                    rows = [_row("6570", amount, (), T), _row("1930", -amount, (), T)]
            else:
                series = "K"
                account = rng.choice(("6071", "6110", "6250", "5410"))
                net = Decimal(rng.randint(20_00, 2_000_00)) / 100
                vat = (net * Decimal("0.25")).quantize(CENT)
                text = rng.choice(
                    (
                        "Kaffe och fikabröd",
                        "Frimärken",
                        "Kontorsmaterial, pärmar",
                        "Lunch med kund, Göteborg",
                    )
                )
                rows = [
                    _row(account, net, ((1, rng.choice(cc)),), T),
                    _row("2641", vat, (), T),
                    _row("1910", -(net + vat), (), T),
                ]
            remaining = transactions - rows_total
            if len(rows) > remaining or remaining - len(rows) == 1:
                # The last voucher takes exactly the rows that are left (never just one).
                series, text = "C", "Bankavgifter"
                fees = [_row("6570", Decimal(1), (), T) for _ in range(remaining - 1)]
                rows = [*fees, _row("1930", -Decimal(remaining - 1), (), T)]
            numbers[series] += 1
            rows_total += len(rows)
            yield m.Voucher(
                series,
                numbers[series],
                date,
                text,
                registered,
                rng.choice(("AN", "EK", "LS")),
                tuple(rows),
            )


def _row(
    account: str,
    amount: Decimal,
    dims: tuple[tuple[int, str], ...],
    kind: m.RowKind,
    text: str = "",
) -> m.TransactionRow:
    objects = tuple(m.ObjectRef(d, c) for d, c in dims)
    return m.TransactionRow(kind, account, amount, objects, None, text)


def generate(
    target: Path | str | IO[bytes],
    *,
    transactions: int = 1_000_000,
    seed: int = 20250101,
    year: int = 2025,
) -> GeneratedFile:
    """Write the file to `target` (a path or a binary stream); `transactions` >= 2."""
    if transactions < 2:
        raise ValueError("a balanced voucher needs at least two rows")
    started = time.perf_counter()
    movement: dict[str, Decimal] = defaultdict(Decimal)
    months: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    vouchers = rows = 0
    for v in _vouchers(seed, transactions, year):
        vouchers += 1
        for r in v.rows:
            rows += 1
            movement[r.account] += r.amount
            months[(r.account, v.date.month)] += r.amount

    def records() -> Iterator[m.Record]:
        yield m.Program("skrivbord sie_generate", "1.0")
        yield m.Format("PC8")
        yield m.Generated(datetime.date(year + 1, 2, 15), "skrivbord")
        yield m.SieType(4)
        yield m.Prosa(f"Genererade exempelböcker, {rows} transaktioner")
        yield m.CompanyType("AB")
        yield m.OrgNumber("556677-8899")
        yield m.Address("Karin Åkesson", "Storgatan 12", "722 15 Västerås", "021-12 34 56")
        yield m.CompanyName("Åkessons Bygg & Måleri AB")
        yield m.FiscalYear(0, datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        yield m.FiscalYear(-1, datetime.date(year - 1, 1, 1), datetime.date(year - 1, 12, 31))
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
            yield m.Object(6, f"P{n:03d}", f"Projekt {n:03d} - kund {CUSTOMERS[n % 8]}")
        for number in ACCOUNTS:
            if number[0] in "12":
                ib = OPENING.get(number, Decimal(0))
                ub = ib + movement.get(number, Decimal(0))
                if ib:
                    yield m.Balance(m.BalanceKind.IB, 0, number, ib)
                    yield m.Balance(m.BalanceKind.UB, -1, number, ib)
                if ub:
                    yield m.Balance(m.BalanceKind.UB, 0, number, ub)
            elif movement.get(number):
                yield m.Balance(m.BalanceKind.RES, 0, number, movement[number])
        for (number, month), amount in sorted(months.items()):
            if amount:
                yield m.PeriodBalance(
                    m.PeriodKind.PSALDO, 0, datetime.date(year, month, 1), number, amount
                )
        yield from _vouchers(seed, transactions, year)

    if isinstance(target, str | Path):
        path: Path | None = Path(target)
        with Path(target).open("wb") as f:
            _write(f, records())
    else:
        path = None
        _write(target, records())
    return GeneratedFile(rows, vouchers, path, time.perf_counter() - started)


def _write(stream: IO[bytes], records: Iterator[m.Record]) -> None:
    writer = SieWriter(stream)
    writer.write_all(records)
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--transactions", type=int, default=1_000_000)
    parser.add_argument("-o", "--output", type=Path)
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    output = args.output or Path(f"sie-{args.transactions}.se")
    result = generate(output, transactions=args.transactions, seed=args.seed, year=args.year)
    size = output.stat().st_size
    print(
        f"{output}: {result.transactions:,} transactions in {result.vouchers:,} vouchers, "
        f"{size / 1e6:.1f} MB, written in {result.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
