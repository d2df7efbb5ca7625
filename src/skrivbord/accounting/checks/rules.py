"""The control checks of the books (ACCOUNTING.md §4.2), pure Python over plain data.

`check_year(data)` takes one fiscal year's facts (`YearData`: balances, sums per account,
and the few vouchers that aggregate SQL has already picked out) and returns its findings.
Nothing here touches a database: the Django side (`loader.py`) gathers the data with
aggregate queries, so the rules can be tested with hand-made data and stay fast whatever the
size of the books.

A finding names its check, severity, code (what `messages.py` explains), parameters, the
vouchers and accounts concerned (capped lists with a total), a subject (what it is about, so
a "resolved" mark can find it again on the next run) and a fingerprint of the data under it
(so a resolved finding reopens when that data changes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import holidays
from holidays.constants import DE_FACTO, PUBLIC

from skrivbord.accounting.checks.messages import CHECKS

CRITICAL = "critical"
WARNING = "warning"
INFO = "info"
SEVERITIES = (CRITICAL, WARNING, INFO)

#: Vouchers and accounts listed on one finding; the rest are counted.
MAX_LISTED = 20
#: Findings of one code per year (one per voucher or account); the rest are summed up.
MAX_PER_CODE = 50
ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class VoucherRef:
    id: str
    label: str
    date: dt.date


@dataclass(frozen=True)
class AccountInfo:
    number: str
    name: str = ""
    #: #KTYP: T asset, S liability/equity, K expense, I income, or "".
    type: str = ""


@dataclass(frozen=True)
class SeriesNumbering:
    series: str
    count: int
    first: int
    last: int
    #: (last number before the gap, first number after it)
    gaps: tuple[tuple[int, int], ...] = ()
    duplicates: tuple[VoucherRef, ...] = ()
    out_of_order: tuple[VoucherRef, ...] = ()
    out_of_order_count: int = 0


@dataclass(frozen=True)
class Sample:
    """How many things an aggregate query counted, and the first few of them."""

    count: int = 0
    vouchers: tuple[VoucherRef, ...] = ()

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class YearData:
    start: dt.date
    end: dt.date
    accounts: Mapping[str, AccountInfo] = field(default_factory=dict)
    #: #IB, #UB, #RES of the year per account (the account as a whole).
    opening: Mapping[str, Decimal] = field(default_factory=dict)
    closing: Mapping[str, Decimal] = field(default_factory=dict)
    result: Mapping[str, Decimal] = field(default_factory=dict)
    #: #UB of the previous fiscal year in the books; None when there is no previous year.
    previous_closing: Mapping[str, Decimal] | None = None
    #: Σ #TRANS per account.
    movements: Mapping[str, Decimal] = field(default_factory=dict)
    #: Σ #TRANS per VAT account (2600-2699) on vouchers that also book 2650: the period's VAT
    #: moved to the VAT account (momsredovisning), which is not sales VAT.
    vat_settled: Mapping[str, Decimal] = field(default_factory=dict)
    #: Σ #PSALDO per account (the account as a whole) and the last period given.
    period_sums: Mapping[str, Decimal] = field(default_factory=dict)
    last_period: dt.date | None = None
    vouchers: int = 0
    rows: int = 0
    #: (voucher, Σ rows) of every voucher whose #TRANS rows do not sum to 0.
    unbalanced: tuple[tuple[VoucherRef, Decimal], ...] = ()
    unbalanced_count: int = 0
    #: (voucher, account, amount) of #RTRANS rows without their #TRANS twin.
    unpaired_rtrans: tuple[tuple[VoucherRef, str, Decimal], ...] = ()
    numbering: tuple[SeriesNumbering, ...] = ()
    without_series: Sample = field(default_factory=Sample)
    outside_year: Sample = field(default_factory=Sample)
    rows_outside_year: Sample = field(default_factory=Sample)
    registered_before_date: Sample = field(default_factory=Sample)
    #: (voucher, registered) of vouchers with a cash row registered > 1 day after the date.
    cash_registered: tuple[tuple[VoucherRef, dt.date], ...] = ()
    #: cash account -> [(date, net of the day)] in date order.
    cash_days: Mapping[str, list[tuple[dt.date, Decimal]]] = field(default_factory=dict)
    reverse_charge: Sample = field(default_factory=Sample)
    weekend: Sample = field(default_factory=Sample)
    without_text: Sample = field(default_factory=Sample)
    post_closing: Sample = field(default_factory=Sample)
    #: groups of vouchers with the same date, accounts and amounts
    duplicates: tuple[tuple[VoucherRef, ...], ...] = ()
    duplicates_count: int = 0
    #: first digit (1-9) -> how many amounts start with it
    first_digits: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str
    code: str
    subject: str
    params: Mapping[str, object]
    vouchers: tuple[VoucherRef, ...] = ()
    voucher_count: int = 0
    accounts: tuple[str, ...] = ()
    account_count: int = 0
    fingerprint: str = ""


def make_finding(
    check: str,
    severity: str,
    code: str,
    subject: str,
    params: Mapping[str, object],
    *,
    vouchers: Iterable[VoucherRef] = (),
    voucher_count: int | None = None,
    accounts: Iterable[str] = (),
    account_count: int | None = None,
) -> Finding:
    """A finding with its lists capped and its fingerprint: a hash of everything it shows,
    so any change of the data under it changes the fingerprint."""
    voucher_list = tuple(vouchers)
    account_list = tuple(accounts)
    listed_vouchers = voucher_list[:MAX_LISTED]
    listed_accounts = account_list[:MAX_LISTED]
    total_vouchers = len(voucher_list) if voucher_count is None else voucher_count
    total_accounts = len(account_list) if account_count is None else account_count
    basis = json.dumps(
        [
            check,
            code,
            subject,
            {key: _plain(value) for key, value in sorted(params.items())},
            [(v.id, v.date.isoformat()) for v in voucher_list[: MAX_LISTED * 10]],
            total_vouchers,
            list(account_list),
        ],
        sort_keys=True,
        ensure_ascii=False,
    )
    return Finding(
        check=check,
        severity=severity,
        code=code,
        subject=subject,
        params=dict(params),
        vouchers=listed_vouchers,
        voucher_count=total_vouchers,
        accounts=listed_accounts,
        account_count=total_accounts,
        fingerprint=hashlib.sha256(basis.encode()).hexdigest()[:32],
    )


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- Accounts ---------------------------------------------------------------------------------


def bas_number(account: str) -> int | None:
    """The four-digit BAS number of an account (its first four digits), None when the
    account is not numeric or shorter."""
    if len(account) < 4 or not account.isdigit():
        return None
    return int(account[:4])


def in_range(account: str, low: int, high: int) -> bool:
    number = bas_number(account)
    return number is not None and low <= number <= high


def is_balance_account(info: AccountInfo) -> bool | None:
    """True for assets, liabilities and equity, False for income and expenses, None for
    internal (class 9) and non-numeric accounts: by #KTYP, else by the BAS class."""
    if info.type in ("T", "S"):
        return True
    if info.type in ("K", "I"):
        return False
    first = info.number[:1]
    if first in ("1", "2"):
        return True
    if first in ("3", "4", "5", "6", "7", "8"):
        return False
    return None


def _info(data: YearData, account: str) -> AccountInfo:
    return data.accounts.get(account) or AccountInfo(account)


def _label(data: YearData, account: str) -> str:
    name = _info(data, account).name
    return f"{account} {name}".strip()


# --- The checks -------------------------------------------------------------------------------


def check_year(data: YearData) -> list[Finding]:
    """Every finding of one fiscal year, most severe first."""
    findings: list[Finding] = []
    for rule in RULES:
        findings += rule(data)
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    return sorted(findings, key=lambda f: (order[f.severity], CHECK_ORDER[f.check], f.subject))


def voucher_balance(data: YearData) -> list[Finding]:
    """1: the #TRANS rows of a voucher sum to 0."""
    findings = [
        make_finding(
            "voucher_balance",
            CRITICAL,
            "unbalanced_voucher",
            f"voucher:{voucher.id}",
            {"voucher": voucher.label, "date": voucher.date, "difference": total},
            vouchers=[voucher],
        )
        for voucher, total in data.unbalanced[:MAX_PER_CODE]
    ]
    more = data.unbalanced_count - len(findings)
    if more > 0:
        rest = [voucher for voucher, _total in data.unbalanced[MAX_PER_CODE:]]
        findings.append(
            make_finding(
                "voucher_balance",
                CRITICAL,
                "unbalanced_more",
                "more",
                {"count": more},
                vouchers=rest,
                voucher_count=more,
            )
        )
    return findings


def rtrans_pairing(data: YearData) -> list[Finding]:
    """2: every #RTRANS is followed by an identical #TRANS."""
    return [
        make_finding(
            "rtrans_pairing",
            WARNING,
            "rtrans_unpaired",
            f"voucher:{voucher.id}:{account}:{amount}",
            {"voucher": voucher.label, "account": account, "amount": amount},
            vouchers=[voucher],
            accounts=[account],
        )
        for voucher, account, amount in data.unpaired_rtrans[:MAX_PER_CODE]
    ]


def _ranges(gaps: Iterable[tuple[int, int]], limit: int = 8) -> str:
    parts = []
    gaps = list(gaps)
    for before, after in gaps[:limit]:
        first, last = before + 1, after - 1
        parts.append(str(first) if first == last else f"{first}\N{EN DASH}{last}")
    if len(gaps) > limit:
        parts.append("…")
    return ", ".join(parts)


def numbering(data: YearData) -> list[Finding]:
    """3: numbers per series without gaps or duplicates, in date order."""
    findings = []
    for series in data.numbering:
        name = series.series or "\N{EN DASH}"
        if series.gaps:
            missing = sum(after - before - 1 for before, after in series.gaps)
            findings.append(
                make_finding(
                    "numbering",
                    WARNING,
                    "numbering_gaps",
                    f"series:{series.series}",
                    {
                        "series": name,
                        "missing": missing,
                        "first": series.first,
                        "last": series.last,
                        "gaps": _ranges(series.gaps),
                    },
                )
            )
        if series.duplicates:
            numbers = sorted({v.label for v in series.duplicates})
            findings.append(
                make_finding(
                    "numbering",
                    WARNING,
                    "numbering_duplicates",
                    f"series-duplicates:{series.series}",
                    {
                        "series": name,
                        "count": len(numbers),
                        "numbers": ", ".join(numbers[:MAX_LISTED]),
                    },
                    vouchers=series.duplicates,
                )
            )
        if series.out_of_order_count:
            findings.append(
                make_finding(
                    "numbering",
                    INFO,
                    "numbering_order",
                    f"series-order:{series.series}",
                    {"series": name, "count": series.out_of_order_count},
                    vouchers=series.out_of_order,
                    voucher_count=series.out_of_order_count,
                )
            )
    if data.without_series:
        findings.append(_sample("numbering", INFO, "numbering_no_series", data.without_series))
    return findings


def _sample(check: str, severity: str, code: str, sample: Sample, **params: object) -> Finding:
    return make_finding(
        check,
        severity,
        code,
        code,
        {"count": sample.count, **params},
        vouchers=sample.vouchers,
        voucher_count=sample.count,
    )


#: Days off in Sweden: public holidays, and the eves everyone takes off (Midsummer,
#: Christmas and New Year's Eve). Sundays are weekend days below already.
DAYS_OFF = holidays.Sweden(include_sundays=False, categories=(PUBLIC, DE_FACTO))


def working_days_between(first: dt.date, last: dt.date) -> int:
    """Working days (Monday to Friday, not a day off) after `first` up to and including
    `last`."""
    days = 0
    day = first
    while day < last:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in DAYS_OFF:
            days += 1
    return days


def dates(data: YearData) -> list[Finding]:
    """4: dates inside the fiscal year, registered after the event, cash booked in time."""
    findings = []
    year = {"start": data.start, "end": data.end}
    if data.outside_year:
        findings.append(
            _sample("dates", CRITICAL, "voucher_outside_year", data.outside_year, **year)
        )
    if data.rows_outside_year:
        findings.append(
            _sample("dates", WARNING, "row_outside_year", data.rows_outside_year, **year)
        )
    if data.registered_before_date:
        findings.append(
            _sample("dates", WARNING, "registered_before_date", data.registered_before_date)
        )
    late = [
        (voucher, working_days_between(voucher.date, registered))
        for voucher, registered in data.cash_registered
    ]
    late = [(voucher, days) for voucher, days in late if days > 1]
    if late:
        findings.append(
            make_finding(
                "dates",
                WARNING,
                "cash_registered_late",
                "cash_registered_late",
                {"count": len(late), "days": max(days for _v, days in late)},
                vouchers=[voucher for voucher, _days in late],
            )
        )
    return findings


def chart(data: YearData) -> list[Finding]:
    """5: accounts used but not declared, non-numeric accounts, accounts outside BAS."""
    used = sorted(set(data.movements) | set(data.opening) | set(data.closing) | set(data.result))
    findings = []
    nameless = [a for a in used if not _info(data, a).name]
    if nameless:
        findings.append(
            make_finding(
                "chart",
                INFO,
                "account_undeclared",
                "account_undeclared",
                {"count": len(nameless), "accounts": _list(nameless)},
                accounts=nameless,
            )
        )
    non_numeric = [a for a in used if not a.isdigit()]
    if non_numeric:
        findings.append(
            make_finding(
                "chart",
                WARNING,
                "account_non_numeric",
                "account_non_numeric",
                {"count": len(non_numeric), "accounts": _list(non_numeric)},
                accounts=non_numeric,
            )
        )
    not_bas = [a for a in used if a.isdigit() and len(a) != 4]
    if not_bas:
        findings.append(
            make_finding(
                "chart",
                INFO,
                "account_not_bas",
                "account_not_bas",
                {"count": len(not_bas), "accounts": _list(not_bas)},
                accounts=not_bas,
            )
        )
    return findings


def _list(accounts: list[str]) -> str:
    shown = ", ".join(accounts[:MAX_LISTED])
    return shown + (", …" if len(accounts) > MAX_LISTED else "")


def reconciliation(data: YearData) -> list[Finding]:
    """8: UB = IB + Σ rows per balance-sheet account, RES = Σ rows per result account,
    when the books state closing balances at all (a 4I import does not)."""
    if not (data.closing or data.result) or not data.rows:
        # No closing balances to compare with (a 4I import), or no transactions at all (a
        # type 1-3 file, or last year's balances that came with this year's file).
        return []
    findings = []
    accounts = sorted(set(data.movements) | set(data.opening) | set(data.closing))
    for account in sorted(set(accounts) | set(data.result)):
        kind = is_balance_account(_info(data, account))
        movement = data.movements.get(account, ZERO)
        if kind is None:
            kind = True if account in data.closing else False if account in data.result else None
        if kind is None:
            continue
        if kind:
            opening = data.opening.get(account, ZERO)
            computed = opening + movement
            stated = data.closing.get(account, ZERO)
            params: dict[str, object] = {
                "account": _label(data, account),
                "opening": opening,
                "movement": movement,
                "closing": computed,
                "stated": stated,
                "difference": stated - computed,
            }
            code = "reconciliation_balance"
        else:
            computed = movement
            stated = data.result.get(account, ZERO)
            params = {
                "account": _label(data, account),
                "movement": movement,
                "stated": stated,
                "difference": stated - computed,
            }
            code = "reconciliation_result"
        if computed != stated:
            findings.append(
                make_finding(
                    "reconciliation",
                    WARNING,
                    code,
                    f"account:{account}",
                    params,
                    accounts=[account],
                )
            )
    return findings[:MAX_PER_CODE]


def period_balances(data: YearData) -> list[Finding]:
    """9: Σ #PSALDO per account = the year's change (RES, or UB - IB), when the period
    balances reach the year's last month (#OMFATTN may stop them earlier)."""
    if not data.period_sums or data.last_period is None:
        return []
    if (data.last_period.year, data.last_period.month) < (data.end.year, data.end.month):
        return []
    if not (data.closing or data.result):
        return []
    findings = []
    for account in sorted(set(data.period_sums) | set(data.result) | set(data.closing)):
        kind = is_balance_account(_info(data, account))
        if kind is None:
            continue
        if kind:
            expected = data.closing.get(account, ZERO) - data.opening.get(account, ZERO)
        else:
            expected = data.result.get(account, ZERO)
        periods = data.period_sums.get(account, ZERO)
        if periods != expected:
            findings.append(
                make_finding(
                    "period_balances",
                    WARNING,
                    "period_balance_mismatch",
                    f"account:{account}",
                    {
                        "account": _label(data, account),
                        "periods": periods,
                        "expected": expected,
                        "difference": periods - expected,
                    },
                    accounts=[account],
                )
            )
    return findings[:MAX_PER_CODE]


def _equity(account: str) -> bool:
    return in_range(account, 2000, 2099)


def _vat(account: str) -> bool:
    return in_range(account, 2600, 2699)


def continuity(data: YearData) -> list[Finding]:
    """10: each account's opening balance is last year's closing balance. Moving last year's
    result within equity and netting VAT accounts is the documented normal pattern: those
    differences are info as long as equity in total ties and the VAT accounts net out."""
    findings = []
    for code, stated in (
        ("opening_on_result_account", data.opening),
        ("closing_on_result_account", data.closing),
    ):
        wrong = [
            a for a in sorted(stated) if stated[a] and is_balance_account(_info(data, a)) is False
        ]
        if wrong:
            findings.append(
                make_finding(
                    "continuity",
                    WARNING,
                    code,
                    code,
                    {"count": len(wrong), "accounts": _list(wrong)},
                    accounts=wrong,
                )
            )
    previous = data.previous_closing
    if previous is None or not (previous or data.opening):
        return findings[:MAX_PER_CODE]
    balance_accounts = [
        a for a in sorted(set(previous) | set(data.opening)) if is_balance_account(_info(data, a))
    ]
    differences = {
        a: data.opening.get(a, ZERO) - previous.get(a, ZERO)
        for a in balance_accounts
        if data.opening.get(a, ZERO) != previous.get(a, ZERO)
    }
    if not differences:
        return findings[:MAX_PER_CODE]
    equity_opening = sum((v for a, v in data.opening.items() if _equity(a)), ZERO)
    unbooked = sum((previous.get(a, ZERO) for a in balance_accounts), ZERO)
    equity_expected = sum((v for a, v in previous.items() if _equity(a)), ZERO) - unbooked
    equity_ties = equity_opening == equity_expected
    vat_nets = sum((d for a, d in differences.items() if _vat(a)), ZERO) == 0
    explained = equity_ties and vat_nets and all(_equity(a) or _vat(a) for a in differences)
    for account, difference in differences.items():
        findings.append(
            make_finding(
                "continuity",
                INFO if explained else WARNING,
                "opening_differs",
                f"account:{account}",
                {
                    "account": _label(data, account),
                    "opening": data.opening.get(account, ZERO),
                    "previous": previous.get(account, ZERO),
                    "difference": difference,
                },
                accounts=[account],
            )
        )
    if not equity_ties and any(_equity(a) for a in differences):
        findings.append(
            make_finding(
                "continuity",
                WARNING,
                "equity_continuity",
                "equity",
                {
                    "opening": equity_opening,
                    "expected": equity_expected,
                    "difference": equity_opening - equity_expected,
                },
                accounts=[a for a in differences if _equity(a)],
            )
        )
    return findings[:MAX_PER_CODE]


def balance_identity(data: YearData) -> list[Finding]:
    """11: Σ IB = 0 and Σ UB + Σ RES = 0 over the accounts (not class 9: internal)."""
    findings = []

    def counted(account: str) -> bool:
        return is_balance_account(_info(data, account)) is not None or not account.isdigit()

    opening = sum((v for a, v in data.opening.items() if counted(a)), ZERO)
    if opening:
        findings.append(
            make_finding(
                "balance_identity",
                CRITICAL,
                "opening_not_balanced",
                "opening",
                {"total": opening},
            )
        )
    if data.closing or data.result:
        closing = sum((v for a, v in data.closing.items() if counted(a)), ZERO)
        closing += sum((v for a, v in data.result.items() if counted(a)), ZERO)
        if closing:
            findings.append(
                make_finding(
                    "balance_identity",
                    CRITICAL,
                    "closing_not_balanced",
                    "closing",
                    {"total": closing},
                )
            )
    return findings


SUSPENSE_NAME = re.compile(r"\bobs\b|observation|suspense|oklar", re.IGNORECASE)


def year_end(data: YearData) -> list[Finding]:
    """12: 8999 carries the year's result to 2099; suspense accounts end at zero."""
    findings = []
    booked = sum((v for a, v in data.movements.items() if in_range(a, 8999, 8999)), ZERO)
    if booked:
        result = sum((v for a, v in data.movements.items() if in_range(a, 3000, 8989)), ZERO)
        if booked + result != 0:
            findings.append(
                make_finding(
                    "year_end",
                    WARNING,
                    "closing_result_mismatch",
                    "8999",
                    {"booked": booked, "result": result},
                    accounts=["8999"],
                )
            )
        equity = sum((v for a, v in data.movements.items() if in_range(a, 2099, 2099)), ZERO)
        if booked + equity != 0:
            findings.append(
                make_finding(
                    "year_end",
                    WARNING,
                    "closing_result_not_in_equity",
                    "2099",
                    {"booked": booked, "equity": equity},
                    accounts=["8999", "2099"],
                )
            )
    accounts = set(data.opening) | set(data.movements)
    for account in sorted(accounts):
        info = _info(data, account)
        suspense = account in ("1799", "2999") or (
            is_balance_account(info) and bool(SUSPENSE_NAME.search(info.name))
        )
        if not suspense:
            continue
        closing = data.opening.get(account, ZERO) + data.movements.get(account, ZERO)
        if closing:
            findings.append(
                make_finding(
                    "year_end",
                    WARNING,
                    "suspense_not_zero",
                    f"account:{account}",
                    {"account": _label(data, account), "closing": closing},
                    accounts=[account],
                )
            )
    return findings


def cash(data: YearData) -> list[Finding]:
    """13: the running balance of a cash account (1910-1919), day by day from the opening
    balance, never goes below zero."""
    findings = []
    for account, days in sorted(data.cash_days.items()):
        balance = data.opening.get(account, ZERO)
        first: tuple[dt.date, Decimal] | None = None
        lowest: tuple[dt.date, Decimal] | None = None
        for day, net in days:
            balance += net
            if balance < 0 and first is None:
                first = (day, balance)
            if balance < 0 and (lowest is None or balance < lowest[1]):
                lowest = (day, balance)
        if first is None or lowest is None:
            continue
        findings.append(
            make_finding(
                "cash",
                WARNING,
                "cash_negative",
                f"account:{account}",
                {
                    "account": _label(data, account),
                    "date": first[0],
                    "balance": first[1],
                    "minimum": lowest[1],
                    "minimum_date": lowest[0],
                },
                accounts=[account],
            )
        )
    return findings


VAT_RATES = {25: (2610, 2619), 12: (2620, 2629), 6: (2630, 2639)}
#: Within the output VAT groups: reverse charge (26x4) and import (26x5) are not sales VAT.
_NOT_SALES_VAT = {4, 5, 6, 7}
_RATE_IN_NAME = re.compile(r"(?<![\d,.])(25|12|6)\s*%")
_NOT_DOMESTIC = re.compile(r"momsfri|utan moms|export|eu\b|omvänd|utanför|\bvmb\b", re.I)
#: VAT is rounded per invoice: allow this much besides 1 % of the expected amount.
VAT_TOLERANCE = Decimal("10.00")


def sales_rate(info: AccountInfo) -> int | None:
    """The VAT rate of a domestic sales account: 3001/3002/3003 in BAS 2025, or a rate
    written in the name of an account in 3000-3799 ("Försäljning varor 25 %")."""
    fixed = {"3001": 25, "3002": 12, "3003": 6}
    if info.number in fixed:
        return fixed[info.number]
    if not in_range(info.number, 3000, 3799) or _NOT_DOMESTIC.search(info.name):
        return None
    found = _RATE_IN_NAME.search(info.name)
    return int(found.group(1)) if found else None


def vat(data: YearData) -> list[Finding]:
    """15: output VAT per rate ≈ the rate times the sales at that rate (VAT moved to 2650 by
    the VAT return's entries left out); reverse-charge VAT nets to zero per voucher."""
    findings = []
    for rate, (low, high) in VAT_RATES.items():
        sales_accounts = [
            a for a in data.movements if sales_rate(_info(data, a)) == rate and data.movements[a]
        ]
        if not sales_accounts:
            continue
        sales = -sum((data.movements[a] for a in sales_accounts), ZERO)
        output = -sum(
            (
                v - data.vat_settled.get(a, ZERO)
                for a, v in data.movements.items()
                if in_range(a, low, high) and int(a[3]) not in _NOT_SALES_VAT
            ),
            ZERO,
        )
        expected = (sales * rate / 100).quantize(CENT)
        difference = output - expected
        if abs(difference) > VAT_TOLERANCE + abs(expected) / 100:
            findings.append(
                make_finding(
                    "vat",
                    WARNING,
                    "vat_rate_mismatch",
                    f"rate:{rate}",
                    {
                        "rate": rate,
                        "vat": output,
                        "accounts": _list(sorted(sales_accounts)),
                        "sales": sales,
                        "expected": expected,
                        "difference": difference,
                    },
                    accounts=sorted(sales_accounts),
                )
            )
    if data.reverse_charge:
        findings.append(_sample("vat", WARNING, "vat_reverse_charge", data.reverse_charge))
    return findings


#: Contra accounts with a normal credit balance among the assets (accumulated depreciation
#: and write-downs, BAS xxx8/xxx9).
_CONTRA = re.compile(r"avskrivning|nedskrivning|värdeminskning|värdereglering|reserv", re.I)


def signs(data: YearData) -> list[Finding]:
    """16: receivables (1510-1518) not credit, supplier debt (2440-2449) not debit, revenue
    (3000-3699) not debit."""
    findings = []
    accounts = sorted(set(data.opening) | set(data.movements))
    for account in accounts:
        info = _info(data, account)
        closing = data.opening.get(account, ZERO) + data.movements.get(account, ZERO)
        movement = data.movements.get(account, ZERO)
        if in_range(account, 1510, 1518) and closing < 0 and not _CONTRA.search(info.name):
            code, values = "sign_asset_credit", {"closing": closing}
        elif in_range(account, 2440, 2449) and closing > 0:
            code, values = "sign_liability_debit", {"closing": closing}
        elif in_range(account, 3000, 3699) and movement > 0 and not _CONTRA.search(info.name):
            code, values = "sign_revenue_debit", {"movement": movement}
        else:
            continue
        findings.append(
            make_finding(
                "signs",
                WARNING,
                code,
                f"account:{account}",
                {"account": _label(data, account), **values},
                accounts=[account],
            )
        )
    return findings[:MAX_PER_CODE]


#: Benford's expected share of each first digit, and Nigrini's limit of nonconformity.
BENFORD = {d: math.log10(1 + 1 / d) for d in range(1, 10)}
BENFORD_MAD_LIMIT = 0.015
BENFORD_MIN_AMOUNTS = 1000


def benford_mad(first_digits: Mapping[int, int]) -> float | None:
    total = sum(first_digits.get(d, 0) for d in range(1, 10))
    if total < BENFORD_MIN_AMOUNTS:
        return None
    return sum(abs(first_digits.get(d, 0) / total - BENFORD[d]) for d in range(1, 10)) / 9


def journal(data: YearData) -> list[Finding]:
    """17 (a part): weekend dates, vouchers without any text, entries registered after the
    year end, likely duplicates, Benford's first-digit test."""
    findings = []
    if data.weekend:
        findings.append(_sample("journal", INFO, "je_weekend", data.weekend, total=data.vouchers))
    if data.without_text:
        findings.append(_sample("journal", INFO, "je_no_text", data.without_text))
    if data.post_closing:
        findings.append(
            _sample("journal", INFO, "je_post_closing", data.post_closing, end=data.end)
        )
    if data.duplicates:
        vouchers = [voucher for group in data.duplicates for voucher in group]
        findings.append(
            make_finding(
                "journal",
                INFO,
                "je_duplicates",
                "je_duplicates",
                {"count": data.duplicates_count},
                vouchers=vouchers,
                voucher_count=data.duplicates_count,
            )
        )
    mad = benford_mad(data.first_digits)
    if mad is not None and mad > BENFORD_MAD_LIMIT:
        findings.append(
            make_finding(
                "journal",
                INFO,
                "je_benford",
                "je_benford",
                {
                    "count": sum(data.first_digits.values()),
                    "mad": Decimal(str(round(mad, 4))),
                },
            )
        )
    return findings


RULES = (
    voucher_balance,
    rtrans_pairing,
    numbering,
    dates,
    chart,
    reconciliation,
    period_balances,
    continuity,
    balance_identity,
    year_end,
    cash,
    vat,
    signs,
    journal,
)

#: Checks in their §4.2 order (file_type and checksum come from the import: imports.py).
CHECK_ORDER = {key: number for key, (number, _title) in CHECKS.items()}
