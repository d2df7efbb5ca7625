"""The books of a company, read-only: the trial balance.

Like every company path, the company is resolved through `company_access` (a company the
caller is not a member of answers 404) and the numbers come from the accounting selectors.
Amounts are decimal strings with two decimals ("-1234.50"), never floats.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from skrivbord.accounting import selectors
from skrivbord.api.schemas import ErrorOut, ValidationErrorOut
from skrivbord.core.access import company_access

router = Router(tags=["Accounting"])

READ_ERRORS: dict[int, type] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


class TrialBalanceQuery(Schema):
    fiscal_year: dt.date | None = Field(
        None,
        description="The first day of the fiscal year (YYYY-MM-DD); the latest year if left out.",
    )


class FiscalYearOut(Schema):
    start: dt.date
    end: dt.date


class TrialBalanceAccountOut(Schema):
    number: str
    name: str
    opening: str = Field(description='Opening balance (#IB), e.g. "1234.50".')
    movement: str = Field(description="The sum of the year's transactions.")
    closing: str = Field(
        description="opening + movement for balance-sheet accounts, movement for result accounts."
    )
    stated_closing: str | None = Field(
        description=(
            "The closing balance (#UB) or result (#RES) the imported file stated; null if the "
            "books hold none for the year."
        )
    )
    reconciles: bool = Field(description="closing equals stated_closing.")


class TrialBalanceOut(Schema):
    fiscal_year: FiscalYearOut
    reconciles: bool = Field(
        description="Every account's closing balance agrees with the imported file's."
    )
    accounts: list[TrialBalanceAccountOut]


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


@router.get(
    "/companies/{company_id}/accounting/trial-balance",
    response={200: TrialBalanceOut, **READ_ERRORS},
    operation_id="trial_balance",
    summary="Trial balance of a fiscal year",
    description=(
        "Per account the opening balance, the year's movement and the closing balance, and "
        "whether the closing balance agrees with the one the imported SIE file stated."
    ),
)
def trial_balance(
    request: HttpRequest, company_id: uuid.UUID, query: Query[TrialBalanceQuery]
) -> dict[str, object]:
    access = company_access(request.auth, company_id, module="accounting")  # type: ignore[attr-defined]
    year = selectors.fiscal_year_get(access=access, start=query.fiscal_year)
    balance = selectors.trial_balance(access=access, fiscal_year=year)
    return {
        "fiscal_year": {"start": year.start, "end": year.end},
        "reconciles": balance.reconciles,
        "accounts": [
            {
                "number": line.number,
                "name": line.name,
                "opening": _amount(line.opening),
                "movement": _amount(line.movement),
                "closing": _amount(line.closing),
                "stated_closing": _amount(line.stated),
                "reconciles": line.reconciles,
            }
            for line in balance.lines
        ],
    }
