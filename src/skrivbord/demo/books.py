"""The demo company's books: written as SIE by our generator, imported by the real importer.

The generator (`skrivbord.accounting.sie.generate`) writes last year and this year up to
today for Demoföretaget AB, with the demo's own customers and suppliers as counterparties,
to a temporary file; `sie_import` imports it at the office as any SIE file is imported, and
the checks run after it as after any import. The agent then syncs the books to the online
desktop like everything else.

Once: a company that has books already keeps them, so a second `skrivbord demo` adds nothing
(the books then end on the day of the first run).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from skrivbord.accounting.checks.services import books_check_after_import
from skrivbord.accounting.importer import sie_import
from skrivbord.accounting.models import Voucher
from skrivbord.accounting.sie.generate import CompanyInfo, generate
from skrivbord.core.models import Company
from skrivbord.demo.generator import DEMO_COMPANY, DemoCompany, generate_contacts
from skrivbord.demo.loader import DEMO_EMAIL
from skrivbord.sync import actor

#: Rows over the two years: about 3,000 vouchers in six series.
DEMO_TRANSACTIONS = 8000
DEMO_BOOKS_SEED = 2026


@dataclass(frozen=True)
class DemoBooks:
    #: Vouchers imported now (0 when the company had books already).
    vouchers: int
    years: tuple[int, ...]
    seconds: float


def books_company_info(spec: DemoCompany = DEMO_COMPANY) -> CompanyInfo:
    street, _, postal = spec.address.partition(", ")
    return CompanyInfo(spec.name, spec.org_number, "", street, postal, spec.phone)


def demo_books_write(path: Path, *, today: dt.date, spec: DemoCompany = DEMO_COMPANY) -> int:
    """Write the demo company's SIE file: last year and this year up to `today`. Returns the
    number of vouchers."""
    contacts = generate_contacts(spec.contact_count, seed=spec.seed)
    customers = [c.name for c in contacts if c.is_customer and c.is_active][:60]
    suppliers = [c.name for c in contacts if c.is_supplier and c.is_active][:20]
    result = generate(
        path,
        transactions=DEMO_TRANSACTIONS,
        seed=DEMO_BOOKS_SEED,
        year=today.year,
        years=2,
        until=today,
        company=books_company_info(spec),
        customers=customers,
        suppliers=suppliers,
    )
    return result.vouchers


def demo_books_load(*, company: Company, today: dt.date | None = None) -> DemoBooks:
    """Import the demo books into `company` (the office's demo company) unless it has books."""
    today = today or dt.date.today()
    years = (today.year - 1, today.year)
    if Voucher.objects.filter(company=company).exists():
        return DemoBooks(vouchers=0, years=years, seconds=0.0)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skrivbord-demo-") as folder:
        path = Path(folder) / "demoforetaget.se"
        demo_books_write(path, today=today)
        with actor.acting_as(DEMO_EMAIL):
            result = sie_import(company=company, source=path)
    books_check_after_import(company=company, result=result)
    return DemoBooks(vouchers=result.vouchers, years=years, seconds=time.perf_counter() - started)
