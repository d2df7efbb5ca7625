"""Running the checks, resolved marks, the Kontroll page and `skrivbord books_check`."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse

from skrivbord.accounting import models as m
from skrivbord.accounting.checks.models import CheckRun, Finding, FindingMark
from skrivbord.accounting.checks.services import books_check_run
from skrivbord.accounting.importer import sie_import
from skrivbord.sync import capture
from skrivbord.sync.models import SyncChange
from tests.accounting.base import node_is
from tests.accounting.books import books_of
from tests.accounting.files import BALANCES, PAYMENT, SALE_1, sie, voucher
from tests.sync.base import SyncTestCase

#: Acme's books with one voucher whose rows sum to 5.00.
UNBALANCED = voucher(
    "A", 2, "20250210", "Faktura 2", "#TRANS 1510 {} 630.00", "#TRANS 3001 {} -625.00"
)
BOOKS = sie(*BALANCES, SALE_1, UNBALANCED, PAYMENT)


class ChecksTestCase(SyncTestCase):
    """Acme's books imported at the office, then this database is the online node again
    (where the marks are made)."""

    def setUp(self) -> None:
        super().setUp()
        self.import_books(BOOKS)
        books_check_run(company=self.acme)

    def import_books(self, data: bytes) -> None:
        with node_is("office"):
            sie_import(company=self.acme, source=data)
        capture.install("default", node="online")

    def unbalanced(self) -> Finding:
        return Finding.objects.get(company=self.acme, code="unbalanced_voucher")


class RunTests(ChecksTestCase):
    def test_it_never_changes_the_books_nor_the_change_log(self) -> None:
        books = books_of(self.acme)
        changes = SyncChange.objects.count()
        books_check_run(company=self.acme)
        self.assertEqual(books_of(self.acme), books)
        self.assertEqual(SyncChange.objects.count(), changes)

    def test_it_replaces_the_findings_of_the_previous_run(self) -> None:
        books_check_run(company=self.acme)
        self.assertEqual(Finding.objects.filter(code="unbalanced_voucher").count(), 1)
        self.assertEqual(CheckRun.objects.get(company=self.acme).trigger, "manual")

    def test_the_findings_name_the_voucher_and_the_difference(self) -> None:
        finding = self.unbalanced()
        self.assertEqual(finding.severity, "critical")
        self.assertEqual(finding.params["difference"], "5.00")
        voucher_id = str(m.Voucher.objects.get(series="A", number=2).id)
        self.assertEqual(finding.vouchers[0][:2], [voucher_id, "A 2"])

    def test_it_runs_after_an_import(self) -> None:
        Finding.objects.all().delete()
        fixed = voucher(
            "A", 2, "20250210", "Faktura 2", "#TRANS 1510 {} 625", "#TRANS 3001 {} -625"
        )
        with node_is("office"):
            out = io.StringIO()
            path = self.write_file(sie(*BALANCES, SALE_1, fixed, PAYMENT))
            call_command("sie_import", path, "--company", str(self.acme.id), stdout=out)
        self.assertIn("Checks: 0 critical", out.getvalue())
        self.assertFalse(Finding.objects.filter(code="unbalanced_voucher").exists())

    def write_file(self, data: bytes) -> str:
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        path = folder / "books.se"
        path.write_bytes(data)
        return str(path)


class MarkTests(ChecksTestCase):
    def resolve(self, comment: str = "Rättad i kontoret") -> object:
        self.login(self.alice)
        url = reverse("accounting_checks:resolve", args=[self.acme.id, self.unbalanced().id])
        return self.client.post(url, {"comment": comment})

    def test_a_resolved_finding_stays_resolved_on_later_runs(self) -> None:
        response = self.resolve()
        self.assertEqual(response.status_code, 302)  # type: ignore[attr-defined]
        books_check_run(company=self.acme)
        page = self.client.get(reverse("accounting_checks:index", args=[self.acme.id]))
        self.assertNotContains(page, "Voucher A 2 of 2025-02-10 does not balance")
        resolved = self.client.get(
            reverse("accounting_checks:index", args=[self.acme.id]), {"status": "resolved"}
        )
        self.assertContains(resolved, "Voucher A 2 of 2025-02-10 does not balance")
        self.assertContains(resolved, "Rättad i kontoret")

    def test_it_reopens_when_the_data_under_it_changes(self) -> None:
        self.resolve()
        worse = voucher(
            "A", 2, "20250210", "Faktura 2", "#TRANS 1510 {} 640", "#TRANS 3001 {} -625"
        )
        self.import_books(sie(*BALANCES, SALE_1, worse, PAYMENT))
        books_check_run(company=self.acme)
        page = self.client.get(reverse("accounting_checks:index", args=[self.acme.id]))
        self.assertContains(page, "its rows sum to 15,00 kr instead of 0")
        self.assertContains(page, "Open again: the data changed after it was resolved")

    def test_a_comment_is_required(self) -> None:
        response = self.resolve(comment="  ")
        self.assertContains(response, "Say why the finding is resolved.", status_code=400)
        self.assertFalse(FindingMark.objects.exists())

    def test_an_admin_can_reopen(self) -> None:
        self.resolve()
        url = reverse("accounting_checks:reopen", args=[self.acme.id, self.unbalanced().id])
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(FindingMark.objects.get().resolved)

    def test_only_administrators_resolve(self) -> None:
        url = reverse("accounting_checks:resolve", args=[self.acme.id, self.unbalanced().id])
        for user in (self.bob, self.rita):
            self.login(user)
            self.assertEqual(self.client.post(url, {"comment": "x"}).status_code, 403)
        self.assertFalse(FindingMark.objects.exists())

    def test_the_office_cannot_resolve(self) -> None:
        with node_is("office"):
            response = self.resolve()
        self.assertEqual(response.status_code, 403)  # type: ignore[attr-defined]


class PageTests(ChecksTestCase):
    def test_it_groups_the_findings_by_severity_with_counts(self) -> None:
        self.login(self.rita)
        page = self.client.get(reverse("accounting_checks:index", args=[self.acme.id]))
        self.assertContains(page, "<h2>Critical (1)</h2>", html=True)
        self.assertContains(page, "Every voucher must balance")
        self.assertNotContains(page, "Mark resolved")  # read-only member

    def test_a_finding_links_to_its_voucher_and_accounts(self) -> None:
        self.login(self.rita)
        page = self.client.get(reverse("accounting_checks:index", args=[self.acme.id]))
        voucher = m.Voucher.objects.get(series="A", number=2)
        self.assertContains(
            page, f'<a href="{reverse("accounting:voucher", args=[self.acme.id, voucher.id])}">'
        )
        self.assertContains(page, reverse("accounting:account", args=[self.acme.id, "1510"]))

    def test_it_filters_by_severity_and_check(self) -> None:
        self.login(self.alice)
        url = reverse("accounting_checks:index", args=[self.acme.id])
        page = self.client.get(url, {"severity": "info"})
        self.assertNotContains(page, "does not balance")
        page = self.client.get(url, {"check": "voucher_balance"})
        self.assertContains(page, "does not balance")
        self.assertContains(page, "Mark resolved")

    def test_an_admin_runs_the_checks_from_the_page(self) -> None:
        Finding.objects.all().delete()
        self.login(self.alice)
        response = self.client.post(reverse("accounting_checks:run", args=[self.acme.id]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Finding.objects.filter(code="unbalanced_voucher").exists())
        self.login(self.bob)
        response = self.client.post(reverse("accounting_checks:run", args=[self.acme.id]))
        self.assertEqual(response.status_code, 403)

    def test_it_hides_other_companies_findings(self) -> None:
        self.login(self.charlie)
        finding = self.unbalanced()
        for url, method in (
            (reverse("accounting_checks:index", args=[self.acme.id]), "get"),
            (reverse("accounting_checks:run", args=[self.acme.id]), "post"),
            (reverse("accounting_checks:resolve", args=[self.acme.id, finding.id]), "get"),
            (reverse("accounting_checks:resolve", args=[self.acme.id, finding.id]), "post"),
            (reverse("accounting_checks:reopen", args=[self.acme.id, finding.id]), "post"),
            (reverse("accounting_checks:resolve", args=[self.umbrella.id, finding.id]), "post"),
        ):
            with self.subTest(url=url):
                response = getattr(self.client, method)(url, {"comment": "x"})
                self.assertEqual(response.status_code, 404)
        self.assertFalse(FindingMark.objects.exists())


class CommandTests(ChecksTestCase):
    def run_command(self, *args: str) -> tuple[int, str]:
        out = io.StringIO()
        try:
            call_command("books_check", "--company", str(self.acme.id), *args, stdout=out)
        except SystemExit as exit_:
            return int(exit_.code or 0), out.getvalue()
        return 0, out.getvalue()

    def test_it_exits_1_on_a_critical_finding_and_prints_them_by_severity(self) -> None:
        code, text = self.run_command()
        self.assertEqual(code, 1)
        self.assertIn("Critical (1 open, 1 in all)", text)
        self.assertIn("Voucher A 2 of 2025-02-10 does not balance", text)

    def test_it_prints_a_stable_json_structure(self) -> None:
        code, text = self.run_command("--format", "json", "--fiscal-year", "2025-01-01")
        body = json.loads(text)
        self.assertEqual(code, 1)
        self.assertEqual(body["version"], 1)
        self.assertEqual(body["fiscal_years"], [{"start": "2025-01-01", "end": "2025-12-31"}])
        self.assertEqual(body["open"]["critical"], 1)
        [finding] = [f for f in body["findings"] if f["code"] == "unbalanced_voucher"]
        self.assertEqual(finding["check_number"], 1)
        self.assertEqual(finding["status"], "open")
        self.assertEqual(finding["vouchers"][0]["label"], "A 2")

    def test_it_exits_0_when_the_critical_finding_is_resolved(self) -> None:
        self.login(self.alice)
        url = reverse("accounting_checks:resolve", args=[self.acme.id, self.unbalanced().id])
        self.client.post(url, {"comment": "Godkänd"})
        code, _text = self.run_command()
        self.assertEqual(code, 0)
