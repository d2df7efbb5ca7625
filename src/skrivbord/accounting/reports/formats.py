"""Swedish number formats for the reports: 1 234,50, 12,5 %, 1,25 times. Pure Python.

The thousands separator is a no-break space, so an amount never wraps across lines.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NBSP = "\xa0"


def number(value: Decimal | None, places: int = 2) -> str:
    """1234.5 -> "1 234,50"; None -> "" (no value, not zero)."""
    if value is None:
        return ""
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    sign = "-" if rounded < 0 else ""
    whole, _dot, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP.join(groups)
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def money(value: Decimal | None) -> str:
    return number(value, 2)


def whole_kronor(value: Decimal | None) -> str:
    return number(value, 0)


def whole_days(value: Decimal) -> int:
    """A number of days rounded to whole days (for the plural of "days")."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent(value: Decimal | None) -> str:
    """A fraction as a percentage: 0.125 -> "12,5 %"."""
    if value is None:
        return ""
    return f"{number(value * 100, 1)}{NBSP}%"


def times(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{number(value, 2)}{NBSP}\N{MULTIPLICATION SIGN}"
