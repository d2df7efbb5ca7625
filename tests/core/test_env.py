import os
import stat
from pathlib import Path

import pytest

from skrivbord import env


def test_it_reads_typed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.se, b.se,,")
    assert env.envbool("X_BOOL", False) is True
    assert env.envbool("X_MISSING", True) is True
    assert env.envint("X_INT", 0) == 42
    assert env.envlist("X_LIST", []) == ["a.se", "b.se"]


def test_it_reads_a_secret_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    monkeypatch.delenv("MY_SECRET", raising=False)
    monkeypatch.setenv("MY_SECRET_FILE", str(secret_file))
    assert env.envsecret("MY_SECRET") == "from-a-file"


def test_it_generates_the_secret_key_once_and_keeps_it_private(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) >= 50
    assert env.secret_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_it_prefers_the_configured_secret_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECRET_KEY", "configured")
    assert env.secret_key(tmp_path) == "configured"
    assert not (tmp_path / "secret_key").exists()


def test_it_creates_the_configured_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "nested" / "data"
    monkeypatch.setenv("SKRIVBORD_DATA_DIR", str(target))
    assert env.data_dir() == target
    assert target.is_dir()


def test_it_uses_sqlite_in_wal_mode_by_default() -> None:
    from django.conf import settings
    from django.db import connection

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("DATABASE_URL points at another database")
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
    assert connection.vendor == "sqlite"
