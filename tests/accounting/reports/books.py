"""Two years of small books for the report tests, with round numbers a reader can check.

2025: sales 15,000 (cost centres 10 and 20, project P1), rent 4,000 (cost centre 10),
salaries 3,000 (cost centre 20, project P1): result 8,000. 2024: sales 2,000.
"""

from __future__ import annotations

from tests.accounting.files import voucher

HEAD = [
    "#FLAGGA 0",
    '#PROGRAM "Testprogrammet" 1.0',
    "#FORMAT PC8",
    "#GEN 20260110",
    "#SIETYP 4",
    '#FNAMN "Acme AB"',
    "#ORGNR 556036-0793",
    '#KONTO 1510 "Kundfordringar"',
    '#KONTO 1930 "Företagskonto"',
    '#KONTO 2081 "Aktiekapital"',
    '#KONTO 2611 "Utgående moms 25 %"',
    '#KONTO 3001 "Försäljning inom Sverige, 25 % moms"',
    '#KONTO 5010 "Lokalhyra"',
    '#KONTO 7010 "Löner till kollektivanställda"',
    '#DIM 1 "Kostnadsställe"',
    '#DIM 6 "Projekt"',
    '#OBJEKT 1 "10" "Butiken"',
    '#OBJEKT 1 "20" "Verkstaden"',
    '#OBJEKT 6 "P1" "Ombyggnaden"',
]


def _file(*records: str) -> bytes:
    return ("\n".join([*HEAD, *records]) + "\n").encode("cp437")


BOOKS_2025 = _file(
    "#RAR 0 20250101 20251231",
    "#RAR -1 20240101 20241231",
    "#IB 0 1930 10000.00",
    "#IB 0 2081 -10000.00",
    "#UB 0 1930 15500.00",
    "#UB 0 1510 6250.00",
    "#UB 0 2611 -3750.00",
    "#UB 0 2081 -10000.00",
    "#RES 0 3001 -15000.00",
    "#RES 0 5010 4000.00",
    "#RES 0 7010 3000.00",
    voucher(
        "A",
        1,
        "20250115",
        "Faktura 1",
        "#TRANS 1510 {} 12500.00",
        '#TRANS 3001 {1 "10" 6 "P1"} -10000.00',
        "#TRANS 2611 {} -2500.00",
    ),
    voucher(
        "A",
        2,
        "20250210",
        "Faktura 2",
        "#TRANS 1510 {} 6250.00",
        '#TRANS 3001 {1 "20"} -5000.00',
        "#TRANS 2611 {} -1250.00",
    ),
    voucher(
        "B", 1, "20250301", "Inbetalning", "#TRANS 1930 {} 12500.00", "#TRANS 1510 {} -12500.00"
    ),
    voucher("C", 1, "20250331", "Hyra", '#TRANS 5010 {1 "10"} 4000.00', "#TRANS 1930 {} -4000.00"),
    voucher(
        "C",
        2,
        "20250425",
        "Löner",
        '#TRANS 7010 {1 "20" 6 "P1"} 3000.00',
        "#TRANS 1930 {} -3000.00",
    ),
)

BOOKS_2024 = _file(
    "#RAR 0 20240101 20241231",
    "#UB 0 1930 12500.00",
    "#UB 0 2081 -10000.00",
    "#UB 0 2611 -500.00",
    "#RES 0 3001 -2000.00",
    voucher(
        "A", 1, "20240102", "Aktiekapital", "#TRANS 1930 {} 10000.00", "#TRANS 2081 {} -10000.00"
    ),
    voucher(
        "A",
        2,
        "20240501",
        "Kontantförsäljning",
        "#TRANS 1930 {} 2500.00",
        '#TRANS 3001 {1 "10"} -2000.00',
        "#TRANS 2611 {} -500.00",
    ),
)
