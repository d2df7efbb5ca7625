"""What the page benchmarks share: a scratch installation to measure in, and a median timer.

`run_in_scratch(measure)` sets up Django on a fresh data directory (SQLite there, or a
`test_<name>` database on the PostgreSQL that DATABASE_URL names, dropped at the end, so the
configured database is never touched), migrates it and runs `measure()`.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def median_ms(function: Callable[[], object], runs: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        function()
        timings.append(time.perf_counter_ns() - started)
    return statistics.median(timings) / 1e6


def run_in_scratch(measure: Callable[[], int], *, static: bool = True) -> int:
    """`measure()` on a migrated scratch installation; `static` collects the static files
    (pages render with the real manifest storage)."""
    with tempfile.TemporaryDirectory(prefix="skrivbord-bench-") as directory:
        # Settings are read once, at django.setup(): everything must be in place before it.
        os.environ["SKRIVBORD_DATA_DIR"] = str(Path(directory))
        os.environ["SECRET_KEY"] = "bench-only-not-secret"
        os.environ["DJANGO_SETTINGS_MODULE"] = "skrivbord.settings"
        os.environ["SKRIVBORD_HTTPS"] = "0"
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ["SKRIVBORD_MODE"] = "production"  # DEBUG off: no query log
        os.environ.pop("DEBUG", None)
        if not static:
            (Path(directory) / "static").mkdir()
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
        if static:
            call_command("collectstatic", verbosity=0, interactive=False)
        try:
            return measure()
        finally:
            if postgres:
                connection.creation.destroy_test_db(old_name, verbosity=0)
