"""`skrivbord sync --company ID [--once]`: the sync agent (office node).

Runs until SIGTERM or Ctrl-C; `--once` runs one full exchange and exits 0 when both nodes are
equal. Only one agent per company runs at a time.
"""

from __future__ import annotations

import signal
import sys
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from skrivbord.sync import lease
from skrivbord.sync.agent import Agent, SyncError
from skrivbord.sync.models import SyncLink


class Command(BaseCommand):
    help = "Keep this office company equal to the online desktop, continuously."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--company", required=True, help="The office company's id.")
        parser.add_argument(
            "--once", action="store_true", help="One full exchange, then exit (0 when equal)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.NODE != "office":
            raise CommandError("The sync agent runs on the office node (SKRIVBORD_NODE=office).")
        try:
            link = SyncLink.objects.select_related("company").get(company_id=options["company"])
        except (SyncLink.DoesNotExist, ValueError) as error:
            raise CommandError(
                "That company is not connected to an online desktop; run sync_connect first."
            ) from error
        if not link.remote_url:
            raise CommandError("That company is the online side of a connection, not the office.")
        agent_id = uuid.uuid4()
        try:
            lease.claim(link, agent_id)
        except lease.AgentAlreadyRunning as error:
            raise CommandError(str(error)) from error
        agent = Agent(link, progress=self._progress)
        heartbeat = threading.Thread(
            target=self._heartbeat, args=(agent, link, agent_id), daemon=True
        )
        heartbeat.start()
        previous = {
            sig: signal.signal(sig, lambda *_args: agent.stop())
            for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            if options["once"]:
                result = agent.exchange()
                self._progress_done()
                self.stdout.write(
                    f"Exchange done: sent {sum(result.sent.values())}, received "
                    f"{sum(result.received.values())}, conflicts {result.conflicts}."
                )
                for warning in result.warnings:
                    self.stderr.write(f"Warning: {warning}")
            else:
                self.stdout.write(
                    f"Syncing {link.company.name} with {link.remote_url}. Ctrl-C stops."
                )
                agent.run(on_error=lambda error: self.stderr.write(f"Sync problem: {error}"))
                self.stdout.write("Stopped.")
        except SyncError as error:
            raise CommandError(str(error)) from error
        finally:
            agent.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            lease.release(link, agent_id)

    def _heartbeat(self, agent: Agent, link: SyncLink, agent_id: uuid.UUID) -> None:
        from django.db import connection

        try:
            while not agent.stopping.wait(lease.LEASE_SECONDS / 3):
                lease.renew(link, agent_id)
        finally:
            connection.close()

    def _progress(self, phase: str, done: int, total: int) -> None:
        # A progress bar on a terminal; plain lines in a log.
        if not sys.stdout.isatty():
            return
        width = 30
        filled = width if not total else min(width, int(width * done / total))
        label = "Sending" if phase == "push" else "Receiving"
        self.stdout.write(
            f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{max(total, done)}",
            ending="",
        )
        self.stdout.flush()

    def _progress_done(self) -> None:
        if sys.stdout.isatty():
            self.stdout.write("")
