"""The database engine, transactions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(database_url: str) -> Engine:
    """An engine for a sqlite:///path or postgresql://... URL."""
    parsed = urlparse(database_url)
    if parsed.scheme == "sqlite":
        path = Path(database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if parsed.scheme in {"postgres", "postgresql"}:
        return PostgresEngine(
            config={
                "dsn": database_url.replace("postgres://", "postgresql://", 1),
                # asyncpg prepares statements; a generic plan would ignore trigram indexes.
                "server_settings": {"plan_cache_mode": "force_custom_plan"},
            },
            extensions=(),
        )
    raise ValueError(f"unsupported database URL scheme: {parsed.scheme!r}")


_current: Engine | None = None


def engine() -> Engine:
    """The engine every table uses now (piccolo_conf.DB unless switched)."""
    global _current
    if _current is None:
        from xqr.piccolo_conf import DB

        _current = DB
    return _current


def all_tables() -> list[type[Table]]:
    from xqr.piccolo_app import APP_CONFIG

    return list(APP_CONFIG.table_classes)


def use_engine(db: Engine) -> None:
    """Point every table at another engine (tests; tools that open a second database)."""
    global _current
    _current = db
    for table in all_tables():
        table._meta.db = db


def is_sqlite(db: Engine | None = None) -> bool:
    return (db or engine()).engine_type == "sqlite"


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction for read-then-write work.

    SQLite needs BEGIN IMMEDIATE so two writers queue on the lock instead of
    failing with "database is locked" when the reader upgrades; PostgreSQL
    takes no such argument.
    """
    db = engine()
    if isinstance(db, SQLiteEngine):
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


def is_unique_violation(error: BaseException) -> bool:
    """Whether a driver error is a duplicate key, whichever driver raised it."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        return False
    return isinstance(error, asyncpg.UniqueViolationError)


async def prepare_connection(pool: bool) -> None:
    """Once per process: WAL for SQLite, a connection pool for PostgreSQL."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        await db.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(db, PostgresEngine) and pool:
        await db.start_connection_pool(min_size=1, max_size=10)


async def close_connection() -> None:
    db = engine()
    if isinstance(db, PostgresEngine) and db.pool is not None:
        await db.close_connection_pool()
