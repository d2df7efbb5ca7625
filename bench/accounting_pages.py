"""The accounting pages over a generated year of N transactions (default 1,000,000).

    uv run python bench/accounting_pages.py [--transactions 1000000] [--file FILE.se]
    DATABASE_URL=postgres://user@127.0.0.1:5432/skrivbord uv run python bench/accounting_pages.py

Imports the file into a fresh office node (SQLite in a temporary directory, or a
`test_<name>` PostgreSQL database next to the configured one, dropped at the end), then
times each page as a request through `django.test.Client` (server time: routing,
middleware, access check, queries, template) against a floor measured in the same run: the
hand-written SQL that fetches the same rows (the page's main query, LIMIT and all). Prints
the median of --runs requests, the ratio page ÷ floor, the queries per request, and with
--explain the query plans of the main queries (they must read the report index
acc_row_year_account_date, never scan the year's rows).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="an SIE file to import instead")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-pages-"))
    os.environ.update(
        ALLOWED_HOSTS="testserver",
        SKRIVBORD_HTTPS="0",
        SKRIVBORD_DATA_DIR=str(tmp),
        SKRIVBORD_NODE="office",
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
        SECRET_KEY="bench-only",
        SKRIVBORD_MODE="production",  # DEBUG off: no query log, real static storage
    )
    os.environ.pop("DEBUG", None)
    path = args.file
    if path is None:
        from sie_generate import generate

        path = tmp / "bench.se"
        generate(path, transactions=args.transactions, seed=20250101, year=2025)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    postgres = connection.vendor == "postgresql"
    old_name = connection.settings_dict["NAME"]
    if postgres:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    else:
        call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    try:
        _bench(path, args.runs, args.explain)
    finally:
        if postgres:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _median_ms(work: Any, runs: int) -> float:
    work()
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _bench(path: Path, runs: int, explain: bool) -> None:
    from django.db import connection
    from django.test import Client

    from skrivbord.accounting import models as m
    from skrivbord.accounting.importer import sie_import
    from skrivbord.core import services
    from skrivbord.core.models import Role

    company = services.company_create(name="Bench AB")
    started = time.perf_counter()
    result = sie_import(company=company, source=path, force=True)
    print(
        f"{connection.vendor}: imported {result.rows:,} rows, {result.vouchers:,} vouchers in "
        f"{time.perf_counter() - started:.1f} s"
    )
    user = services.user_create(email="bench@example.se", password="x" * 20, check_password=False)
    services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    client = Client()
    client.force_login(user)
    year = m.FiscalYear.objects.filter(company=company).order_by("-start").first()
    assert year is not None
    sqlite = connection.vendor == "sqlite"

    def key(value: Any) -> Any:
        return value.hex if sqlite else value

    busiest = (
        m.TransactionRow.objects.filter(fiscal_year=year)
        .values("account")
        .annotate(n=django_count())
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    account, account_rows = busiest["account"], busiest["n"]
    sample = m.TransactionRow.objects.filter(fiscal_year=year, amount__gt=0).order_by("id")[1000]
    voucher = m.Voucher.objects.get(id=sample.voucher_id)
    base = f"/c/{company.id}/accounting"
    late = f"{year.end:%Y}-12-01"
    row_cols = "r.date, r.amount, r.text, r.position, v.series, v.number, v.text"
    rows_from = (
        "FROM accounting_transactionrow r JOIN accounting_voucher v ON v.id = r.voucher_id "
        "WHERE r.fiscal_year_id = %s AND r.account = %s AND r.kind = 'TRANS'"
    )
    floors: dict[str, tuple[str, list[Any]]] = {
        "overview": (
            "SELECT fiscal_year_id, COUNT(*) FROM accounting_transactionrow "
            "WHERE fiscal_year_id = %s GROUP BY fiscal_year_id",
            [key(year.id)],
        ),
        "chart, page 1 with balances": (
            "SELECT account, SUM(amount) FROM accounting_transactionrow WHERE fiscal_year_id = %s "
            "AND kind = 'TRANS' AND account IN (SELECT number FROM accounting_account WHERE "
            "company_id = %s ORDER BY number LIMIT 100) GROUP BY account",
            [key(year.id), key(company.id)],
        ),
        f"ledger {account} ({account_rows:,} rows), page 1": (
            f"SELECT {row_cols} {rows_from} ORDER BY r.date, r.voucher_id, r.position LIMIT 51",
            [key(year.id), account],
        ),
        # A page deep in the year: the sum of the earlier rows its running balance starts
        # from (";" separates the floor's statements), and its rows.
        f"ledger {account}, from {late}": (
            "SELECT SUM(amount) FROM accounting_transactionrow WHERE fiscal_year_id = %s "
            f"AND account = %s AND kind = 'TRANS' AND date < %s;SELECT {row_cols} {rows_from} "
            "AND r.date >= %s ORDER BY r.date, r.voucher_id, r.position LIMIT 51",
            [key(year.id), account, late, key(year.id), account, late],
        ),
        "vouchers, page 1": (
            "SELECT * FROM accounting_voucher WHERE company_id = %s AND fiscal_year_id = %s "
            "ORDER BY date DESC, id DESC LIMIT 51",
            [key(company.id), key(year.id)],
        ),
        "vouchers, search by amount": (
            "SELECT DISTINCT voucher_id FROM accounting_transactionrow WHERE fiscal_year_id = %s "
            "AND kind = 'TRANS' AND amount IN (%s, %s)",
            [key(year.id), int(sample.amount * 100), -int(sample.amount * 100)],
        ),
        "vouchers, search by text": (
            "SELECT * FROM accounting_voucher WHERE company_id = %s AND fiscal_year_id = %s "
            "AND text LIKE %s ORDER BY date DESC, id DESC LIMIT 51",
            [key(company.id), key(year.id), "%lön%"],
        ),
        "vouchers, by account": (
            "SELECT * FROM accounting_voucher WHERE id IN (SELECT voucher_id FROM "
            "accounting_transactionrow WHERE fiscal_year_id = %s AND account = %s) "
            "ORDER BY date DESC, id DESC LIMIT 51",
            [key(year.id), "1910"],
        ),
        "voucher": (
            "SELECT * FROM accounting_transactionrow WHERE voucher_id = %s ORDER BY position",
            [key(voucher.id)],
        ),
    }
    pages = {
        "overview": f"{base}/",
        "chart, page 1 with balances": f"{base}/accounts/",
        f"ledger {account} ({account_rows:,} rows), page 1": f"{base}/accounts/{account}/",
        f"ledger {account}, from {late}": f"{base}/accounts/{account}/?from={late}",
        "vouchers, page 1": f"{base}/vouchers/",
        "vouchers, search by amount": f"{base}/vouchers/?amount={sample.amount}",
        "vouchers, search by text": f"{base}/vouchers/?q=l%C3%B6n",
        "vouchers, by account": f"{base}/vouchers/?account=1910",
        "voucher": f"{base}/vouchers/{voucher.id}/",
    }
    print(f"{'page':44}{'ms':>8}{'floor ms':>10}{'ratio':>8}{'queries':>9}")
    for name, page_url in pages.items():
        sql, params = floors[name]
        response = client.get(page_url)
        assert response.status_code == 200, (page_url, response.status_code)
        captured: list[tuple[float, str, Any]] = []

        def record(
            execute: Any, sql: str, params: Any, many: bool, context: Any, captured: Any = captured
        ) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - started, sql, params))

        with connection.execute_wrapper(record):
            client.get(page_url)

        def floor(sql: str = sql, params: list[Any] = params) -> None:
            remaining = list(params)
            with connection.cursor() as cursor:
                for statement in sql.split(";"):
                    count = statement.count("%s")
                    cursor.execute(statement, remaining[:count])
                    remaining = remaining[count:]
                    cursor.fetchall()

        page_ms = _median_ms(lambda page_url=page_url: client.get(page_url), runs)
        floor_ms = _median_ms(floor, runs)
        print(f"{name:44}{page_ms:8.1f}{floor_ms:10.1f}{page_ms / floor_ms:8.1f}{len(captured):9d}")
        if explain:
            seconds, slowest, slowest_params = max(captured, key=lambda q: q[0])
            print(f"  slowest query ({seconds * 1000:.0f} ms): {slowest[:240]}")
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
                cursor.execute(prefix + slowest, slowest_params)
                for row in cursor.fetchall():
                    print("   ", row[-1] if sqlite else row[0])


def django_count() -> Any:
    from django.db.models import Count

    return Count("id")


if __name__ == "__main__":
    main()
