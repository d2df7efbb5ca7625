"""Shared set-up of the sync benchmarks: an online node as a `skrivbord serve` process with its
own SQLite file, and the office node in the benchmark's own process on another file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.cli.processes import clean_env, free_port, skrivbord, wait_for_http  # noqa: E402

ORGNR = "556036-0793"


def run(env: dict[str, str], *argv: str) -> str:
    """Run a skrivbord command; its last line of output."""
    out = subprocess.run(
        skrivbord(*argv), env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    return out.splitlines()[-1] if out else ""


@dataclass
class OnlineNode:
    url: str
    env: dict[str, str]
    company_id: str
    process: subprocess.Popen[bytes]
    database: Path

    def pairing_token(self) -> str:
        return run(self.env, "sync_token_create", "--company", self.company_id)


@contextmanager
def online_node(root: Path, *, workers: int = 1) -> Iterator[OnlineNode]:
    port = free_port()
    env = clean_env(
        root / "online", SKRIVBORD_NODE="online", SKRIVBORD_HTTPS="0", ALLOWED_HOSTS="127.0.0.1"
    )
    run(env, "migrate", "--no-input", "-v", "0")
    company_id = run(env, "company_create", "--name", "Bench AB", "--orgnr", ORGNR)
    process = subprocess.Popen(
        skrivbord(
            "serve",
            "--port",
            str(port),
            "--no-migrate",
            "--no-collectstatic",
            "--workers",
            str(workers),
        ),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    node = OnlineNode(
        f"http://127.0.0.1:{port}", env, company_id, process, root / "online" / "skrivbord.sqlite3"
    )
    try:
        wait_for_http(process, node.url + "/login/", timeout=30)
        yield node
    finally:
        process.terminate()
        process.wait(timeout=20)


def office_node(root: Path):  # type: ignore[no-untyped-def]
    """Start Django in this process as the office node; returns its connected company."""
    os.environ.update(
        SKRIVBORD_DATA_DIR=str(root / "office"),
        SKRIVBORD_NODE="office",
        SKRIVBORD_HTTPS="0",
        SECRET_KEY="bench",
        DJANGO_SETTINGS_MODULE="skrivbord.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from skrivbord.core import services as core_services

    call_command("migrate", verbosity=0)
    return core_services.company_create(
        name="Bench AB",
        org_number=ORGNR,
        email="a@b.se",
        phone="08-1",
        address="Gatan 1, 111 22 Stad",
    )
