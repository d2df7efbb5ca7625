"""GET /api/v1/companies/{id}/accounting/trial-balance."""

from __future__ import annotations

from typing import Any

from skrivbord.accounting.importer import sie_import
from skrivbord.core.services import token_create
from tests.accounting.base import BooksTestCase
from tests.accounting.files import BOOKS

URL = "/api/v1/companies/{}/accounting/trial-balance"


class TrialBalanceApiTests(BooksTestCase):
    def setUp(self) -> None:
        super().setUp()
        sie_import(company=self.acme, source=BOOKS)

    def get(self, user: Any, company: Any = None, **params: str) -> Any:
        _token, secret = token_create(user=user, name="tests")
        return self.client.get(
            URL.format((company or self.acme).id), params, HTTP_AUTHORIZATION=f"Bearer {secret}"
        )

    def test_it_lists_each_accounts_opening_movement_and_closing_as_decimal_strings(self) -> None:
        response = self.get(self.alice, fiscal_year="2025-01-01")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["fiscal_year"], {"start": "2025-01-01", "end": "2025-12-31"})
        self.assertTrue(body["reconciles"])
        accounts = {a["number"]: a for a in body["accounts"]}
        self.assertEqual(
            accounts["1930"],
            {
                "number": "1930",
                "name": "Företagskonto",
                "opening": "10000.00",
                "movement": "1250.00",
                "closing": "11250.00",
                "stated_closing": "11250.00",
                "reconciles": True,
            },
        )
        self.assertEqual(
            (accounts["3001"]["opening"], accounts["3001"]["closing"]), ("0.00", "-1625.00")
        )
        self.assertEqual(list(accounts), sorted(accounts))

    def test_without_a_fiscal_year_it_shows_the_latest(self) -> None:
        self.assertEqual(self.get(self.alice).json()["fiscal_year"]["start"], "2025-01-01")

    def test_the_previous_year_has_its_closing_balances_but_no_movement(self) -> None:
        body = self.get(self.alice, fiscal_year="2024-01-01").json()
        accounts = {a["number"]: a for a in body["accounts"]}
        self.assertEqual(accounts["1930"]["stated_closing"], "10000.00")
        self.assertFalse(accounts["1930"]["reconciles"])  # no #IB -1 and no vouchers of 2024
        self.assertFalse(body["reconciles"])

    def test_it_says_which_account_does_not_reconcile(self) -> None:
        sie_import(
            company=self.acme, source=BOOKS.replace(b"#UB 0 1930 11250.00", b"#UB 0 1930 11250.01")
        )
        body = self.get(self.alice).json()
        self.assertFalse(body["reconciles"])
        self.assertEqual(
            [
                (a["number"], a["closing"], a["stated_closing"])
                for a in body["accounts"]
                if not a["reconciles"]
            ],
            [("1930", "11250.00", "11250.01")],
        )

    def test_a_read_only_member_may_read_it(self) -> None:
        self.assertEqual(self.get(self.rita).status_code, 200)

    def test_another_company_gets_404(self) -> None:
        response = self.get(self.charlie)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("1930", response.content.decode())

    def test_charlie_sees_no_books_of_his_own_company_either(self) -> None:
        self.assertEqual(self.get(self.charlie, company=self.umbrella).status_code, 404)

    def test_an_unknown_fiscal_year_is_404_and_a_bad_date_422(self) -> None:
        self.assertEqual(self.get(self.alice, fiscal_year="2019-01-01").status_code, 404)
        self.assertEqual(self.get(self.alice, fiscal_year="inte-ett-datum").status_code, 422)

    def test_it_needs_a_token_or_a_session(self) -> None:
        self.assertEqual(self.client.get(URL.format(self.acme.id)).status_code, 401)
        self.login(self.bob)
        self.assertEqual(self.client.get(URL.format(self.acme.id)).status_code, 200)

    def test_it_is_in_the_openapi_document(self) -> None:
        paths = self.client.get("/api/v1/openapi.json").json()["paths"]
        self.assertIn("/api/v1/companies/{company_id}/accounting/trial-balance", paths)
