"""Shared test setup: the `e2e` marker and a real headless Chromium for the browser tests.

The browser tests drive Debian's own Chromium (`apt-get install chromium`) through
Playwright; no browser is ever downloaded. Without it they skip, unless
SKRIVBORD_REQUIRE_BROWSER=1 (CI) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

E2E_DIR = Path(__file__).resolve().parent / "e2e"


def _is_e2e(item: pytest.Item) -> bool:
    return E2E_DIR in item.path.parents


# trylast: after pytest-django's own reordering (TestCase, then transactional, then others).
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_e2e(item):
            item.add_marker(pytest.mark.e2e)
    # Browser tests last: the quick tests report first, and they never run while the
    # browser's event loop lives in this thread (see `browser`).
    items.sort(key=_is_e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        reason = "Debian's chromium is not installed: apt-get install chromium"
        if os.environ.get("SKRIVBORD_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (SKRIVBORD_REQUIRE_BROWSER=1 requires the browser tests)")
        pytest.skip(reason)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop marked as running in this thread between
    # calls, so Django's async-safety guard would refuse every ORM call made here (test data,
    # the live server's flush). The ORM still runs synchronously, one call at a time, and the
    # live server answers in its own thread, so the guard has nothing to protect us from.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
