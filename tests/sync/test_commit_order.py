"""The change feed never skips a row that commits late (DESIGN.md §3, the first trap).

Writers insert, then wait a random moment before committing, so ids are handed out in a
different order than commits happen. A reader polls `seq > cursor` the whole time, as the
agent does. Every committed change must be read exactly once.
"""

import random
import threading
import time
import uuid

from django.db import close_old_connections, connection, transaction
from django.test import TransactionTestCase

from skrivbord.core import services as core_services
from skrivbord.sync.models import SyncChange

WRITERS = 12
ROWS_PER_WRITER = 40


class CommitOrderTests(TransactionTestCase):
    def test_a_polling_reader_misses_no_row_with_concurrent_writers(self) -> None:
        # The trap is PostgreSQL's (many writers at once); SQLite has one writer at a time,
        # so fewer threads there keep lock waits well inside busy_timeout on a loaded machine.
        writers_count = WRITERS if connection.vendor == "postgresql" else 4
        company = core_services.company_create(name="Feed AB")
        rng = random.Random(7)
        delays = [
            [rng.random() * 0.004 for _ in range(ROWS_PER_WRITER)] for _ in range(writers_count)
        ]
        done = threading.Event()
        errors: list[BaseException] = []

        def write(worker: int) -> None:
            try:
                for delay in delays[worker]:
                    with transaction.atomic():
                        SyncChange.objects.create(
                            company_id=company.id,
                            entity="test.row",
                            row_id=uuid.uuid4(),
                            op="u",
                            fields="*",
                        )
                        time.sleep(delay)  # committed late, after others got later ids
            except BaseException as error:
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        seen: list[int] = []

        def read() -> None:
            cursor = 0
            try:
                while True:
                    finished = done.is_set()
                    rows = list(
                        SyncChange.objects.filter(company_id=company.id, seq__gt=cursor)
                        .order_by("seq")
                        .values_list("id", "seq")
                    )
                    for row_id, seq in rows:
                        seen.append(row_id)
                        cursor = seq
                    if finished and not rows:
                        return
                    time.sleep(0.001)
            finally:
                connection.close()

        reader = threading.Thread(target=read)
        reader.start()
        writers = [threading.Thread(target=write, args=(n,)) for n in range(writers_count)]
        for thread in writers:
            thread.start()
        for thread in writers:
            thread.join()
        done.set()
        reader.join()
        self.assertEqual(errors, [])
        committed = set(
            SyncChange.objects.filter(company_id=company.id).values_list("id", flat=True)
        )
        self.assertEqual(len(committed), writers_count * ROWS_PER_WRITER)
        self.assertEqual(len(seen), len(set(seen)), "a change was read twice")
        self.assertEqual(set(seen), committed, f"{len(committed - set(seen))} changes skipped")
