"""Sync latency benchmark: an edit on one node -> readable on the other, while the agent runs.

    uv run python bench/sync_latency.py [--edits 200] [--rate 1] [--burst 1000]

The online node is a `skrivbord serve` process with its own SQLite file; the office node and
the continuously running agent are in this process. Office edits go through the ORM (the
triggers capture them); online edits are written straight into the online node's database
(captured by its triggers just the same). Each edit's arrival is polled on the other node's
database. Prints p50/p99 for paced edits in both directions and for a burst, against the
baseline of the poll itself (the time to notice a value that is already there).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from two_nodes import office_node, online_node


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--edits", type=int, default=40, help="paced edits per direction")
    parser.add_argument("--rate", type=float, default=4.0, help="paced edits per second")
    parser.add_argument("--burst", type=int, default=200, help="edits in one burst")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="skrivbord-bench-latency-"))
    agent = None
    with online_node(tmp, workers=2) as online:
        office = office_node(tmp)
        from django.db import connection

        from skrivbord.contacts.models import Contact
        from skrivbord.sync import pairing
        from skrivbord.sync.agent import Agent
        from skrivbord.sync.models import SyncLink

        contacts = Contact.objects.bulk_create(
            Contact(company=office, name=f"K{n}") for n in range(max(args.burst, 10))
        )
        pairing.connect(company=office, url=online.url, token=online.pairing_token())
        agent = Agent(SyncLink.objects.select_related("company").get(company=office))

        def run_agent() -> None:
            try:
                agent.run()
            finally:
                connection.close()

        threading.Thread(target=run_agent, daemon=True).start()
        online_db = sqlite3.connect(online.database, timeout=10, isolation_level=None)
        # A program writing beside skrivbord names itself to the capture triggers.
        online_db.create_function("skrivbord_actor", 0, lambda: "bench")

        def online_value(contact_id: str) -> str | None:
            row = online_db.execute(
                "SELECT notes FROM contacts_contact WHERE id = ?", [contact_id.replace("-", "")]
            ).fetchone()
            return row[0] if row else None

        def wait(check, timeout: float = 30) -> float:
            started = time.perf_counter()
            while not check():
                if time.perf_counter() - started > timeout:
                    raise TimeoutError("an edit did not arrive")
                time.sleep(0.002)
            return time.perf_counter() - started

        first = str(contacts[0].id)
        wait(lambda: online_value(first) is not None, timeout=60)  # initial sync done

        baseline = [wait(lambda: online_value(first) is not None) for _ in range(50)]
        to_online: list[float] = []
        to_office: list[float] = []
        for n in range(args.edits):
            contact = contacts[n % len(contacts)]
            value = f"office {n}"
            started = time.perf_counter()
            Contact.objects.filter(id=contact.id).update(notes=value)
            wait(lambda c=str(contact.id), v=value: online_value(c) == v)
            to_online.append(time.perf_counter() - started)
            time.sleep(max(0, 1 / args.rate - to_online[-1]))
        for n in range(args.edits):
            contact = contacts[n % len(contacts)]
            value = f"online {n}"
            started = time.perf_counter()
            online_db.execute(
                "UPDATE contacts_contact SET notes = ? WHERE id = ?",
                [value, str(contact.id).replace("-", "")],
            )
            wait(lambda c=contact.id, v=value: Contact.objects.get(id=c).notes == v)
            to_office.append(time.perf_counter() - started)
            time.sleep(max(0, 1 / args.rate - to_office[-1]))
        burst_started = time.perf_counter()
        for n, contact in enumerate(contacts[: args.burst]):
            Contact.objects.filter(id=contact.id).update(notes=f"burst {n}")
        burst: list[float] = []
        for n, contact in enumerate(contacts[: args.burst]):
            wait(lambda c=str(contact.id), v=f"burst {n}": online_value(c) == v)
            burst.append(time.perf_counter() - burst_started)

        def line(label: str, values: list[float]) -> str:
            return (
                f"  {label:<34} p50 {statistics.median(values) * 1000:7.1f} ms   "
                f"p99 {percentile(values, 0.99) * 1000:7.1f} ms"
            )

        print(
            f"skrivbord sync latency ({args.edits} paced edits per direction at "
            f"{args.rate}/s, a burst of {args.burst})"
        )
        print(line("baseline (poll of a present value)", baseline))
        print(line("office -> online", to_online))
        print(line("online -> office", to_office))
        print(line(f"burst of {args.burst}, until each arrived", burst))
        print("  targets: p50 <= 500 ms, p99 <= 2 s while paced; burst p99 < 2 s")
        agent.stop()


if __name__ == "__main__":
    main()
