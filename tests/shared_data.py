"""The one way tests reach the shared reference files (SIE, BAS, iCalendar, vCard).

They live next to the repository, in ../shared/data/ (SKRIVBORD_SHARED_DATA overrides the
place), not in it: they are other programs' files with their own licences, used as test data
and never shipped. Read them where they are; never copy or change them.

A fresh clone without the folder skips the tests that need it; CI always has it, so there a
missing folder or file is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data_dir() -> Path:
    configured = os.environ.get("SKRIVBORD_SHARED_DATA")
    return Path(configured) if configured else DEFAULT_SHARED_DATA


def shared_data_path(*parts: str) -> Path:
    """The path of a shared data folder or file, e.g. shared_data_path("sie", "x.se")."""
    root = shared_data_dir()
    path = root.joinpath(*parts)
    if not path.exists():
        what = "the shared test data folder" if not root.is_dir() else "a shared test data file"
        reason = f"{what} is missing: {path} (set SKRIVBORD_SHARED_DATA to its location)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must have it")
        pytest.skip(reason)
    return path
