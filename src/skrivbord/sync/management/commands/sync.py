"""`skrivbord sync --company ID [--once]`: the sync agent (office node).

Runs until SIGTERM or Ctrl-C; `--once` runs one full exchange and exits 0 when both nodes are
equal. Only one agent per company runs at a time.
"""

from __future__ import annotations

import signal
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

    _bar_open = False
    _logged_step: tuple[str, int] | None = None

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
                agent.run(on_error=self._problem)
                self._progress_done()
                self.stdout.write("Stopped.")
        except SyncError as error:
            self._progress_done()
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

    def _problem(self, error: SyncError) -> None:
        self._progress_done()
        self.stderr.write(f"Sync problem: {error}")

    def _progress(self, phase: str, done: int, total: int) -> None:
        """A long transfer's progress: a bar on a terminal, plain lines in a log (each
        tenth of the way and the end, so a log of a large first sync stays short)."""
        label = PHASES.get(phase, phase)
        finished = 0 < total <= done
        if total:
            percent = min(100, done * 100 // total)
            figures = f"{_number(done)} of {_number(total)} rows ({percent}%)"
        else:
            percent = 0
            figures = f"{_number(done)} rows so far"
        if self.stdout.isatty():
            width = 30
            filled = width * percent // 100
            bar = f"[{'#' * filled}{'.' * (width - filled)}] " if total else ""
            self.stdout.write(f"\r\033[K{label} {bar}{figures}", ending="\n" if finished else "")
            self.stdout.flush()
            self._bar_open = not finished
            return
        step = (phase, percent // 10)
        if finished or not total or step != self._logged_step:
            self._logged_step = step
            self.stdout.write(f"{label}: {figures}")

    def _progress_done(self) -> None:
        # A transfer cut short leaves its bar open: end the line before anything else.
        if self._bar_open:
            self.stdout.write("")
            self._bar_open = False


PHASES = {"push": "Sending", "snapshot": "Receiving all online rows", "pull": "Receiving"}


def _number(value: int) -> str:
    # Grouped with spaces, as in Swedish, which no reader takes for a decimal point.
    return f"{value:,}".replace(",", " ")
