"""skrivbord demo: a ready-to-try installation with demo data, served on localhost.

`skrivbord demo` (the console script) sets the environment before Django starts: its own data
directory, demo mode (DEBUG on), plain HTTP and embedded SQLite. See skrivbord/cli.py.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord import server
from skrivbord.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Start a demo of skrivbord with a demo company, 240 contacts and a demo user, in a "
        "separate data directory, on http://127.0.0.1:8000/."
    )
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument(
            "--data-dir",
            help="Data directory of the demo (default: the user data directory's demo folder, "
            "or $SKRIVBORD_DEMO_DIR).",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the demo data, but do not serve it."
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MODE != "demo":
            # Only the console script prepares a demo environment; anything else might be a
            # production database that must not receive demo data.
            raise CommandError(
                "The demo runs in its own environment: start it with `skrivbord demo`."
            )
        serving = not options["no_serve"]
        if serving:
            try:
                server.check_address(options["host"], options["port"])
            except server.AddressInUse as error:
                raise CommandError(f"{error} Choose another with --port.") from error
        self.stdout.write(f"Data directory: {settings.DATA_DIR}")
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        summary = demo_load()
        elapsed = time.monotonic() - started
        companies = f"{summary.company.name} and {summary.second_company.name}"
        if summary.contacts_created:
            self.stdout.write(
                f"Demo data ready in {elapsed:.1f} s: {companies}, {summary.contacts_created} "
                f"contacts and {summary.persons_created} contact persons added."
            )
        else:
            self.stdout.write(f"Demo data ready in {elapsed:.1f} s: {companies}, as before.")
        if not serving:
            return
        host = f"[{options['host']}]" if ":" in options["host"] else options["host"]
        password_note = (
            ""
            if summary.user.check_password(DEMO_PASSWORD)
            else (" (changed since the demo was created, so this one no longer works)")
        )
        self.stdout.write(
            f"\nskrivbord demo is running: http://{host}:{options['port']}/\n"
            f"  E-mail:   {DEMO_EMAIL}\n"
            f"  Password: {DEMO_PASSWORD}{password_note}\n"
            "Press Ctrl-C to stop.\n"
        )
        self.stdout.flush()
        # A demo has no long requests to finish: stop a slow worker after a few seconds.
        server.serve(host=options["host"], port=options["port"], shutdown_timeout=3)
