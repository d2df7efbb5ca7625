"""Reading the values and the one-line records of a SIE file (the reader's careful path).

`RecordReading` is a part of `SieReader`: the values (amounts, dates, periods, accounts,
object lists) with their limits and refusals, the warnings, and a handler per record label.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from .errors import SieError
from .messages import MESSAGES
from .model import (
    Account,
    AccountType,
    Address,
    Balance,
    BalanceKind,
    ChartType,
    CompanyId,
    CompanyName,
    CompanyType,
    Currency,
    Dimension,
    Extent,
    FiscalYear,
    Flag,
    Format,
    Generated,
    IndustryCode,
    Object,
    ObjectList,
    ObjectRef,
    OrgNumber,
    PeriodBalance,
    PeriodKind,
    Program,
    Prosa,
    Severity,
    SieType,
    SieWarning,
    SruCode,
    TaxYear,
    Unit,
)
from .tokenizer import Fields, split_fields

# Limits of what we accept (§7.5-7.6 asks the importer to set its own).
MAX_AMOUNT_DIGITS = 15  # digits before the decimal point: up to 999 999 999 999 999.99
MAX_QUANTITY_DIGITS = 15
MAX_QUANTITY_DECIMALS = 6
MAX_WARNINGS_PER_CODE = 20  # more of the same kind are counted, not listed

WARNING_SEVERITY: dict[str, Severity] = {
    "unknown_label": Severity.INFO,
    "missing_object_list": Severity.INFO,
    "unterminated_quote": Severity.WARNING,
    "stray_quote": Severity.WARNING,
    "missing_open_brace": Severity.WARNING,
    "text_in_date_field": Severity.WARNING,
    "voucher_series_missing": Severity.WARNING,
    "swapped_period": Severity.WARNING,
    "iso_date": Severity.WARNING,
    "non_numeric_account": Severity.WARNING,
    "undeclared_account": Severity.WARNING,
    "account_without_number": Severity.WARNING,
    "missing_name": Severity.WARNING,
    "missing_program_version": Severity.INFO,
    "already_imported": Severity.INFO,
    "unbalanced_voucher": Severity.CRITICAL,
    "empty_voucher": Severity.WARNING,
    "record_not_allowed": Severity.WARNING,
    "missing_record": Severity.WARNING,
    "missing_sie_type": Severity.INFO,
    "ignored_field": Severity.WARNING,
    "fiscal_year_long": Severity.WARNING,
    "org_number_form": Severity.INFO,
    "unquoted_text": Severity.INFO,
    "not_cp437": Severity.INFO,
    "damaged_characters": Severity.WARNING,
    "checksum_file_encoding": Severity.INFO,
    "more_warnings": Severity.INFO,
}

_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]*)?|-?\.[0-9]+").fullmatch
_YEAR = re.compile(r"[-+]?[0-9]{1,4}").fullmatch
INT = re.compile(r"[0-9]{1,18}").fullmatch
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})").fullmatch
_ORGNR_STANDARD = re.compile(r"[0-9]{6}-[0-9]{4}").fullmatch


class RecordReading:
    """Values, warnings and one-line records; state shared with `SieReader`."""

    sie_type: int | None
    warnings: list[SieWarning]
    _warning_counts: dict[str, int]
    _dates: dict[str, datetime.date]
    _periods: dict[str, datetime.date]
    _object_lists: dict[str, tuple[ObjectList, str]]
    _accounts_seen: set[str]  # numbers checked for being numeric
    _accounts_used: set[str]  # used in balances or rows, and checked
    _accounts_declared: set[str]

    # -- warnings --------------------------------------------------------------------------

    def _warn(self, code: str, line: int, **params: object) -> None:
        n = self._warning_counts.get(code, 0) + 1
        self._warning_counts[code] = n
        if n <= MAX_WARNINGS_PER_CODE:
            self.warnings.append(
                SieWarning(line, code, MESSAGES[code], {"line": line, **params},
                           WARNING_SEVERITY[code])
            )  # fmt: skip

    def _finish_warnings(self) -> None:
        for code, n in self._warning_counts.items():
            if n > MAX_WARNINGS_PER_CODE:
                self.warnings.append(
                    SieWarning(0, "more_warnings", MESSAGES["more_warnings"],
                               {"count": n - MAX_WARNINGS_PER_CODE, "code": code},
                               Severity.INFO)
                )  # fmt: skip

    # -- values ----------------------------------------------------------------------------

    def _amount(self, v: str, line: int, label: str) -> Decimal:
        if _AMOUNT(v) is None:
            if not v:
                raise SieError("missing_amount", line, label=label)
            if v[0] == "+" and _AMOUNT(v[1:]) is not None:
                raise SieError("amount_plus_sign", line, value=v)
            raise SieError("bad_amount", line, value=v[:40])
        dot = v.find(".")
        if dot >= 0:
            if len(v) - dot > 3:
                raise SieError("amount_decimals", line, value=v[:40])
            digits = dot - (v[0] == "-")
        else:
            digits = len(v) - (v[0] == "-")
        if digits > MAX_AMOUNT_DIGITS:
            raise SieError("amount_too_large", line, value=v[:40], limit="9" * MAX_AMOUNT_DIGITS)
        return Decimal(v)

    def _quantity(self, v: str, line: int) -> Decimal | None:
        if not v:
            return None
        if _AMOUNT(v) is None:
            raise SieError("bad_quantity", line, value=v[:40])
        dot = v.find(".")
        whole = (dot if dot >= 0 else len(v)) - (v[0] == "-")
        if whole > MAX_QUANTITY_DIGITS or (dot >= 0 and len(v) - dot - 1 > MAX_QUANTITY_DECIMALS):
            raise SieError("bad_quantity", line, value=v[:40])
        return Decimal(v)

    def _date(self, v: str, line: int) -> datetime.date:
        d = self._dates.get(v)
        if d is not None:
            return d
        if len(v) == 8 and v.isascii() and v.isdigit():
            try:
                d = datetime.date(int(v[:4]), int(v[4:6]), int(v[6:]))
            except ValueError:
                raise SieError("no_such_date", line, value=v) from None
            if len(self._dates) < 100_000:
                self._dates[v] = d
            return d
        m = _ISO_DATE(v)
        if m:
            try:
                d = datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise SieError("no_such_date", line, value=v) from None
            self._warn("iso_date", line, value=v, date=d.strftime("%Y%m%d"))
            return d
        raise SieError("bad_date", line, value=v[:40])

    def _optional_date(self, v: str, line: int) -> datetime.date | None:
        return self._date(v, line) if v else None

    def _required_date(self, f: Fields, i: int, line: int, label: str) -> datetime.date:
        v = field(f, i, line, label)
        if not v:
            raise SieError("missing_date", line, label=label)
        return self._date(v, line)

    def _period(self, v: str, line: int, label: str) -> datetime.date:
        if not v:
            raise SieError("missing_period", line, label=label)
        if is_period(v):
            return datetime.date(int(v[:4]), int(v[4:]), 1)
        raise SieError("bad_period", line, value=v[:40])

    def _year(self, f: Fields, i: int, line: int, label: str) -> int:
        v = field(f, i, line, label)
        if not v:
            raise SieError("missing_year", line, label=label)
        if _YEAR(v) is None:
            raise SieError("bad_year", line, value=v[:40])
        return int(v)

    def _dimension(self, v: str, line: int, label: str) -> int:
        if not v:
            raise SieError("missing_dimension", line, label=label)
        if INT(v) is None:
            raise SieError("bad_dimension", line, value=v[:40])
        return int(v)

    def _account(self, v: str, line: int, label: str) -> str:
        """An account used in a balance or a row: must be there; warn when odd (once)."""
        if v in self._accounts_used:
            return v
        if not v:
            raise SieError("missing_account", line, label=label)
        self._accounts_used.add(v)
        if v not in self._accounts_seen:
            self._accounts_seen.add(v)
            if not (v.isascii() and v.isdigit()):
                self._warn("non_numeric_account", line, account=v)
        if v not in self._accounts_declared:
            self._warn("undeclared_account", line, account=v)
        return v

    def _objects(self, items: list[str], line: int) -> ObjectList:
        if len(items) & 1:
            raise SieError("bad_object_list", line, text=" ".join(items)[:80])
        refs = []
        for k in range(0, len(items), 2):
            dim = self._dimension(items[k], line, "OBJEKT")
            refs.append(ObjectRef(dim, items[k + 1]))
        return tuple(refs)

    def _objects_raw(self, raw: str, line: int) -> tuple[ObjectList, str]:
        """An object list from the text between its braces, with what it adds to #KSUMMA;
        cached: real files repeat the same few lists on most rows."""
        fields = split_fields(raw, line, self._warn)
        if any(isinstance(x, list) for x in fields):
            raise SieError("nested_object_list", line)
        result = (self._objects(fields, line), "".join(fields))
        if len(self._object_lists) < 100_000:
            self._object_lists[raw] = result
        return result

    # -- the other records -----------------------------------------------------------------

    def _handlers(self) -> dict[str, Any]:
        return {
            "FLAGGA": self._flagga,
            "PROGRAM": self._program,
            "FORMAT": lambda f, n: Format(field(f, 1, n, "FORMAT").strip(), n),
            "GEN": self._gen,
            "SIETYP": self._sietyp,
            "PROSA": lambda f, n: Prosa(self._rest_text(f, 1, n, "PROSA"), n),
            "FTYP": lambda f, n: CompanyType(field(f, 1, n, "FTYP").strip(), n),
            "FNR": lambda f, n: CompanyId(self._rest_text(f, 1, n, "FNR"), n),
            "ORGNR": self._orgnr,
            "BKOD": lambda f, n: IndustryCode(field(f, 1, n, "BKOD").strip(), n),
            "ADRESS": self._adress,
            "FNAMN": self._fnamn,
            "RAR": self._rar,
            "TAXAR": self._taxar,
            "OMFATTN": lambda f, n: Extent(self._required_date(f, 1, n, "OMFATTN"), n),
            "KPTYP": lambda f, n: ChartType(field(f, 1, n, "KPTYP").strip(), n),
            "VALUTA": lambda f, n: Currency(field(f, 1, n, "VALUTA").strip(), n),
            "KONTO": self._konto,
            "KTYP": self._ktyp,
            "ENHET": self._enhet,
            "SRU": self._sru,
            "DIM": self._dim,
            "UNDERDIM": self._dim,
            "OBJEKT": self._objekt,
            "IB": self._balance,
            "UB": self._balance,
            "RES": self._balance,
            "OIB": self._object_balance,
            "OUB": self._object_balance,
            "PSALDO": self._period_balance,
            "PBUDGET": self._period_balance,
        }

    def _rest_text(self, f: Fields, i: int, line: int, label: str) -> str:
        """A record's last text field; unquoted words after it are joined to it (real files
        write `#FNAMN Övningsbolaget AB`)."""
        text = field(f, i, line, label)
        if len(f) > i + 1 and all(isinstance(x, str) for x in f[i + 1 :]):
            text = " ".join([text, *f[i + 1 :]])
            self._warn("unquoted_text", line, text=text[:80])
        return text.strip()

    def _flagga(self, f: Fields, line: int) -> Flag | None:
        v = field(f, 1, line, "FLAGGA").strip()
        if v not in ("0", "1"):
            self._warn("ignored_field", line, label="FLAGGA", value=v[:40])
            return None
        if v == "1":
            self._warn("already_imported", line)
        return Flag(int(v), line)

    def _program(self, f: Fields, line: int) -> Program:
        name = field(f, 1, line, "PROGRAM").strip()
        version = field(f, 2, line, "PROGRAM").strip()
        if not version:
            self._warn("missing_program_version", line, program=name[:80])
        return Program(name, version, line)

    def _gen(self, f: Fields, line: int) -> Generated | None:
        v = field(f, 1, line, "GEN")
        if not v:
            self._warn("ignored_field", line, label="GEN", value=v)
            return None
        return Generated(self._date(v, line), field(f, 2, line, "GEN").strip(), line)

    def _sietyp(self, f: Fields, line: int) -> SieType:
        v = field(f, 1, line, "SIETYP").strip()
        if v not in ("1", "2", "3", "4"):
            raise SieError("bad_sie_type", line, value=v[:40])
        self.sie_type = int(v)
        return SieType(int(v), line)

    def _orgnr(self, f: Fields, line: int) -> OrgNumber:
        number = field(f, 1, line, "ORGNR").strip()
        if number and not _ORGNR_STANDARD(number):
            self._warn("org_number_form", line, value=number[:40])
        return OrgNumber(
            number, field(f, 2, line, "ORGNR").strip(), field(f, 3, line, "ORGNR").strip(), line
        )

    def _adress(self, f: Fields, line: int) -> Address:
        contact, street, postal, phone = (field(f, i, line, "ADRESS").strip() for i in range(1, 5))
        return Address(contact, street, postal, phone, line)

    def _fnamn(self, f: Fields, line: int) -> CompanyName:
        name = self._rest_text(f, 1, line, "FNAMN")
        if not name:
            self._warn("missing_name", line, label="FNAMN")
        return CompanyName(name, line)

    def _rar(self, f: Fields, line: int) -> FiscalYear | None:
        index = self._year(f, 1, line, "RAR")
        if len(f) < 3:
            # An official 4I test file writes `#RAR 0` without dates (#RAR is optional in 4I).
            self._warn("ignored_field", line, label="RAR", value=" ".join(f[1:]))
            return None
        start = self._required_date(f, 2, line, "RAR")
        end = self._required_date(f, 3, line, "RAR")
        if end < start:
            raise SieError(
                "fiscal_year_reversed", line, start=start.isoformat(), end=end.isoformat()
            )
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months > 18:
            self._warn("fiscal_year_long", line, start=start.isoformat(), end=end.isoformat())
        return FiscalYear(index, start, end, line)

    def _taxar(self, f: Fields, line: int) -> TaxYear | None:
        v = field(f, 1, line, "TAXAR").strip()
        if len(v) != 4 or not v.isascii() or not v.isdigit():
            self._warn("ignored_field", line, label="TAXAR", value=v[:40])
            return None
        return TaxYear(int(v), line)

    def _declared_account(self, f: Fields, line: int, label: str) -> str | None:
        number = field(f, 1, line, label).strip()
        if not number:
            self._warn("account_without_number", line, label=label)
            return None
        if number not in self._accounts_seen:
            self._accounts_seen.add(number)
            if not (number.isascii() and number.isdigit()):
                self._warn("non_numeric_account", line, account=number)
        return number

    def _konto(self, f: Fields, line: int) -> Account | None:
        number = self._declared_account(f, line, "KONTO")
        if number is None:
            return None
        self._accounts_declared.add(number)
        name = self._rest_text(f, 2, line, "KONTO")
        if not name:
            self._warn("missing_name", line, label="KONTO")
        return Account(number, name, line)

    def _ktyp(self, f: Fields, line: int) -> AccountType | None:
        number = self._declared_account(f, line, "KTYP")
        type_ = field(f, 2, line, "KTYP").strip().upper()
        if number is None:
            return None
        if type_ not in ("T", "S", "K", "I"):
            self._warn("ignored_field", line, label="KTYP", value=type_[:40])
            return None
        return AccountType(number, type_, line)

    def _enhet(self, f: Fields, line: int) -> Unit | None:
        number = self._declared_account(f, line, "ENHET")
        unit = field(f, 2, line, "ENHET").strip()
        if number is None:
            return None
        if not unit:
            self._warn("ignored_field", line, label="ENHET", value=unit)
            return None
        return Unit(number, unit, line)

    def _sru(self, f: Fields, line: int) -> SruCode | None:
        number = self._declared_account(f, line, "SRU")
        code = field(f, 2, line, "SRU").strip()
        if number is None:
            return None
        if not code:
            self._warn("ignored_field", line, label="SRU", value=code)
            return None
        return SruCode(number, code, line)

    def _dim(self, f: Fields, line: int) -> Dimension:
        label = f[0][1:]
        number = self._dimension(field(f, 1, line, label).strip(), line, label)
        name = self._rest_text(f, 2, line, label) if label == "DIM" else field(f, 2, line, label)
        parent = None
        if label == "UNDERDIM":
            parent = self._dimension(field(f, 3, line, label).strip(), line, label)
        return Dimension(number, name.strip(), parent, line)

    def _objekt(self, f: Fields, line: int) -> Object:
        dim = self._dimension(field(f, 1, line, "OBJEKT").strip(), line, "OBJEKT")
        code = field(f, 2, line, "OBJEKT")
        if not code:
            raise SieError("missing_object", line, label="OBJEKT")
        return Object(dim, code, self._rest_text(f, 3, line, "OBJEKT"), line)

    def _balance(self, f: Fields, line: int) -> Balance:
        label = f[0][1:]
        year = self._year(f, 1, line, label)
        account = self._account(field(f, 2, line, label).strip(), line, label)
        amount = self._amount(field(f, 3, line, label), line, label)
        quantity = self._quantity(field(f, 4, line, label), line)
        return Balance(BalanceKind(label), year, account, amount, (), quantity, line)

    def _object_list_at(self, f: Fields, i: int, line: int, label: str) -> tuple[ObjectList, int]:
        """The object list expected at field i, and the index after it (tolerates none)."""
        if len(f) > i and isinstance(f[i], list):
            return self._objects(f[i], line), i + 1
        self._warn("missing_object_list", line, label=label)
        return (), i

    def _object_balance(self, f: Fields, line: int) -> Balance:
        label = f[0][1:]
        year = self._year(f, 1, line, label)
        account = self._account(field(f, 2, line, label).strip(), line, label)
        objects, i = self._object_list_at(f, 3, line, label)
        amount = self._amount(field(f, i, line, label), line, label)
        quantity = self._quantity(field(f, i + 1, line, label), line)
        return Balance(BalanceKind(label), year, account, amount, objects, quantity, line)

    def _period_balance(self, f: Fields, line: int) -> PeriodBalance:
        label = f[0][1:]
        year = self._year(f, 1, line, label)
        period_text = field(f, 2, line, label).strip()
        account_text = field(f, 3, line, label).strip()
        if is_period(account_text) and not is_period(period_text):
            # A BL export converted to ISO-8859-15 writes the account before the period.
            self._warn(
                "swapped_period", line, label=label, period=account_text, account=period_text
            )
            period_text, account_text = account_text, period_text
        period = self._period(period_text, line, label)
        account = self._account(account_text, line, label)
        objects, i = self._object_list_at(f, 4, line, label)
        amount = self._amount(field(f, i, line, label), line, label)
        quantity = self._quantity(field(f, i + 1, line, label), line)
        return PeriodBalance(
            PeriodKind(label), year, period, account, amount, objects, quantity, line
        )


def is_period(v: str) -> bool:
    return len(v) == 6 and v.isascii() and v.isdigit() and 1 <= int(v[4:]) <= 12


def field(f: Fields, i: int, line: int, label: str) -> str:
    """Field i as text ("" when missing), refusing an object list in its place."""
    if i >= len(f):
        return ""
    v = f[i]
    if isinstance(v, list):
        raise SieError("misplaced_object_list", line, label=label)
    return v
