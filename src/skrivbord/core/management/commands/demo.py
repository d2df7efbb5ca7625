"""skrivbord demo: an office system and the online desktop, kept equal by the sync agent.

`skrivbord demo` (the console script) sets the environment before Django starts: its own data
directory, demo mode (DEBUG on), plain HTTP and embedded SQLite (see skrivbord/cli.py). This
process then runs each node in processes of its own (`skrivbord/demo/launcher.py`): the
online desktop on PORT, the office system on PORT+1, and the agent between them.

The hidden `--node NODE --step STEP` options are those child processes: one step of one node,
run in that node's environment.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from skrivbord.demo import nodes
from skrivbord.demo.launcher import OFFICE, ONLINE, DemoLauncher
from skrivbord.sync import agent as sync_agent

STEPS = ("prepare", "unpair", "serve", "agent")
DEMO_LONG_POLL_SECONDS = 2


class Command(BaseCommand):
    help = (
        "Start a demo of skrivbord: an office system with a demo company, 240 contacts and a "
        "demo user, and the online desktop, kept equal by the sync agent; in a separate data "
        "directory, on http://127.0.0.1:8000/ (online) and http://127.0.0.1:8001/ (office)."
    )
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address (default 127.0.0.1).")
        parser.add_argument(
            "--port",
            type=int,
            default=8000,
            help="Port of the online desktop (default 8000); the office system uses the next.",
        )
        parser.add_argument(
            "--data-dir",
            help="Data directory of the demo (default: the user data directory's demo folder, "
            "or $SKRIVBORD_DEMO_DIR).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare both nodes and connect them, but do not serve them.",
        )
        # The demo's own child processes (see the module docstring).
        parser.add_argument("--node", choices=(OFFICE, ONLINE), help=argparse.SUPPRESS)
        parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
        parser.add_argument("--online-url", default="", help=argparse.SUPPRESS)
        parser.add_argument("--company", help=argparse.SUPPRESS)

    @no_translations
    def handle(self, *args: Any, **options: Any) -> None:
        if settings.MODE != "demo":
            # Only the console script prepares a demo environment; anything else might be a
            # production database that must not receive demo data.
            raise CommandError(
                "The demo runs in its own environment: start it with `skrivbord demo`."
            )
        if options["node"]:
            self._node_step(options)
            return
        launcher = DemoLauncher(
            data_dir=Path(settings.DATA_DIR),
            host=options["host"],
            port=options["port"],
            write=self._write,
        )
        launcher.run(serve=not options["no_serve"])

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def _node_step(self, options: dict[str, Any]) -> None:
        node, step = options["node"], options["step"]
        if step is None:
            raise CommandError("--node needs --step.")
        if node != settings.NODE:
            raise CommandError(f"This process is the {settings.NODE} node, not the {node} node.")
        if step == "prepare":
            call_command("migrate", interactive=False, verbosity=0)
            state = (
                nodes.office_prepare(online_url=options["online_url"])
                if node == OFFICE
                else nodes.online_prepare()
            )
            for line in state.lines():
                self.stdout.write(line)
        elif step == "unpair":
            nodes.unpair(company_id=uuid.UUID(options["company"]), node=node)
        elif step == "serve":
            _exit_with_parent()
            # Static files come from the package through whitenoise's finders (DEBUG is on in
            # demo mode): nothing to collect. The prepare step migrated.
            call_command(
                "serve",
                "--no-migrate",
                "--no-collectstatic",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
                # A demo has no long requests to finish: stop a slow worker soon.
                "--shutdown-timeout",
                "3",
            )
        else:
            _exit_with_parent()
            # A line per HTTP request would bury what the person wants to see.
            logging.getLogger("httpx").setLevel(logging.WARNING)
            # Ctrl-C stops the agent once its long poll returns: keep that wait short, so the
            # demo stops within a couple of seconds. Changes still arrive as soon as they exist.
            sync_agent.LONG_POLL_SECONDS = DEMO_LONG_POLL_SECONDS
            call_command("sync", "--company", options["company"])


def _exit_with_parent() -> None:
    """Stop this process as on Ctrl-C when the demo's parent process is gone.

    The parent holds this process's standard input open; it closes when the parent ends,
    however it ended (even SIGKILL), so no server is left holding the demo's ports.
    """

    def watch() -> None:
        try:
            while os.read(sys.stdin.fileno(), 1024):
                pass
        except (OSError, ValueError):
            pass
        if sys.platform == "win32":
            os.kill(os.getpid(), signal.CTRL_BREAK_EVENT)
        else:
            os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(15)
        os._exit(1)  # it did not stop in time

    threading.Thread(target=watch, name="demo-parent-watch", daemon=True).start()
