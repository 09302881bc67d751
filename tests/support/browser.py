"""Browser tests: the app served by uvicorn in a thread, Debian's chromium driven by Playwright.

Tests using `page` run twice: at a PC size (1366×768) and a phone size (390×844).
They are plain (sync) tests; set up data with `run(coroutine)`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Coroutine, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 768}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
        "user_agent": (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
        ),
    },
}
OUTPUT_DIR = Path(__file__).resolve().parents[1] / "output"

__all__ = ["run", "browser_db", "live_server", "chromium_browser", "page", "phone_page", "VIEWPORTS", "screenshot", "agree_to_privacy_guide"]


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run set-up or check code against the test database from a sync test.

    Playwright's sync API keeps an event loop running in the test's thread, so
    the coroutine gets a thread and a loop of its own.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def browser_db(tmp_path: Path) -> Iterator[None]:
    """The `db` fixture's counterpart for sync tests."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    from tests.support import fixtures
    from xqr import db as xqr_db
    from xqr.db import SQLITE_BUSY_TIMEOUT_SECONDS, all_tables

    url = os.environ["XQR_DATABASE_URL"]
    if url.startswith("sqlite"):
        copy = tmp_path / "browser.sqlite3"
        shutil.copyfile(Path(url.removeprefix("sqlite:///")), copy)
        engine = SQLiteEngine(path=str(copy), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        xqr_db.use_engine(engine)
        run(engine.run_ddl("PRAGMA journal_mode=WAL"))
        yield
        return
    engine = PostgresEngine(config={"dsn": url, "server_settings": {"plan_cache_mode": "force_custom_plan"}})
    xqr_db.use_engine(engine)
    yield
    names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
    run(engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    for hook in fixtures.TRUNCATE_HOOKS:
        run(hook(engine))


@pytest.fixture
def live_server(browser_db: None, settings) -> Iterator[str]:
    """The app on a free loopback port; yields its base URL."""
    import uvicorn

    from xqr.app import create_app

    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


# Module scope: Playwright's sync API keeps an event loop running in the main thread while it is
# started, which would break async tests run later in the same process. Browser test modules hold
# only (sync) browser tests, so the loop is gone before the next module's async tests run.
@pytest.fixture(scope="module")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)"
        if os.environ.get("XQR_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


def _open_page(browser, base_url: str, viewport_name: str):
    context = browser.new_context(base_url=base_url, locale="zh-CN", **VIEWPORTS[viewport_name])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = viewport_name  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    return context, page


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, chromium_browser, live_server: str):
    """A fresh browser context at the parametrized size, its base URL set to the live server."""
    context, page = _open_page(chromium_browser, live_server, request.param)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium_browser, live_server: str):
    """A phone-sized page only, for what exists only on phones (the manual's mobile section)."""
    context, page = _open_page(chromium_browser, live_server, "phone")
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/output/ (not committed) for people to look at."""
    OUTPUT_DIR.mkdir(exist_ok=True)
    path = OUTPUT_DIR / f"{name}-{page.viewport_name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def agree_to_privacy_guide(page) -> None:
    """Answer 同意 in the 个人信息保护指引 dialog that stands before registering and logging in."""
    page.get_by_role("dialog", name="个人信息保护指引").get_by_role("button", name="同意", exact=True).click()
