"""Browser tests: one fresh browser context per test, pointed at Django's live server.

Every test starts in Swedish (the default UI language, and the browser's locale here), with
a clean cookie jar. A failing test leaves a screenshot in test-artifacts/ for the CI log.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()

# The live server shares one SQLite connection with the test; give slow CI machines room.
expect.set_options(timeout=10_000)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture
def page(
    browser: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        report = request.node.stash.get(_REPORTS, {}).get("call")
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / f"{request.node.name}-failed.png", full_page=True)
        context.close()
