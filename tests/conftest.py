"""Test harness: a real database per test (SQLite file or PostgreSQL), the app, and HTTP clients.

The database engine is chosen before anything imports xqr's tables:
XQR_TEST_DB=sqlite (default) or postgres (with XQR_TEST_POSTGRES_URL pointing at a
server where the user may create databases).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
TEST_DB = os.environ.get("XQR_TEST_DB", "sqlite")
RUN_DIR = Path(tempfile.mkdtemp(prefix=f"xqr-test-{WORKER}-"))


def _postgres_url(database: str) -> str:
    base = os.environ["XQR_TEST_POSTGRES_URL"].rstrip("/")
    return base.rsplit("/", 1)[0] + "/" + database


if TEST_DB == "postgres":
    PG_DATABASE = f"xqr_test_{WORKER}_{os.getpid()}"
    DATABASE_URL = _postgres_url(PG_DATABASE)
else:
    DATABASE_URL = f"sqlite:///{RUN_DIR / 'template.sqlite3'}"

os.environ.update(
    {
        "XQR_ENV": "dev",
        "XQR_VAR_DIR": str(RUN_DIR / "var"),
        "XQR_DATABASE_URL": DATABASE_URL,
        "XQR_STORAGE_DIR": str(RUN_DIR / "storage"),
        "XQR_SECRET_KEY": "test-secret-key-not-for-production",
        "PICCOLO_CONF": "xqr.piccolo_conf",
        # Enough rows for searches to choose among; 20,000 would add seconds to every seeded test.
        "XQR_DEMO_REGISTRY_COUNT": "300",
    }
)
os.environ.pop("XQR_SMTP_HOST", None)

import pytest  # noqa: E402

from tests.support.browser import *  # noqa: E402,F401,F403  (browser fixtures)
from tests.support.fixtures import *  # noqa: E402,F401,F403  (shared fixtures)


def _create_postgres_database() -> None:
    import asyncio

    import asyncpg

    async def create() -> None:
        admin = await asyncpg.connect(os.environ["XQR_TEST_POSTGRES_URL"])
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}"')
            await admin.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        finally:
            await admin.close()

    asyncio.run(create())


def _drop_postgres_database() -> None:
    import asyncio

    import asyncpg

    async def drop() -> None:
        admin = await asyncpg.connect(os.environ["XQR_TEST_POSTGRES_URL"])
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        finally:
            await admin.close()

    asyncio.run(drop())


def pytest_sessionstart(session: pytest.Session) -> None:
    if TEST_DB == "postgres":
        _create_postgres_database()
    # Migrations run in a child process exactly as `xqr migrate` does in production.
    subprocess.run([sys.executable, "-m", "xqr.cli", "migrate"], check=True, env=os.environ.copy(), capture_output=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _fail_on_skipped_browser_tests(session)
    if TEST_DB == "postgres":
        _drop_postgres_database()
    shutil.rmtree(RUN_DIR, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> str:
    return f"xqr test database: {TEST_DB} ({DATABASE_URL.split('@')[-1]})"


_skipped_browser_tests: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and report.nodeid.startswith("tests/browser/"):
        _skipped_browser_tests.append(report.nodeid)


def _fail_on_skipped_browser_tests(session: pytest.Session) -> None:
    """CI (XQR_REQUIRE_BROWSER=1) fails when any browser test was skipped, whatever the reason."""
    if os.environ.get("XQR_REQUIRE_BROWSER") == "1" and _skipped_browser_tests and WORKER == "main":
        print(f"\n{len(_skipped_browser_tests)} browser test(s) skipped; CI requires them all:", *_skipped_browser_tests, sep="\n  ", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
