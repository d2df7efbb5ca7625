from pathlib import Path

import pytest

from tests.shared_data import shared_data_path


def test_it_finds_the_bas_chart_of_accounts() -> None:
    bas = shared_data_path("bas")
    names = {path.name for path in bas.iterdir()}
    assert any(name.startswith("BAS2025") for name in names), sorted(names)
    assert shared_data_path("bas", "BAS2025_kontoplan_normalized.csv").is_file()


def test_it_skips_without_the_folder_and_fails_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKRIVBORD_SHARED_DATA", str(tmp_path / "absent"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="shared test data folder is missing"):
        shared_data_path("bas")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must have it"):
        shared_data_path("bas")
