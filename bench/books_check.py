"""books_check benchmark: the control checks over a generated year of N transactions.

    uv run python bench/books_check.py                       # 1,000,000 transactions
    uv run python bench/books_check.py --transactions 100000 --runs 5

Generates the books with bench/sie_generate.py, imports them with the importer into a fresh
SQLite database in a temporary directory (an office node), and then times, as the median of
`--runs`:

* checks: `books_check_run` (what `skrivbord books_check` does, findings stored), and each
  of the loader's steps on its own;
* floor: one hand-written aggregate query over the year's transaction rows,
  `SELECT voucher_id, SUM(amount) ... GROUP BY voucher_id` (the voucher balance test alone:
  every row read once), and the index-only `SUM(amount) ... GROUP BY account`.

Prints the seconds and the ratio checks / floor. Target: the checks within 10 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-check-"))
    os.environ.update(
        ALLOWED_HOSTS="testserver",
        SKRIVBORD_HTTPS="0",
        SKRIVBORD_DATA_DIR=str(tmp),
        SKRIVBORD_NODE="office",
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
        SECRET_KEY="bench-only",
    )
    from sie_generate import generate

    path = tmp / "bench.se"
    started = time.perf_counter()
    generate(path, transactions=args.transactions)
    print(f"generated {args.transactions:,} transactions in {time.perf_counter() - started:.1f} s")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    from skrivbord.accounting import models as m
    from skrivbord.accounting.checks import rules
    from skrivbord.accounting.checks.loader import YearLoader
    from skrivbord.accounting.checks.services import books_check_run, years_to_check
    from skrivbord.accounting.importer import sie_import
    from skrivbord.core import services

    company = services.company_create(name="Bench AB")
    started = time.perf_counter()
    result = sie_import(company=company, source=path, force=True)
    print(f"imported {result.transactions:,} rows in {time.perf_counter() - started:.1f} s")
    years = years_to_check(company)
    rows = m.TransactionRow.objects.filter(fiscal_year__in=years).count()
    print(f"checked years: {', '.join(str(y) for y in years)}; {rows:,} transaction rows")

    def timed(work: object) -> float:
        times = []
        for _run in range(args.runs):
            started = time.perf_counter()
            work()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    checks = timed(lambda: books_check_run(company=company))
    table = m.TransactionRow._meta.db_table

    def floor_query(group: str) -> None:
        with connection.cursor() as cursor:
            for year in years:
                param = m.FiscalYear._meta.pk.get_db_prep_value(year.id, connection)
                cursor.execute(
                    f"SELECT {group}, SUM(amount) FROM {table} "
                    f"WHERE fiscal_year_id = %s AND kind = 'TRANS' GROUP BY {group}",
                    [param],
                )
                cursor.fetchall()

    floor_vouchers = timed(lambda: floor_query("voucher_id"))
    floor_accounts = timed(lambda: floor_query("account"))
    findings = len(books_check_run(company=company).findings)
    print(f"\n{'':44}{'seconds':>9}{'ratio':>8}")
    print(f"{'books_check_run (' + str(findings) + ' findings)':44}{checks:9.3f}{'':>8}")
    print(
        f"{'floor: Σ per voucher (every row once)':44}{floor_vouchers:9.3f}"
        f"{checks / floor_vouchers:7.1f}x"
    )
    print(
        f"{'floor: Σ per account (index only)':44}{floor_accounts:9.3f}"
        f"{checks / floor_accounts:7.1f}x"
    )
    print("\nloader steps (latest year):")
    loader = YearLoader(years[0])
    data = rules.YearData(start=years[0].start, end=years[0].end)
    for step in (
        "balances",
        "movements",
        "per_voucher",
        "rtrans",
        "numbering",
        "dates",
        "cash",
        "reverse_charge",
        "journal",
    ):
        method = getattr(loader, step)
        started = time.perf_counter()
        method(data, years[1] if len(years) > 1 else None) if step == "balances" else method(data)
        print(f"  {step:20}{time.perf_counter() - started:9.3f}")
    print(f"target: <= 10 s; {'met' if checks <= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
