"""The SIE files in ../shared/data/sie and the facts SOURCES.md states about each of them.

SOURCES.md's table was computed by an independent script when the files were collected;
the tests read it rather than copying its numbers, so the two stay one source of truth.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from skrivbord.accounting.sie.model import BalanceKind, SieFile
from tests.shared_data import shared_data_dir, shared_data_path

_COLUMNS = (
    "file", "repo", "path", "commit", "bytes", "program", "sietype", "enc", "eol", "ver",
    "trans", "rb", "unbal", "ib", "ub", "res", "recon", "ksumma", "notes", "saved",
)  # fmt: skip


@dataclass(frozen=True)
class Facts:
    file: str
    program: str
    sietype: str
    enc: str
    ver: int
    trans: int
    rb: int
    unbal: int
    ib: bool
    ub: bool
    res: bool
    recon: str
    ksumma: tuple[int, int, bool] | None

    @property
    def reconciles(self) -> bool:
        return self.recon == "OK 0/0"


def _sources_text() -> str | None:
    path = shared_data_dir() / "sie" / "SOURCES.md"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@functools.cache
def all_facts() -> dict[str, Facts]:
    """File name -> facts, from SOURCES.md ({} when the shared folder is absent)."""
    text = _sources_text()
    if text is None:
        return {}
    facts = {}
    for line in text.splitlines():
        if not line.startswith("| ") or line.startswith("| file ") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        row = dict(zip(_COLUMNS, cells, strict=True))
        ksumma = None
        if row["ksumma"] != "-":
            stated, computed, match = row["ksumma"].strip("()").split(", ")
            ksumma = (int(stated), int(computed), match == "True")
        facts[row["file"]] = Facts(
            file=row["file"],
            program=row["program"],
            sietype=row["sietype"],
            enc=row["enc"],
            ver=int(row["ver"]),
            trans=int(row["trans"]),
            rb=int(row["rb"]),
            unbal=int(row["unbal"]),
            ib=row["ib"] == "IB",
            ub=row["ub"] == "UB",
            res=row["res"] == "RES",
            recon=row["recon"],
            ksumma=ksumma,
        )
    return facts


def corpus_names() -> list[str]:
    """Every file SOURCES.md lists (for parametrizing; empty without the shared folder)."""
    return sorted(all_facts())


def not_sie_names() -> list[str]:
    folder = shared_data_dir() / "sie" / "not_sie"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def path_of(name: str) -> Path:
    return shared_data_path("sie", name)


def reconciliation(sie: SieFile) -> str:
    """SOURCES.md's recon column, recomputed: for every account, IB0 + Σ#TRANS == UB0 for
    balance-sheet accounts (1xxx/2xxx) and Σ#TRANS == RES0 for result accounts (the latter
    only when the file has #RES at all), to the öre."""
    ib = sie.balances_of(BalanceKind.IB)
    ub = sie.balances_of(BalanceKind.UB)
    res = sie.balances_of(BalanceKind.RES)
    moved: dict[str, Decimal] = defaultdict(Decimal)
    for voucher in sie.vouchers:
        for row in voucher.transactions:
            moved[row.account] += row.amount
    zero = Decimal(0)
    balance = result = 0
    for account in set(ib) | set(ub) | set(res) | set(moved):
        if account[:1] in ("1", "2"):
            balance += ib.get(account, zero) + moved.get(account, zero) != ub.get(account, zero)
        elif res:
            result += moved.get(account, zero) != res.get(account, zero)
    return "OK 0/0" if balance == result == 0 else f"MISMATCH bal {balance} res {result}"
