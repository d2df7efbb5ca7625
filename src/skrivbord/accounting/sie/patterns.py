"""The reader's fast paths: the usual shapes of the frequent records as regular expressions.

A voucher with its rows, and runs of #KONTO/#KTYP/#SRU/#ENHET and of balance lines. Fields
are quoted ("...", without escapes or tabs) or bare; amounts have at most two decimals.
Whatever does not match (escapes, stray quotes, missing or extra fields, bad values, blank
lines inside a voucher) goes line by line through the tokenizer, which tolerates or
refuses it precisely; both give the same records and warnings (tests/accounting/sie
compare them on every file and on fuzzed ones).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .model import BalanceKind, PeriodKind, RowKind

# The usual shapes of the frequent records, as regular expressions: a voucher with its rows,
# and runs of #KONTO/#KTYP/#SRU/#ENHET, #IB/#UB/#RES, #PSALDO/#PBUDGET and #OIB/#OUB lines.
# Fields are quoted ("...", without escapes or tabs) or bare; amounts have at most two
# decimals. Whatever does not match (escapes, stray quotes, missing or extra fields, bad
# values, blank lines inside a voucher) goes line by line through the tokenizer, which
# tolerates or refuses it precisely; both paths give the same records and warnings
# (tests/accounting/sie compare them on every file).
#
# Written for speed, accepting exactly what their plain forms would: a quantifier of one
# character class is possessive (`*+`, `{m,n}+`: never gives back) wherever what follows
# cannot be what it took (a blank after a field that has none, a quote after non-quotes),
# and an optional part is an alternative with nothing, `(?:X|)`, instead of `(?:X)?` (a
# cheaper instruction for the engine than a repeat). Rows and vouchers match a quarter to a
# third faster. A group of several items is possessive only where it captures nothing:
# Python 3.11's engine can get the captures of a possessive group wrong (SystemError,
# CPython gh-101955, fixed in 3.12.8/3.13.1 only). A balance's optional period stays an
# ordinary alternative: it may be the account (`#IB 0 193000 100`) and must give back.
_Q = r'"([^"\\\t\n]{0,1000}+)"'  # a quoted field (bounded: long lines take the careful path)
_B = r'([^"\\\s{}]{1,1000}+)'  # a bare field
_FIELD = "(?:" + _Q + "|" + _B + ")"
_ACCT = r'(?:"([^"\\\s{}]{1,100}+)"|([^"\\\s{}]{1,100}+))'
_MONEY = r"(-?+[0-9]{1,15}+(?:\.[0-9]{1,2}+|))"
_NUMBER = r"-?+[0-9]{1,30}+(?:\.[0-9]{1,30}+|)"
_QTY = r'(?:"(?:(' + _NUMBER + r')|)"|(' + _NUMBER + "))"
_OBJS = r'\{([^{}"\n]{0,200}+(?:"[^"\\{}\t\n]{0,200}+"[^{}"\n]{0,200}+){0,20})\}'
_S = r"[ \t]++"
_YEAR_NR = r"(-?+[0-9]{1,4}+)"
_END = r"[ \t\r]*+\n"
# Rows and vouchers take the fast path in their most usual shape only: the account, date and
# quantity bare (or "" when empty), texts and signatures quoted. Fewer groups, less work.
_QTEXT = r'"([^"\\\t\n]{0,1000}+)"'
_BARE_DAY = r'(?:""|([0-9]{8}))'
_BARE_QTY = r'(?:""|(' + _NUMBER + "))"
_ROW_BODY = "".join([
    "#([BR]?TRANS)", _S, r'([^"\\\s{}]{1,100}+)', r"[ \t]*+", _OBJS, r"[ \t]*+", _MONEY,
    "(?:", _S, _BARE_DAY, "(?:", _S, _QTEXT, "(?:", _S, _BARE_QTY, "(?:", _S, _QTEXT,
    "|)|)|)|)",
])  # fmt: skip
_VER_BODY = "".join([
    "#VER", _S, _FIELD, _S, r'(?:"([0-9]{0,18}+)"|([0-9]{1,18}+))', _S, "([0-9]{8})",
    "(?:", _S, _QTEXT, "(?:", _S, _BARE_DAY, "(?:", _S, _QTEXT, "|)|)|)",
])  # fmt: skip
ROW = re.compile(_ROW_BODY).fullmatch  # one stripped line
VER = re.compile(_VER_BODY).fullmatch
ROW_LINES = re.compile(r"^[ \t]*+" + _ROW_BODY + _END, re.M).findall
# A whole voucher: its #VER line's fields, then its rows' lines (checked by ROW_LINES).
BLOCK = re.compile(
    r"[ \t]*+" + _VER_BODY + _END + r"[ \t]*+\{" + _END
    + r"((?:[ \t]*+#[BR]?TRANS[ \t][^\n]*+\n)*+)"
    r"[ \t]*+\}" + _END
).match  # fmt: skip
_ACCOUNT_LINE = "".join([r"^[ \t]*+#(KONTO|KTYP|SRU|ENHET)", _S, _ACCT, _S, _FIELD, _END])
# All balances in one: #IB/#UB/#RES, #OIB/#OUB and #PSALDO/#PBUDGET interleave per account in
# real files. The object list is captured with its braces (to tell {} from none); whether a
# line has the parts its label needs is checked in Python (`_balances`).
_BALANCE_LINE = "".join([
    r"^[ \t]*+#(IB|UB|RES|OIB|OUB|PSALDO|PBUDGET)", _S, _YEAR_NR, "(?:[ \t]+([0-9]{6})|)",
    _S, _ACCT, r"(?:[ \t]*+(", _OBJS.replace("(", "(?:", 1), r")[ \t]*+|[ \t]++)", _MONEY,
    "(?:", _S, _QTY, "|)", _END,
])  # fmt: skip


def _run(
    labels: str, line: str
) -> tuple[Callable[..., Any], Callable[..., Any], Callable[..., Any]]:
    """(match a run of lines with these labels at a position, cheaply; match a run of such
    lines in their usual shape, strictly; find all of those in a span)."""
    return (
        re.compile(r"(?:[ \t]*+#(?:" + labels + r")[ \t][^\n]*+\n)++").match,
        re.compile("(?:" + line + ")+", re.M).match,
        re.compile(line, re.M).findall,
    )


RUNS = {
    "account": _run("KONTO|KTYP|SRU|ENHET", _ACCOUNT_LINE),
    "balance": _run("IB|UB|RES|OIB|OUB|PSALDO|PBUDGET", _BALANCE_LINE),
}
RUN_LABELS = {
    "account": ("KONTO", "KTYP", "SRU", "ENHET"),
    "balance": ("IB", "UB", "RES", "OIB", "OUB", "PSALDO", "PBUDGET"),
}
RUN_OF = {
    "KO": "account", "KT": "account", "SR": "account", "EN": "account",
    "IB": "balance", "UB": "balance", "RE": "balance",
    "PS": "balance", "PB": "balance", "OI": "balance", "OU": "balance",
    "VE": "voucher",
}  # fmt: skip
LABEL_AT = re.compile(r"[ \t]*+#([A-Z]{2})").match
VOUCHERS_AT_ONCE = 50  # vouchers built before they are handed on (200: 8 % slower, the GC)
ROW_KINDS = {"TRANS": RowKind.TRANS, "RTRANS": RowKind.RTRANS, "BTRANS": RowKind.BTRANS}
# label -> (kind, has an object list, has a period)
BALANCE_OR_PERIOD_KINDS: dict[str, tuple[BalanceKind | PeriodKind, bool, bool]] = {
    "IB": (BalanceKind.IB, False, False),
    "UB": (BalanceKind.UB, False, False),
    "RES": (BalanceKind.RES, False, False),
    "OIB": (BalanceKind.OIB, True, False),
    "OUB": (BalanceKind.OUB, True, False),
    "PSALDO": (PeriodKind.PSALDO, True, True),
    "PBUDGET": (PeriodKind.PBUDGET, True, True),
}
YEARS = {str(n): n for n in range(-10, 1)}


def checksum_span(text: str, raw: bytes | None, pos: int, end: int) -> bytes:
    """What lines in their usual shape (`text[pos:end]`, all quotes paired, no escapes) add
    to #KSUMMA: everything but the quotes, and the blanks, line ends and braces outside
    them — the same as the tokenizer's fields concatenated."""
    data = raw[pos:end] if raw is not None else text[pos:end].encode("cp437", "replace")
    parts = data.split(b'"')
    outside = parts[::2]
    if b"\0" in data:  # never on the fast paths (control bytes turn them off): the long way
        parts[::2] = [p.translate(None, b" \t\r\n{}") for p in outside]
    else:
        # All parts outside quotes at once, with NUL between them to split them apart again:
        # a few calls for the whole span instead of one for each part (a quarter faster).
        parts[::2] = b"\0".join(outside).translate(None, b" \t\r\n{}").split(b"\0")
    return b"".join(parts)
