"""Small SIE files written in the tests, so each test shows the records it is about."""

from __future__ import annotations

HEAD = [
    "#FLAGGA 0",
    '#PROGRAM "Testprogrammet" 1.0',
    "#FORMAT PC8",
    "#GEN 20260110",
    "#SIETYP 4",
    '#FNAMN "Acme AB"',
    "#ORGNR 556036-0793",
    "#RAR 0 20250101 20251231",
    "#RAR -1 20240101 20241231",
    '#KONTO 1930 "Företagskonto"',
    '#KONTO 2440 "Leverantörsskulder"',
    '#KONTO 3001 "Försäljning inom Sverige, 25 % moms"',
    '#KONTO 2611 "Utgående moms 25 %"',
    '#KONTO 1510 "Kundfordringar"',
    "#KTYP 1930 T",
]


def sie(*records: str, head: list[str] | None = None) -> bytes:
    """A SIE file: the usual head (a 4E export of Acme AB's 2025) and the given records."""
    lines = [*(HEAD if head is None else head), *records]
    return ("\n".join(lines) + "\n").encode("cp437")


def voucher(series: str, number: int | str, date: str, text: str, *rows: str) -> str:
    return "\n".join([f'#VER {series} {number} {date} "{text}"', "{", *rows, "}"])


SALE_1 = voucher(
    "A",
    1,
    "20250105",
    "Faktura 1",
    "#TRANS 1510 {} 1250.00",
    '#TRANS 3001 {1 "10" 6 "P1"} -1000.00',
    "#TRANS 2611 {} -250.00",
)
SALE_2 = voucher("A", 2, "20250210", "Faktura 2", "#TRANS 1510 {} 625.00", "#TRANS 3001 {} -625.00")
PAYMENT = voucher(
    "B", 1, "20250301", "Inbetalning", "#TRANS 1930 {} 1250.00", "#TRANS 1510 {} -1250.00"
)
BALANCES = [
    "#IB 0 1930 10000.00",
    "#IB 0 2440 -10000.00",
    "#UB 0 1930 11250.00",
    "#UB 0 1510 625.00",
    "#UB 0 2440 -10000.00",
    "#UB 0 2611 -250.00",
    "#RES 0 3001 -1625.00",
    "#UB -1 1930 10000.00",
    "#UB -1 2440 -10000.00",
]
BOOKS = sie(*BALANCES, SALE_1, SALE_2, PAYMENT)
