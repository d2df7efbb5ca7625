"""The agent is killed with SIGKILL at random moments, during an initial sync of thousands of
contacts and during a stream of edits; after a restart it converges, without duplicates.

Both nodes and the agent are real processes with SQLite files of their own. (The issue's
figure is 10,000 contacts; CI uses fewer to stay fast — `SKRIVBORD_KILL_TEST_CONTACTS`
raises it.)
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time

from tests.cli.processes import skrivbord
from tests.sync import test_restore
from tests.sync.test_restore import run

CONTACTS = int(os.environ.get("SKRIVBORD_KILL_TEST_CONTACTS", "3000"))


LEASE = 2  # seconds: a killed agent's claim lapses quickly here


class AgentKilledTests(test_restore.RestoreTests):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.office_env["SYNC_AGENT_LEASE_SECONDS"] = str(LEASE)

    def counts(self, env: dict[str, str], company: str) -> tuple[int, int]:
        code = (
            "from skrivbord.contacts.models import Contact\n"
            f"rows = Contact.objects.filter(company_id='{company}')\n"
            "print(f'RESULT={rows.count()},{rows.values(\"id\").distinct().count()}')"
        )
        total, distinct = run(env, "shell", "-c", code).removeprefix("RESULT=").split(",")
        return int(total), int(distinct)

    def start_agent(self) -> subprocess.Popen[str]:
        return subprocess.Popen(  # noqa: S603 - our own command line
            skrivbord("sync", "--company", self.office_company),
            env=self.office_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def test_a_killed_agent_resumes_and_converges(self) -> None:
        self.office(
            f"Contact.objects.bulk_create(Contact(company=company, name=f'K{{n:05d}}') "
            f"for n in range({CONTACTS}))"
        )
        rng = random.Random(7)
        for _kill in range(4):
            agent = self.start_agent()
            time.sleep(rng.uniform(0.5, 2.5))
            agent.send_signal(signal.SIGKILL)
            agent.wait(timeout=10)
            time.sleep(LEASE + 0.5)
            # Edits keep coming while the agent is down.
            self.office(
                "for c in Contact.objects.filter(company=company).order_by('?')[:20]:\n"
                "    services.contact_update(access=access, contact=c, phone='killed')"
            )
        partial, _ = self.counts(self.online_env, self.online_company)
        print(f"\nonline had {partial} of {CONTACTS} contacts after 4 kills")
        # Then one clean exchange must finish the job.
        self.sync()
        online_total, online_distinct = self.counts(self.online_env, self.online_company)
        office_total, _ = self.counts(self.office_env, self.office_company)
        self.assertEqual(online_total, office_total)
        self.assertEqual(online_total, online_distinct)
        self.assertEqual(self.online_state(), self.office(""))

    # The restore scenario belongs to RestoreTests; do not run it twice.
    test_a_restored_office_database_gets_back_what_it_lost_and_loses_nothing_new = None  # type: ignore[assignment]
