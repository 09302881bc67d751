"""Fixtures every test module may use: db, settings, app, client, and the demo personas."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path
from typing import AsyncIterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.web import WebClient

__all__ = ["db", "settings", "app", "client", "anonymous_client", "login_as"]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[None]:
    """A migrated database of this test's own; tables start empty."""
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    from xqr import db as xqr_db
    from xqr.db import SQLITE_BUSY_TIMEOUT_SECONDS, all_tables

    url = os.environ["XQR_DATABASE_URL"]
    if url.startswith("sqlite"):
        template = Path(url.removeprefix("sqlite:///"))
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template, copy)
        engine = SQLiteEngine(path=str(copy), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
        xqr_db.use_engine(engine)
        await engine.run_ddl("PRAGMA journal_mode=WAL")
        yield
        return
    engine = PostgresEngine(config={"dsn": url, "server_settings": {"plan_cache_mode": "force_custom_plan"}})
    xqr_db.use_engine(engine)
    yield
    names = ", ".join(f'"{table._meta.tablename}"' for table in all_tables())
    await engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    for hook in TRUNCATE_HOOKS:
        await hook(engine)


#: Extra clean-up for PostgreSQL data outside Piccolo tables (e.g. search indexes kept by triggers).
TRUNCATE_HOOKS: list = []


@pytest.fixture
def settings(tmp_path: Path):
    """Settings as the app reads them, with this test's own storage folder."""
    from xqr.settings import load_settings

    loaded = load_settings()
    return dataclasses.replace(
        loaded,
        storage=dataclasses.replace(loaded.storage, local_dir=tmp_path / "storage"),
        database_pool=False,
    )


@pytest.fixture
def app(db: None, settings) -> Litestar:
    from xqr.app import create_app

    return create_app(settings)


@pytest.fixture
async def anonymous_client(app: Litestar) -> AsyncIterator[WebClient]:
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as raw:
        yield WebClient(raw)


client = anonymous_client


@pytest.fixture
async def login_as(app: Litestar) -> AsyncIterator:
    """login_as(username) -> a client with a session for that user (skips the SMS step; login has its own tests)."""
    clients: list[WebClient] = []

    async def make(username: str) -> WebClient:
        from tests.support.web import session_client_for

        web = await session_client_for(app, username)
        clients.append(web)
        return web

    yield make
    # Each client runs the app's lifespan in its own portal; closing them newest first, as nested
    # context managers would, avoids a hang in the older client's shutdown.
    for web in reversed(clients):
        await web.raw.__aexit__(None, None, None)
