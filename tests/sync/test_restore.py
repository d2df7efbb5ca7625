"""A restored office backup is detected and reconciled, with real processes and files.

Both nodes are `skrivbord` processes with SQLite files of their own; the backup is a copy of
the office's database file, and the restore copies it back, as an administrator would.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import ClassVar

from django.test import SimpleTestCase

from tests.cli.processes import clean_env, free_port, skrivbord, wait_for_http

ORGNR = "556036-0793"
SHELL = """
from skrivbord.contacts import services
from skrivbord.contacts.models import Contact
from skrivbord.core.access import company_access
from skrivbord.core.models import Company, User
import json, sys
company = Company.objects.get(id="{company}")
user = User.objects.get(email="admin@kontoret.se")
access = company_access(user, company.id)
{code}
print("RESULT=" + json.dumps({{c.name: c.phone for c in Contact.objects.filter(company=company)}}))
"""


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own command line
        skrivbord(*args), env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode:
        raise AssertionError(f"{args[0]} failed:\n{done.stdout}\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


class RestoreTests(SimpleTestCase):
    online: ClassVar[subprocess.Popen[str]]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="skrivbord-restore-")
        root = Path(cls.tmp.name)
        port = free_port()
        cls.url = f"http://127.0.0.1:{port}"
        common = {"SKRIVBORD_HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1"}
        cls.online_env = clean_env(root / "online", SKRIVBORD_NODE="online", **common)
        cls.office_env = clean_env(root / "office", SKRIVBORD_NODE="office", **common)
        cls.office_db = root / "office" / "skrivbord.sqlite3"
        run(cls.online_env, "migrate", "--no-input", "-v", "0")
        cls.online_company = run(
            cls.online_env, "company_create", "--name", "Kontoret AB", "--orgnr", ORGNR
        )
        run(cls.office_env, "migrate", "--no-input", "-v", "0")
        cls.office_company = run(
            cls.office_env,
            "company_create",
            "--name",
            "Kontoret AB",
            "--orgnr",
            ORGNR,
            "--email",
            "info@kontoret.se",
            "--phone",
            "08-1",
            "--address",
            "Storgatan 1, 111 22 Stockholm",
        )
        run(
            cls.office_env,
            "user_create",
            "--email",
            "admin@kontoret.se",
            "--password",
            "a long office passphrase",
            "--company",
            cls.office_company,
            "--role",
            "administrator",
        )
        cls.online = subprocess.Popen(  # noqa: S603
            skrivbord("serve", "--port", str(port), "--no-migrate", "--no-collectstatic"),
            env=cls.online_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for_http(cls.online, cls.url + "/login/", timeout=30)
        token = run(cls.online_env, "sync_token_create", "--company", cls.online_company)
        run(
            cls.office_env,
            "sync_connect",
            "--company",
            cls.office_company,
            "--url",
            cls.url,
            "--token",
            token,
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.online.terminate()
        cls.online.wait(timeout=15)
        cls.tmp.cleanup()
        super().tearDownClass()

    def office(self, code: str) -> dict[str, str]:
        line = run(
            self.office_env, "shell", "-c", SHELL.format(company=self.office_company, code=code)
        )
        return json.loads(line.removeprefix("RESULT="))

    def online_state(self) -> dict[str, str]:
        code = (
            SHELL.replace('user = User.objects.get(email="admin@kontoret.se")', "")
            .replace("access = company_access(user, company.id)", "")
            .format(company=self.online_company, code="")
        )
        return json.loads(run(self.online_env, "shell", "-c", code).removeprefix("RESULT="))

    def sync(self) -> str:
        return run(self.office_env, "sync", "--company", self.office_company, "--once")

    def test_a_restored_office_database_gets_back_what_it_lost_and_loses_nothing_new(
        self,
    ) -> None:
        self.office('services.contact_create(access=access, name="A", phone="1")')
        self.sync()
        backup = self.office_db.with_suffix(".backup")
        shutil.copyfile(self.office_db, backup)  # processes are gone: no WAL pending

        # After the backup: B is created and A edited, both synced online.
        self.office(
            'services.contact_create(access=access, name="B", phone="2")\n'
            'a = Contact.objects.get(name="A")\n'
            'services.contact_update(access=access, contact=a, phone="1b")'
        )
        self.sync()
        self.assertEqual(self.online_state(), {"A": "1b", "B": "2"})

        # The office disk dies; yesterday's backup is restored...
        for suffix in ("-wal", "-shm"):
            Path(str(self.office_db) + suffix).unlink(missing_ok=True)
        shutil.copyfile(backup, self.office_db)
        self.assertEqual(self.office(""), {"A": "1"})
        # ...and someone edits A again before the agent runs: its change id is one the
        # online node has already seen for another edit.
        self.office(
            'a = Contact.objects.get(name="A")\n'
            'services.contact_update(access=access, contact=a, phone="1c")'
        )
        self.sync()
        self.assertEqual(self.office(""), {"A": "1c", "B": "2"})
        self.assertEqual(self.online_state(), {"A": "1c", "B": "2"})
