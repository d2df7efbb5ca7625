"""The `skrivbord` console script: Django's management entry point.

Every management command is `skrivbord <command>`. Settings are read from the environment
when Django starts, so the few commands that choose their own environment (the demo) set it
here, before that happens.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def _value_of(argv: list[str], option: str) -> str | None:
    for index, arg in enumerate(argv):
        if arg == option and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _prepare_demo_environment(argv: list[str]) -> None:
    """The demo runs in its own data directory, with DEBUG on and plain HTTP on localhost."""
    data_dir = _value_of(argv, "--data-dir") or os.environ.get("SKRIVBORD_DEMO_DIR")
    if not data_dir:
        data_dir = str(Path(platformdirs.user_data_dir("skrivbord")) / "demo")
    os.environ["SKRIVBORD_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())
    os.environ["DJANGO_SETTINGS_MODULE"] = "skrivbord.settings"
    os.environ["SKRIVBORD_MODE"] = "demo"
    os.environ["SKRIVBORD_HTTPS"] = "0"
    # A demo always uses its own embedded SQLite database and secret key, never those of an
    # installation whose settings happen to be exported in this shell.
    for name in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "SECRET_KEY_FILE"):
        os.environ.pop(name, None)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "demo":
        _prepare_demo_environment(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skrivbord.settings")
    from django.core.management import execute_from_command_line

    from skrivbord.sync.actor import acting_as

    # Captured writes of a command are recorded as "cli:<command>" (web requests served by
    # `serve` set their own actor).
    command = argv[1] if len(argv) > 1 and not argv[1].startswith("-") else ""
    try:
        with acting_as(f"cli:{command}" if command else "cli"):
            execute_from_command_line(argv)
    except KeyboardInterrupt:
        # Ctrl-C before the server took over signals (e.g. during migrations): no traceback.
        sys.stderr.write("\nInterrupted.\n")
        sys.exit(130)


if __name__ == "__main__":
    main()
