"""The real SIE files of ../shared/data/sie, as test parameters.

SOURCES.md catalogues them; "OK 0/0" in its recon column marks the files whose opening
balances plus transactions equal their closing balances and results to the öre. Listing
happens at collection time, so a missing folder gives empty parameter lists (pytest skips
those tests) rather than an error; the tests reach each file through shared_data_path,
which fails in CI if it is missing.
"""

from __future__ import annotations

from pathlib import Path

from tests.shared_data import shared_data_dir, shared_data_path


def _catalogue() -> list[list[str]]:
    sources = shared_data_dir() / "sie" / "SOURCES.md"
    if not sources.is_file():
        return []
    return [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in sources.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| file") and "---" not in line
    ]


def reconciling_files() -> list[str]:
    """Files SOURCES.md marks as reconciling to the öre ("OK 0/0")."""
    return [row[0] for row in _catalogue() if "OK 0/0" in row]


def sie_file(name: str) -> Path:
    return shared_data_path("sie", name)
