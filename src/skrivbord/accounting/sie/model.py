"""What a SIE file says, as frozen dataclasses (SIE 4B/4C, all file types).

Pure data, no Django: the reader yields these records one by one and collects them in a
`SieFile`; the writer takes them back. Money and quantities are `Decimal`, dates are
`datetime.date`, and every record keeps the 1-based line it came from (0 for records that
were built in code rather than read); the line takes no part in equality, so two records
are equal when they say the same thing.

Sign convention as in the file: debit positive, credit negative.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Severity(StrEnum):
    CRITICAL = "critical"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class SieWarning:
    """Something the reader tolerated. `template` is English with `%(name)s` parameters,
    marked for translation; the Django layer shows `gettext(template) % params`."""

    line: int
    code: str
    template: str
    params: Mapping[str, object]
    severity: Severity

    @property
    def message(self) -> str:
        return self.template % dict(self.params)

    def __str__(self) -> str:
        return self.message


# --- identification (§11; one record each unless noted) ------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    """#FLAGGA: 0 when written, 1 once imported."""

    value: int
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Program:
    """#PROGRAM programnamn version."""

    name: str
    version: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Format:
    """#FORMAT, only "PC8" is defined."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Generated:
    """#GEN datum sign."""

    date: datetime.date
    sign: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class SieType:
    """#SIETYP 1-4 (4E and 4I both say 4)."""

    value: int
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Prosa:
    """#PROSA free comment."""

    text: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CompanyType:
    """#FTYP (AB, E, HB, ...)."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CompanyId:
    """#FNR: the exporting program's own id for the company."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class OrgNumber:
    """#ORGNR orgnr förvnr verknr (the number kept as written; may be empty in real files)."""

    number: str
    acquisition_number: str = ""
    operation_number: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class IndustryCode:
    """#BKOD SNI code."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Address:
    """#ADRESS kontakt utdelningsadr postadr tel."""

    contact: str = ""
    street: str = ""
    postal: str = ""
    phone: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class CompanyName:
    """#FNAMN."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class FiscalYear:
    """#RAR årsnr start slut: index 0 is the current year, -1 the previous one, ..."""

    index: int
    start: datetime.date
    end: datetime.date
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class TaxYear:
    """#TAXAR: the tax year the SRU codes refer to."""

    year: int
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Extent:
    """#OMFATTN: balances cover the year up to and including this date."""

    date: datetime.date
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ChartType:
    """#KPTYP (BAS95, BAS96, EUBAS97, NE2007, BAS2025...)."""

    value: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Currency:
    """#VALUTA ISO 4217 code (SEK when absent)."""

    code: str
    line: int = field(default=0, compare=False)


# --- chart of accounts and dimensions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Account:
    """#KONTO kontonr kontonamn. The number is kept as text: real files have 8 digits and
    even non-numeric numbers (tolerated with a warning)."""

    number: str
    name: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class AccountType:
    """#KTYP kontonr T|S|K|I (tillgång, skuld, kostnad, intäkt)."""

    account: str
    type: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Unit:
    """#ENHET kontonr enhet (for quantities)."""

    account: str
    unit: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class SruCode:
    """#SRU konto SRU-kod."""

    account: str
    code: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Dimension:
    """#DIM dimensionsnr namn, or #UNDERDIM dimensionsnr namn superdimension (parent set)."""

    number: int
    name: str
    parent: int | None = None
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Object:
    """#OBJEKT dimensionsnr objektnr objektnamn (a cost centre, project, ...)."""

    dimension: int
    code: str
    name: str
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One `dimensionsnr objektnr` pair of an object list `{...}`."""

    dimension: int
    code: str


ObjectList = tuple[ObjectRef, ...]


# --- balances ------------------------------------------------------------------------------


class BalanceKind(StrEnum):
    IB = "IB"  # opening balance, balance-sheet account
    UB = "UB"  # closing balance, balance-sheet account
    RES = "RES"  # result, income-statement account
    OIB = "OIB"  # opening balance per object
    OUB = "OUB"  # closing balance per object


@dataclass(frozen=True, slots=True)
class Balance:
    """#IB/#UB/#RES årsnr konto saldo kvantitet, and #OIB/#OUB with an object list."""

    kind: BalanceKind
    year: int
    account: str
    amount: Decimal
    objects: ObjectList = ()
    quantity: Decimal | None = None
    line: int = field(default=0, compare=False)


class PeriodKind(StrEnum):
    PSALDO = "PSALDO"  # period balance (movement of the month)
    PBUDGET = "PBUDGET"  # period budget


@dataclass(frozen=True, slots=True)
class PeriodBalance:
    """#PSALDO/#PBUDGET årsnr period konto {objekt} saldo kvantitet. `period` is the first
    day of the month written YYYYMM."""

    kind: PeriodKind
    year: int
    period: datetime.date
    account: str
    amount: Decimal
    objects: ObjectList = ()
    quantity: Decimal | None = None
    line: int = field(default=0, compare=False)


# --- vouchers ------------------------------------------------------------------------------


class RowKind(StrEnum):
    TRANS = "TRANS"  # a row of the voucher
    RTRANS = "RTRANS"  # added later (followed by the same row as #TRANS)
    BTRANS = "BTRANS"  # removed later (not part of the voucher's sum)


@dataclass(frozen=True, slots=True)
class TransactionRow:
    """#TRANS/#RTRANS/#BTRANS kontonr {objektlista} belopp transdat transtext kvantitet sign.
    `date` None means the voucher's date."""

    kind: RowKind
    account: str
    amount: Decimal
    objects: ObjectList = ()
    date: datetime.date | None = None
    text: str = ""
    quantity: Decimal | None = None
    sign: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Voucher:
    """#VER serie vernr verdatum vertext regdatum sign, with its rows. Series and number may
    be empty in 4I files (the importing program assigns them)."""

    series: str
    number: int | None
    date: datetime.date
    text: str = ""
    registered: datetime.date | None = None
    sign: str = ""
    rows: tuple[TransactionRow, ...] = ()
    line: int = field(default=0, compare=False)

    @property
    def transactions(self) -> tuple[TransactionRow, ...]:
        """The rows that make up the voucher (#TRANS; #RTRANS/#BTRANS are history)."""
        return tuple(r for r in self.rows if r.kind is RowKind.TRANS)

    @property
    def total(self) -> Decimal:
        """Σ #TRANS; zero for a balanced voucher."""
        return sum((r.amount for r in self.rows if r.kind is RowKind.TRANS), Decimal(0))


@dataclass(frozen=True, slots=True)
class Checksum:
    """#KSUMMA: `stated` from the file, `computed` by the reader (CRC-32 over CP437 bytes)."""

    stated: int
    computed: int
    line: int = field(default=0, compare=False)

    @property
    def ok(self) -> bool:
        return self.stated == self.computed


Record = (
    Flag
    | Program
    | Format
    | Generated
    | SieType
    | Prosa
    | CompanyType
    | CompanyId
    | OrgNumber
    | IndustryCode
    | Address
    | CompanyName
    | FiscalYear
    | TaxYear
    | Extent
    | ChartType
    | Currency
    | Account
    | AccountType
    | Unit
    | SruCode
    | Dimension
    | Object
    | Balance
    | PeriodBalance
    | Voucher
)


@dataclass(frozen=True, slots=True)
class SieFile:
    """A whole file: identification, chart, dimensions, balances and vouchers in file order,
    plus what the reader noticed (`warnings`), the detected `encoding` and the checksum."""

    flag: Flag | None = None
    program: Program | None = None
    format: Format | None = None
    generated: Generated | None = None
    sie_type: SieType | None = None
    prosa: Prosa | None = None
    company_type: CompanyType | None = None
    company_id: CompanyId | None = None
    org_number: OrgNumber | None = None
    industry_code: IndustryCode | None = None
    address: Address | None = None
    company_name: CompanyName | None = None
    fiscal_years: tuple[FiscalYear, ...] = ()
    tax_year: TaxYear | None = None
    extent: Extent | None = None
    chart_type: ChartType | None = None
    currency: Currency | None = None
    accounts: tuple[Account, ...] = ()
    account_types: tuple[AccountType, ...] = ()
    units: tuple[Unit, ...] = ()
    sru_codes: tuple[SruCode, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    objects: tuple[Object, ...] = ()
    balances: tuple[Balance, ...] = ()
    period_balances: tuple[PeriodBalance, ...] = ()
    vouchers: tuple[Voucher, ...] = ()
    checksum: Checksum | None = None
    encoding: str = "cp437"
    kind: str = ""  # "1", "2", "3", "4E" or "4I" (#SIETYP 4 split by content and extension)
    warnings: tuple[SieWarning, ...] = field(default=(), compare=False)

    def fiscal_year(self, index: int = 0) -> FiscalYear | None:
        return next((y for y in self.fiscal_years if y.index == index), None)

    def balances_of(self, kind: BalanceKind, year: int = 0) -> dict[str, Decimal]:
        """Account -> amount for #IB/#UB/#RES of a year (object-less records only)."""
        return {
            b.account: b.amount
            for b in self.balances
            if b.kind is kind and b.year == year and not b.objects
        }
