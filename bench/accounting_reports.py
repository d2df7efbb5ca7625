"""Reports benchmark: the income statement and the Status page's key figures over a year of
N transactions, against one hand-written aggregate query of the same numbers.

    uv run python bench/accounting_reports.py                    # 1,000,000 rows, SQLite
    uv run python bench/accounting_reports.py --transactions 100000 --runs 11
    uv run python bench/accounting_reports.py --previous-year    # last year too, same size
    uv run python bench/accounting_reports.py --today 2025-11-28 # the year in progress
    DATABASE_URL=postgres://user@127.0.0.1:5432/skrivbord uv run python bench/accounting_reports.py

The books come from bench/sie_generate.py (kept in $TMPDIR/skrivbord-bench-sie/) and are
imported with the importer into a fresh office node: SQLite in a temporary directory kept
between runs for the same size ($TMPDIR/skrivbord-bench-reports-N/, delete it to start
over), or a `test_<name>` PostgreSQL database dropped at the end.

Timed, as the median of --runs after a warm-up run (a running server has warm caches):

* income statement: the selector and the pure statement (`year_books` + `income_statement`
  and `balance_sheet`), and the whole page `GET .../accounting/reports/` (server time:
  routing, middleware, access check, queries, rendering);
* key figures: `status_tiles` (the Status page's tiles with their sparklines), the whole
  Status page `GET /c/<id>/`, and the key-figures page (every figure, DSO among them);
* floors: hand-written queries of the same numbers, on the same connection — per account
  for the statement and the Status tiles (`SELECT account, SUM(amount) ... GROUP BY
  account`), for a year in progress the statement's per year up to its period's end
  (`... AND date <= %s`); for the key-figures page the same plus the credits on the output
  VAT accounts per account (`... AND account >= '2610' AND account < '2640' AND amount < 0
  GROUP BY account`), which DSO needs; and, for reference, per account and month, which
  the sparklines need.

With --today the pages take that date as today (a year in progress: the last voucher's
date is read, the statements sum the months so far, last year's the same months).

Prints milliseconds, the query count of each request, and the ratio ours ÷ floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--previous-year", action="store_true", help="also import last year, of the same size"
    )
    parser.add_argument("--today", type=dt.date.fromisoformat, help="the pages' today (YYYY-MM-DD)")
    args = parser.parse_args()

    cache = Path(tempfile.gettempdir()) / "skrivbord-bench-sie"
    cache.mkdir(exist_ok=True)
    files = [_file(cache, args.transactions, 2025)]
    if args.previous_year:
        files.insert(0, _file(cache, args.transactions, 2024))
    suffix = "-2y" if args.previous_year else ""
    data_dir = Path(tempfile.gettempdir()) / f"skrivbord-bench-reports-{args.transactions}{suffix}"
    data_dir.mkdir(exist_ok=True)
    os.environ.update(
        ALLOWED_HOSTS="testserver",
        SKRIVBORD_HTTPS="0",
        SKRIVBORD_DATA_DIR=str(data_dir),
        SKRIVBORD_NODE="office",
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
        SECRET_KEY="bench-only",
        SKRIVBORD_MODE="production",  # DEBUG off: no query log, real static storage
    )
    os.environ.pop("DEBUG", None)
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
        _bench(files, args.runs, args.today)
    finally:
        if postgres:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _file(cache: Path, transactions: int, year: int) -> Path:
    from bench.sie_generate import generate

    path = cache / (f"sie-{transactions}.se" if year == 2025 else f"sie-{transactions}-{year}.se")
    if not path.exists():
        print(f"generating {path} ...", flush=True)
        generate(path, transactions=transactions, year=year)
    return path


def _median_ms(work: Callable[[], Any], runs: int) -> float:
    work()
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _bench(files: list[Path], runs: int, today: dt.date | None) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from skrivbord.accounting.importer import sie_import
    from skrivbord.accounting.models import FiscalYear, TransactionRow
    from skrivbord.accounting.reports import selectors, statements, views
    from skrivbord.accounting.reports.views import status_tiles
    from skrivbord.core import services
    from skrivbord.core.access import company_access
    from skrivbord.core.models import Company, Role, User

    company = Company.objects.filter(name="Bench AB").first()
    if company is None:
        company = services.company_create(name="Bench AB")
        for path in files:
            print(f"importing {path.name} ...", flush=True)
            started = time.perf_counter()
            result = sie_import(company=company, source=path)
            print(f"  {result.rows:,} rows in {time.perf_counter() - started:.1f} s", flush=True)
    user = User.objects.filter(email="bench@example.se").first()
    if user is None:
        user = services.user_create(
            email="bench@example.se", password="bench-only", check_password=False
        )
        services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    if connection.vendor == "postgresql":
        # As autovacuum would soon after an import: the visibility map lets PostgreSQL
        # answer from the index alone (an index-only scan), and the statistics pick it.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE accounting_transactionrow")
    if today is not None:
        views._today = lambda: today  # type: ignore[assignment]
    access = company_access(user, company.id)
    years = selectors.report_years(access=access)
    comparison = selectors.report_comparison(
        access=access, years=years, today=today or views._today()
    )
    wanted = [years.year] + ([years.previous] if years.previous else [])
    rows = TransactionRow.objects.filter(fiscal_year__in=wanted).count()
    print(
        f"database: {connection.vendor}, {rows:,} transaction rows in "
        f"{FiscalYear.objects.filter(company=company).count()} fiscal years "
        f"(this year {years.year}, last year {years.previous or '-'}); "
        f"period {comparison.this.start}..{comparison.this.end}"
    )
    client = Client()
    client.force_login(user)
    statements_url = f"/c/{company.id}/accounting/reports/"
    status_url = f"/c/{company.id}/"
    figures_url = f"/c/{company.id}/accounting/reports/figures/"
    for url in (statements_url, status_url, figures_url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def key(year: Any) -> Any:
        return year.id.hex if connection.vendor == "sqlite" else year.id

    ids = [key(year) for year in wanted]
    marks = ", ".join(["%s"] * len(ids))
    month = "substr(date, 1, 7)" if connection.vendor == "sqlite" else "to_char(date, 'YYYY-MM')"

    def floor(sql: str, params: list[Any] | None = None) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, ids if params is None else params)
                cursor.fetchall()

        return run

    # The statements of a year in progress: each year's rows up to its period's end.
    cut = [(key(years.year), comparison.this.end)]
    if years.previous is not None and comparison.previous is not None:
        cut.append((key(years.previous), comparison.previous.end))
    per_account_cut = [
        floor(
            "SELECT fiscal_year_id, account, SUM(amount) FROM accounting_transactionrow "
            "WHERE fiscal_year_id = %s AND kind = 'TRANS' AND date <= %s "
            "GROUP BY fiscal_year_id, account",
            [year_key, end],
        )
        for year_key, end in cut
    ]

    def per_account_in_period() -> None:
        for run in per_account_cut:
            run()

    per_account = floor(
        "SELECT fiscal_year_id, account, SUM(amount) FROM accounting_transactionrow "
        f"WHERE fiscal_year_id IN ({marks}) AND kind = 'TRANS' GROUP BY fiscal_year_id, account"
    )
    vat_credits = floor(
        "SELECT fiscal_year_id, account, SUM(amount) FROM accounting_transactionrow "
        f"WHERE fiscal_year_id IN ({marks}) AND kind = 'TRANS' "
        "AND account >= '2610' AND account < '2640' AND amount < 0 "
        "GROUP BY fiscal_year_id, account"
    )

    def per_account_and_vat() -> None:
        per_account()
        vat_credits()

    per_month = floor(
        f"SELECT fiscal_year_id, account, {month}, SUM(amount) FROM accounting_transactionrow "
        f"WHERE fiscal_year_id IN ({marks}) AND kind = 'TRANS' "
        f"GROUP BY fiscal_year_id, account, {month}"
    )

    def statement() -> None:
        this, previous = selectors.year_books(
            access=access, years=years, by_month=False, periods=comparison
        )
        statements.income_statement(this, previous)
        statements.balance_sheet(this, previous)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    statement_floor = "account" if comparison.complete else "period"
    results = [
        ("income statement: selector", _median_ms(statement, runs), None, statement_floor),
        (
            "income statement: page",
            _median_ms(lambda: client.get(statements_url), runs),
            queries(statements_url),
            statement_floor,
        ),
        (
            "key figures: status_tiles",
            _median_ms(lambda: status_tiles(access), runs),
            None,
            "account",
        ),
        (
            "key figures: Status page",
            _median_ms(lambda: client.get(status_url), runs),
            queries(status_url),
            "account",
        ),
        (
            "key figures: figures page",
            _median_ms(lambda: client.get(figures_url), runs),
            queries(figures_url),
            "vat",
        ),
    ]
    floors = {
        "account": _median_ms(per_account, runs),
        "vat": _median_ms(per_account_and_vat, runs),
        "month": _median_ms(per_month, runs),
    }
    if not comparison.complete:
        floors["period"] = _median_ms(per_account_in_period, runs)
    print(
        f"{'what':30}{'ours ms':>9}{'queries':>9}{'floor ms':>10}{'vs floor':>10}{'vs month':>10}"
    )
    print("-" * 78)
    for name, ms, count, which in results:
        print(
            f"{name:30}{ms:9.1f}{count if count is not None else '':>9}{floors[which]:10.1f}"
            f"{ms / floors[which]:9.2f}x{ms / floors['month']:9.2f}x"
        )
    print(
        f"floors: per account {floors['account']:.1f} ms; per account plus the output VAT "
        f"credits per account {floors['vat']:.1f} ms (VAT credits alone "
        f"{floors['vat'] - floors['account']:.1f} ms); per account and month "
        f"{floors['month']:.1f} ms"
        + (
            f"; per account up to each period's end {floors['period']:.1f} ms"
            if "period" in floors
            else ""
        )
    )


if __name__ == "__main__":
    main()
