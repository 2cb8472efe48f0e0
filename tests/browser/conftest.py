"""Headless Chromium from Debian's `chromium` package, driven by Playwright (no browser
download). Without it the browser tests skip with the reason; under CI=true they fail."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import service_unavailable

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture
def browser(monkeypatch):
    # Sync Playwright runs an event loop in this thread; the test's own ORM calls are still
    # synchronous, so Django's async guard is lifted for the browser tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        service_unavailable(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save


@pytest.fixture(scope="session", autouse=True)
def _stop_live_server_before_dropping_the_database(django_db_setup, live_server):
    """Set up after the test database, so torn down before it: the live server's database
    session is gone when the test database is dropped."""
    return live_server
