"""Initial sync of a company's books: N transactions office -> online over loopback HTTP.

    uv run python bench/books_sync_initial.py [--transactions 1000000]

The books come from bench/sie_generate.py and are imported at the office (SQLite) with the
real importer; then one `Agent.exchange()` sends them to an online node running as
`skrivbord serve` on its own SQLite file. A first sync this size goes as one seed file
(docs/sync.md). Prints rows/s, the ratio to the floor measured in the same run (SQLite
copying the same books tables itself: ATTACH + INSERT ... SELECT into bare tables), the
same copy into the online schema, and peak memory. The online node runs the checks of the
books after the transfer (issue 4); that time is part of the exchange. Not part of the tests.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from sie_generate import generate
from sync_initial import _peak_rss_mb
from two_nodes import office_node, online_node

BOOKS = (
    "accounting_fiscalyear",
    "accounting_account",
    "accounting_dimension",
    "accounting_accountingobject",
    "accounting_voucherseries",
    "accounting_balance",
    "accounting_periodbalance",
    "accounting_voucher",
    "accounting_transactionrow",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transactions", type=int, default=1_000_000)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-books-sync-"))
    books = tmp / "books.se"
    generate(books, transactions=args.transactions)
    with online_node(tmp) as online:
        office = office_node(tmp)
        from skrivbord.accounting.importer import sie_import
        from skrivbord.sync import pairing
        from skrivbord.sync.agent import Agent
        from skrivbord.sync.models import SyncLink

        started = time.perf_counter()
        imported = sie_import(company=office, source=books, force=True)
        import_seconds = time.perf_counter() - started
        pairing.connect(company=office, url=online.url, token=online.pairing_token())
        link = SyncLink.objects.select_related("company").get(company=office)

        started = time.perf_counter()
        result = Agent(link).exchange()
        elapsed = time.perf_counter() - started
        sent = sum(result.sent.values())
        agent_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        server_peak_mb = _peak_rss_mb(online.process.pid)

        office_db = tmp / "office" / "skrivbord.sqlite3"
        floors = {}
        for name, with_schema in (("floor", False), ("schema", True)):
            connection = sqlite3.connect(tmp / f"{name}.sqlite3")
            connection.execute(f"ATTACH DATABASE '{office_db}' AS office")
            for table in BOOKS:
                if with_schema:
                    for (sql,) in connection.execute(
                        "SELECT sql FROM office.sqlite_master WHERE tbl_name = ? "
                        "AND sql IS NOT NULL AND type IN ('table', 'index') ORDER BY type DESC",
                        [table],
                    ):
                        connection.execute(sql)
                else:
                    connection.execute(
                        f"CREATE TABLE main.{table} AS SELECT * FROM office.{table} WHERE 0"
                    )
            started = time.perf_counter()
            for table in BOOKS:
                connection.execute(f"INSERT INTO main.{table} SELECT * FROM office.{table}")
            connection.commit()
            floors[name] = time.perf_counter() - started
            connection.close()
        rows = sum(
            sqlite3.connect(office_db).execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in BOOKS
        )
        print(
            f"skrivbord initial sync of books: {imported.rows:,} transactions, {rows:,} rows "
            f"in all (imported in {import_seconds:.1f} s)"
        )
        print(
            f"  sent {sent:,} rows in {elapsed:.1f} s = {sent / elapsed:,.0f} rows/s, "
            f"{result.bytes_sent / 1e6:.1f} MB compressed"
        )
        print(
            f"  floor (SQLite ATTACH + INSERT ... SELECT): {floors['floor']:.2f} s; "
            f"ratio to the floor: {elapsed / floors['floor']:.1f}x (target <= 10x)"
        )
        print(
            f"  the same copy into the online schema: {floors['schema']:.2f} s "
            f"({floors['schema'] / floors['floor']:.1f}x the floor); the sync is "
            f"{elapsed / floors['schema']:.1f}x this"
        )
        print(
            f"  peak RSS: agent {agent_peak_mb:.0f} MB, server {server_peak_mb:.0f} MB "
            "(target < 300 MB)"
        )
        assert sent == rows, f"sent {sent} of {rows}"


if __name__ == "__main__":
    main()
