"""Initial sync benchmark: N contacts (with contact persons) office -> online over loopback HTTP.

    uv run python bench/sync_initial.py [--contacts 200000]

The online node is a `skrivbord serve` process with its own SQLite file; the office node and
the agent run in this process on another SQLite file. Prints rows/s, the ratio to the floor
measured in the same run (a raw SQLite copy of the same rows: ATTACH + INSERT ... SELECT), and
the peak memory of the agent and of the server. Not part of the test suite.

A first sync this large goes as one seed file (src/skrivbord/sync/seed.py); pass
`--batches` to measure the batch path instead.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import tempfile
import time
from pathlib import Path

from two_nodes import office_node, online_node


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--persons-per-contact", type=int, default=1)
    parser.add_argument("--batches", action="store_true", help="the batch path, not the seed file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-sync-"))
    with online_node(tmp) as online:
        office = office_node(tmp)
        from skrivbord.contacts.models import Contact, ContactPerson
        from skrivbord.sync import pairing
        from skrivbord.sync.agent import Agent
        from skrivbord.sync.models import SyncLink

        rng = random.Random(1)
        started = time.perf_counter()
        # Seeded in bulk (captured by the triggers like any write); change capture is part of
        # what is measured when the agent stamps and sends these rows.
        for start in range(0, args.contacts, 5000):
            contacts = [
                Contact(
                    company=office,
                    name=f"Kund {n:07d} AB",
                    phone=f"08-{rng.randint(1, 10**6)}",
                    email=f"kund{n}@example.se",
                    postal_city="Stockholm",
                    is_customer=True,
                )
                for n in range(start, min(start + 5000, args.contacts))
            ]
            Contact.objects.bulk_create(contacts)
            ContactPerson.objects.bulk_create(
                ContactPerson(company=office, contact=c, first_name="Eva", last_name=f"P{i}")
                for c in contacts
                for i in range(args.persons_per_contact)
            )
        seeded = time.perf_counter() - started
        rows = args.contacts * (1 + args.persons_per_contact)
        pairing.connect(company=office, url=online.url, token=online.pairing_token())
        link = SyncLink.objects.select_related("company").get(company=office)

        from skrivbord.sync import seed

        if args.batches:
            seed.SEED_MIN_ROWS = rows + 1
        started = time.perf_counter()
        result = Agent(link).exchange()
        elapsed = time.perf_counter() - started
        sent = sum(result.sent.values())
        agent_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        server_peak_mb = _peak_rss_mb(online.process.pid)

        # The floor: copy the same rows with SQLite itself, no Python per row.
        floor_db = tmp / "floor.sqlite3"
        office_db = tmp / "office" / "skrivbord.sqlite3"
        connection = sqlite3.connect(floor_db)
        connection.execute(f"ATTACH DATABASE '{office_db}' AS office")
        started = time.perf_counter()
        for table in ("contacts_contact", "contacts_contactperson"):
            connection.execute(f"CREATE TABLE main.{table} AS SELECT * FROM office.{table} WHERE 0")
            connection.execute(f"INSERT INTO main.{table} SELECT * FROM office.{table}")
        connection.commit()
        floor = time.perf_counter() - started
        connection.close()

        # What the schema costs: the same copy into tables with the online node's indexes and
        # constraints (no triggers), which is the least any transfer into that schema pays.
        schema_db = sqlite3.connect(tmp / "schema-floor.sqlite3")
        schema_db.execute(f"ATTACH DATABASE '{office_db}' AS office")
        for table in ("contacts_contact", "contacts_contactperson"):
            for (sql,) in schema_db.execute(
                "SELECT sql FROM office.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                "AND type IN ('table', 'index') ORDER BY type DESC",
                [table],
            ):
                schema_db.execute(sql)
        started = time.perf_counter()
        for table in ("contacts_contact", "contacts_contactperson"):
            schema_db.execute(f"INSERT INTO main.{table} SELECT * FROM office.{table}")
        schema_db.commit()
        schema_floor = time.perf_counter() - started
        schema_db.close()

        # A second reference, to read the first: the same rows through Python (fetch, then
        # executemany) into tables with the online schema and its indexes. Any transfer that
        # handles rows one by one in Python pays this before doing anything of its own.
        python_db = sqlite3.connect(tmp / "python-floor.sqlite3")
        python_db.execute(f"ATTACH DATABASE '{office_db}' AS office")
        tables = ("contacts_contact", "contacts_contactperson")
        for table in tables:
            for (sql,) in python_db.execute(
                "SELECT sql FROM office.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
                "AND type IN ('table', 'index') ORDER BY type DESC",
                [table],
            ):
                python_db.execute(sql)
        started = time.perf_counter()
        for table in tables:
            copied = python_db.execute(f"SELECT * FROM office.{table}").fetchall()
            marks = ", ".join("?" * len(copied[0]))
            python_db.executemany(f"INSERT INTO main.{table} VALUES ({marks})", copied)
        python_db.commit()
        python_floor = time.perf_counter() - started
        python_db.close()

        print(
            f"skrivbord initial sync: {args.contacts:,} contacts + "
            f"{args.contacts * args.persons_per_contact:,} persons = {rows:,} rows "
            f"(seeded in {seeded:.1f} s)"
        )
        print(
            f"  sent {sent:,} rows in {elapsed:.1f} s = {sent / elapsed:,.0f} rows/s, "
            f"{result.bytes_sent / 1e6:.1f} MB compressed"
        )
        print(
            f"  floor (SQLite ATTACH + INSERT ... SELECT): {floor:.2f} s = "
            f"{rows / floor:,.0f} rows/s"
        )
        print(f"  ratio to the floor: {elapsed / floor:.1f}x (target <= 10x)")
        print(
            f"  reference: the same INSERT ... SELECT into the online schema (its indexes and "
            f"constraints): {schema_floor:.2f} s, {schema_floor / floor:.1f}x the floor; "
            f"the sync is {elapsed / schema_floor:.1f}x this"
        )
        print(
            f"  reference: the same rows through Python (fetchall + executemany, with indexes): "
            f"{python_floor:.2f} s = {rows / python_floor:,.0f} rows/s, "
            f"{python_floor / floor:.1f}x the floor; the sync is {elapsed / python_floor:.1f}x this"
        )
        print(
            f"  peak RSS: agent {agent_peak_mb:.0f} MB, server {server_peak_mb:.0f} MB "
            "(target < 300 MB)"
        )
        assert sent == rows, f"sent {sent} of {rows}"


def _peak_rss_mb(pid: int) -> float:
    """The peak resident size of a process and its children (granian workers), Linux only."""
    total = 0.0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total = max(total, int(line.split()[1]) / 1024)
    return total


if __name__ == "__main__":
    main()
