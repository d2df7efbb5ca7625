"""The resolved marks sync online -> office through the real engine; a sync batch that
changes the books makes the online node check them."""

from __future__ import annotations

from django.test import override_settings

from skrivbord.accounting.checks.models import Finding, FindingMark
from skrivbord.accounting.checks.services import books_check_run, finding_resolve
from skrivbord.accounting.importer import sie_import
from skrivbord.core import services
from skrivbord.core.access import company_access
from skrivbord.core.models import Role
from tests.accounting.base import node_is
from tests.accounting.checks.test_service import BOOKS
from tests.sync.base import SyncTestCase
from tests.sync.nodes import OFFICE, ONLINE, TwoNodes


class MarkSyncTests(SyncTestCase):
    databases = {"default", "office"}

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(node_is("office", OFFICE))
        self.nodes = TwoNodes()
        services.membership_set(
            user=self.alice, company=self.nodes.online_company, role=Role.ADMINISTRATOR
        )

    def test_a_mark_made_online_reaches_the_office(self) -> None:
        sie_import(company=self.nodes.office_company, source=BOOKS, using=OFFICE)
        self.nodes.exchange()
        books_check_run(company=self.nodes.online_company)
        finding = Finding.objects.using(ONLINE).get(code="unbalanced_voucher")
        with override_settings(NODE="online"):  # this process serves the online node now
            access = company_access(self.alice, self.nodes.online_company.id)
            mark = finding_resolve(access=access, finding_id=finding.id, comment="Rättas i januari")
        self.nodes.exchange()
        at_the_office = FindingMark.objects.using(OFFICE).get(id=mark.id)
        self.assertEqual(at_the_office.comment, "Rättas i januari")
        self.assertEqual(at_the_office.fingerprint, finding.fingerprint)
        self.assertEqual(at_the_office.company_id, self.nodes.office_company.id)

    def test_a_batch_of_the_books_pushed_by_the_agent_runs_the_checks_online(self) -> None:
        sie_import(company=self.nodes.office_company, source=BOOKS, using=OFFICE)
        self.assertFalse(Finding.objects.using(ONLINE).exists())
        with self.nodes.running_on(OFFICE):
            self.nodes.agent().exchange()
        online = Finding.objects.using(ONLINE).filter(company=self.nodes.online_company)
        self.assertTrue(online.filter(code="unbalanced_voucher").exists())
