"""Browser tests: one fresh browser context per test, pointed at Django's live server.

Every test starts in Swedish (the default UI language, and the browser's locale here), with
a clean cookie jar. A failing test leaves a screenshot in test-artifacts/ for the CI log.
"""

from __future__ import annotations

import threading
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


@pytest.fixture(scope="session")
def live_server(live_server: LiveServer) -> Iterator[LiveServer]:
    """pytest-django's live server, stopped only once its request threads are done.

    The browser must close first (see `page`); the server's threads for its kept-alive
    connections then wake up and close their (shared, in-memory) database connection. Had
    the server stopped before, those threads would fail: the connection is no longer shared.
    """
    yield live_server
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=5)


@pytest.fixture
def page(
    live_server: LiveServer, browser: Browser, request: pytest.FixtureRequest
) -> Iterator[Page]:
    # live_server before browser: session fixtures are torn down in reverse order, so the
    # browser closes while the server still runs (see live_server above).
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
