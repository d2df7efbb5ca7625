"""SIE import benchmark: a generated file of N transactions into an empty office node.

    uv run python bench/sie_import.py [--transactions 1000000] [--file FILE.se]
    DATABASE_URL=postgres://user@127.0.0.1:5432/skrivbord uv run python bench/sie_import.py

Each measurement runs in a process of its own, so its peak memory is its own:

* parse: the SIE reader over the file, nothing else (the part no importer can avoid);
* import: `sie_import` into a fresh database (SQLite in a temporary directory, or a
  `test_<name>` PostgreSQL database next to the configured one, dropped at the end),
  change capture included: rows/s of transaction rows, and peak memory;
* import again: the same file a second time (nothing may change: it must only read);
* floor: the same rows written into a fresh database of the same schema (triggers out of
  the way) with a raw `executemany` on SQLite and `COPY` on PostgreSQL, reading them
  excluded — what writing them costs at the least.

Prints rows/s, the ratio import ÷ floor (time), and the peak memory. The file comes from
bench/sie_generate.py when that exists (the SIE reader's generator), else from a simple
generator here with the same shape: BAS accounts, VAT rows, several series, cost centres
and projects, names with å/ä/ö.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

CHUNK = 8000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, help="a SIE file to import instead")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.file, Path(args.data_dir))))
        return

    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-sie-"))
    path = args.file or _generate(tmp / "bench.se", args.transactions)
    size = path.stat().st_size
    print(f"file: {path} ({size / 1e6:.1f} MB)")
    parse = _run_child("parse", path, tmp)
    first = _run_child("import", path, tmp)
    floor = _run_child("floor", path, tmp)
    rows = first["rows"]
    database = first["database"]
    print(f"database: {database}, {rows:,} transaction rows, {first['vouchers']:,} vouchers")
    # CPU time too: on a shared machine wall-clock time varies far more than CPU time.
    print(f"{'':26}{'wall s':>8}{'rows/s':>10}{'CPU s':>8}{'rows/s':>10}{'peak MB':>9}")
    for name, result, wall, cpu in (
        ("parse only (the reader)", parse, parse["seconds"], parse["cpu"]),
        ("import", first, first["seconds"], first["cpu"]),
        ("import again (no change)", None, first["again_seconds"], first["again_cpu"]),
        ("floor: raw write", None, floor["seconds"], floor["cpu"]),
    ):
        memory = f"{result['peak_mb']:9.0f}" if result is not None else ""
        print(f"{name:26}{wall:8.2f}{rows / wall:10,.0f}{cpu:8.2f}{rows / cpu:10,.0f}{memory}")
    print(
        f"ratio import / floor: {first['seconds'] / floor['seconds']:.2f}x wall, "
        f"{first['cpu'] / floor['cpu']:.2f}x CPU"
    )
    print(
        f"trial balance of the year ({first['tb_accounts']} accounts, reconciles: "
        f"{first['tb_reconciles']}): selector {first['tb_selector_ms']:.0f} ms, API "
        f"{first['tb_api_ms']:.0f} ms, floor (one aggregate query) {first['tb_floor_ms']:.0f} ms"
        f" -> {first['tb_api_ms'] / first['tb_floor_ms']:.2f}x"
    )
    print(f"changes captured: {first['changes']:,} (every row written, once)")
    print(f"second import wrote {first['again_written']} rows")


def _run_child(name: str, path: Path, tmp: Path) -> dict[str, Any]:
    data_dir = tmp / name
    data_dir.mkdir(exist_ok=True)
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            name,
            "--file",
            str(path),
            "--data-dir",
            str(data_dir),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SKRIVBORD_NODE": "office"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the children ------------------------------------------------------------------------------


def _child(name: str, path: Path, data_dir: Path) -> dict[str, Any]:
    if name == "parse":
        from skrivbord.accounting.sie.reader import SieReader

        started, cpu = time.perf_counter(), time.process_time()
        records = sum(1 for _record in SieReader(path))
        return {
            "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu,
            "records": records,
            "peak_mb": _peak_mb(),
        }
    os.environ.update(
        ALLOWED_HOSTS="testserver",
        SKRIVBORD_HTTPS="0",
        SKRIVBORD_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
        SECRET_KEY="bench-only",
    )
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
    try:
        return _import(path) if name == "import" else _floor(path)
    finally:
        if postgres:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def _import(path: Path) -> dict[str, Any]:
    from django.db import connection

    from skrivbord.accounting.importer import sie_import
    from skrivbord.core import services
    from skrivbord.sync.models import SyncChange

    company = services.company_create(name="Bench AB")
    baseline_mb = _peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = sie_import(company=company, source=path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = _peak_mb()
    changes = SyncChange.objects.count()
    started, again_cpu = time.perf_counter(), time.process_time()
    again = sie_import(company=company, source=path)
    again_seconds, again_cpu = time.perf_counter() - started, time.process_time() - again_cpu
    reports = _trial_balance(company)
    return {
        **reports,
        "database": f"{connection.vendor}",
        "seconds": seconds,
        "cpu": cpu,
        "again_cpu": again_cpu,
        "rows": result.rows,
        "vouchers": result.vouchers,
        "peak_mb": peak,
        "start_mb": baseline_mb,
        "changes": changes,
        "again_seconds": again_seconds,
        "again_written": again.written,
    }


def _median_ms(work: Any, runs: int = 7) -> float:
    work()  # warm the caches, as a running server has them
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _trial_balance(company: Any) -> dict[str, Any]:
    """The trial balance of the imported year: the selector, the API request (server time,
    no network) and the floor, one hand-written aggregate query of the same sums."""
    from django.db import connection
    from django.test import Client

    from skrivbord.accounting import selectors
    from skrivbord.accounting.models import FiscalYear
    from skrivbord.core import services
    from skrivbord.core.access import company_access
    from skrivbord.core.models import Role

    user = services.user_create(
        email="bench@example.se", password="bench-only", check_password=False
    )
    services.membership_set(user=user, company=company, role=Role.ADMINISTRATOR)
    access = company_access(user, company.id)
    year = FiscalYear.objects.filter(company=company).order_by("-start").first()
    assert year is not None
    balance = selectors.trial_balance(access=access, fiscal_year=year)
    client = Client()
    client.force_login(user)
    url = f"/api/v1/companies/{company.id}/accounting/trial-balance?fiscal_year={year.start}"
    assert client.get(url).status_code == 200
    key = year.id.hex if connection.vendor == "sqlite" else year.id

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT account, SUM(amount) FROM accounting_transactionrow "
                "WHERE fiscal_year_id = %s AND kind = 'TRANS' GROUP BY account",
                [key],
            )
            cursor.fetchall()

    return {
        "tb_selector_ms": _median_ms(
            lambda: selectors.trial_balance(access=access, fiscal_year=year)
        ),
        "tb_api_ms": _median_ms(lambda: client.get(url)),
        "tb_floor_ms": _median_ms(floor),
        "tb_accounts": len(balance.lines),
        "tb_reconciles": balance.reconciles,
    }


def _floor(path: Path) -> dict[str, Any]:
    """The same vouchers and rows as the import writes, prepared before the clock starts and
    written with executemany, triggers out of the way: the floor."""
    from django.db import connection, transaction

    from skrivbord.accounting import models as m
    from skrivbord.accounting.importer import sie_import
    from skrivbord.core import services

    # The rows as the import made them: import once, read them back, empty the tables.
    company = services.company_create(name="Bench AB")
    sie_import(company=company, source=path)
    tables = [m.Voucher._meta.db_table, m.TransactionRow._meta.db_table]
    with connection.cursor() as cursor:
        stash = {}
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")
            columns = [c[0] for c in cursor.description]
            stash[table] = (columns, cursor.fetchall())
        for table in reversed(tables):
            cursor.execute(f"DELETE FROM {table}")
    rows = sum(len(stash[t][1]) for t in tables)
    seconds = 0.0
    cpu = 0.0
    atomic = transaction.atomic()
    atomic.__enter__()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'sync_ins_accounting%'"
            )
            for (trigger,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER {trigger}")
            cursor.execute("PRAGMA cache_size = -65536")
        else:
            cursor.execute("INSERT INTO sync_syncapplying DEFAULT VALUES")
        raw = cursor.cursor  # the driver's own cursor, for COPY on PostgreSQL
        for table in tables:
            columns, values = stash[table]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                began, began_cpu = time.perf_counter(), time.process_time()
                if connection.vendor == "sqlite":
                    cursor.executemany(sql, chunk)
                else:  # PostgreSQL's fastest way in, as the importer writes there
                    with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in chunk:
                            copy.write_row(row)
                seconds += time.perf_counter() - began
                cpu += time.process_time() - began_cpu
    began, began_cpu = time.perf_counter(), time.process_time()
    atomic.__exit__(None, None, None)
    seconds += time.perf_counter() - began
    cpu += time.process_time() - began_cpu
    return {"seconds": seconds, "cpu": cpu, "written": rows, "peak_mb": _peak_mb()}


# --- a file to import ------------------------------------------------------------------------

ACCOUNTS = [
    ("1510", "Kundfordringar"),
    ("1910", "Kassa"),
    ("1930", "Företagskonto"),
    ("2440", "Leverantörsskulder"),
    ("2611", "Utgående moms på försäljning inom Sverige, 25 %"),
    ("2641", "Debiterad ingående moms"),
    ("3001", "Försäljning inom Sverige, 25 % moms"),
    ("4010", "Inköp av varor"),
    ("5010", "Lokalhyra"),
    ("6110", "Kontorsmateriel"),
    ("6212", "Mobiltelefon"),
    ("7010", "Löner till kollektivanställda"),
    ("8410", "Räntekostnader för långfristiga skulder"),
]


def _generate(path: Path, transactions: int) -> Path:
    try:
        import sie_generate  # type: ignore[import-not-found]  # the SIE reader's generator
    except ImportError:
        sie_generate = None
    if sie_generate is not None and hasattr(sie_generate, "generate"):
        sie_generate.generate(path, transactions=transactions)
        return path
    rng = random.Random(1)
    start = dt.date(2025, 1, 1)
    vouchers = transactions // 4 + 1
    with path.open("w", encoding="cp437", newline="\n") as f:
        write = f.write
        write('#FLAGGA 0\n#PROGRAM "bench" 1.0\n#FORMAT PC8\n#GEN 20260101\n#SIETYP 4\n')
        write('#FNAMN "Bänkföretaget AB"\n#RAR 0 20250101 20251231\n')
        for number, name in ACCOUNTS:
            write(f'#KONTO {number} "{name}"\n')
        write('#DIM 1 "Kostnadsställe"\n#DIM 6 "Projekt"\n')
        written = 0
        number = 0
        while written < transactions:
            number += 1
            date = (start + dt.timedelta(days=number * 365 // vouchers)).strftime("%Y%m%d")
            series = "ABC"[number % 3]
            write(f'#VER {series} {number} {date} "Faktura {number} växel" {date}\n{{\n')
            net = rng.randint(100, 2_000_000)  # öre
            vat = net // 4
            if number % 2:
                objects = f'{{1 "{rng.randint(1, 20)}" 6 "P{rng.randint(1, 50)}"}}'
                write(f"#TRANS 1510 {{}} {(net + vat) / 100:.2f}\n")
                write(f'#TRANS 3001 {objects} {-net / 100:.2f} "" "Försäljning"\n')
                write(f"#TRANS 2611 {{}} {-vat / 100:.2f}\n")
                write("#TRANS 8410 {} 0\n")
            else:
                write(f"#TRANS 2440 {{}} {-(net + vat) / 100:.2f}\n")
                write(f'#TRANS 4010 {{1 "{rng.randint(1, 20)}"}} {net / 100:.2f}\n')
                write(f"#TRANS 2641 {{}} {vat / 100:.2f}\n")
                write('#TRANS 6110 {} 0 "" "Öresavrundning"\n')
            write("}\n")
            written += 4
    return path


if __name__ == "__main__":
    main()
