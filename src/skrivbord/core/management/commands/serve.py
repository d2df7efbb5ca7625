"""skrivbord serve: migrate, collect static files, then serve with granian (production)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord import server


class Command(BaseCommand):
    help = (
        "Run skrivbord in production: apply database migrations, collect static files into the "
        "data directory, then serve HTTP with granian until Ctrl-C or SIGTERM."
    )
    # The command applies the migrations itself; Django's "unapplied migrations" warning at
    # start would only be noise.
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1; 0.0.0.0 for every IPv4 interface, "
            ":: for every interface).",
        )
        parser.add_argument("--port", type=int, default=8000, help="Port (default 8000).")
        parser.add_argument("--workers", type=int, default=1, help="Worker processes (default 1).")
        parser.add_argument(
            "--threads",
            type=int,
            default=server.DEFAULT_THREADS,
            help="Threads per worker that run requests, and so database connections per worker "
            "(default: twice the number of CPU cores plus one).",
        )
        parser.add_argument(
            "--shutdown-timeout",
            type=int,
            default=server.DEFAULT_SHUTDOWN_TIMEOUT,
            metavar="SECONDS",
            help="After Ctrl-C or SIGTERM, stop a worker that has not finished within SECONDS "
            f"(default {server.DEFAULT_SHUTDOWN_TIMEOUT}).",
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every request to standard output."
        )
        parser.add_argument(
            "--no-migrate", action="store_true", help="Do not apply database migrations first."
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Do not collect static files first (when a deployment step already did).",
        )

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        if options["threads"] < 1:
            raise CommandError("--threads must be at least 1.")
        if options["shutdown_timeout"] < 1:
            raise CommandError("--shutdown-timeout must be at least 1 second.")
        if not 0 < options["port"] < 65536:
            raise CommandError("--port must be between 1 and 65535.")
        try:
            server.check_address(options["host"], options["port"])
        except server.AddressInUse as error:
            raise CommandError(f"{error} Choose another with --port or --host.") from error
        verbosity = options["verbosity"]
        if not options["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=verbosity)
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=max(0, verbosity - 1))
        if settings.DEBUG:
            self.stderr.write("Warning: DEBUG is on. Never run a public server with DEBUG on.")
        host = f"[{options['host']}]" if ":" in options["host"] else options["host"]
        self.stdout.write(f"skrivbord is starting on http://{host}:{options['port']}/")
        self.stdout.flush()
        server.serve(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            shutdown_timeout=options["shutdown_timeout"],
            access_log=options["access_log"],
        )
        self.stdout.write("skrivbord has stopped.")
