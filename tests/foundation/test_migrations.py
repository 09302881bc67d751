"""The checked-in migrations build the schema on an empty database, on both engines."""

import os
import subprocess
import sys
import uuid

import pytest

from xqr.piccolo_app import APP_CONFIG


def migrate(database_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XQR_DATABASE_URL": database_url, "XQR_VAR_DIR": str(tmp_path / "var")}
    return subprocess.run([sys.executable, "-m", "xqr.cli", "migrate"], env=env, capture_output=True, text=True)


def expected_tables() -> set[str]:
    return {table._meta.tablename for table in APP_CONFIG.table_classes}


def test_migrations_apply_on_an_empty_sqlite_file_and_again_do_nothing(tmp_path):
    import sqlite3

    path = tmp_path / "empty.sqlite3"
    first = migrate(f"sqlite:///{path}", tmp_path)
    assert first.returncode == 0, first.stderr
    second = migrate(f"sqlite:///{path}", tmp_path)
    assert second.returncode == 0 and "No migrations need to be run" in second.stdout
    with sqlite3.connect(path) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert expected_tables() <= names
    assert journal == "wal"


@pytest.mark.skipif(not os.environ.get("XQR_TEST_POSTGRES_URL"), reason="XQR_TEST_POSTGRES_URL is not set")
async def test_migrations_apply_on_an_empty_postgres_database(tmp_path):
    import asyncpg

    admin_url = os.environ["XQR_TEST_POSTGRES_URL"]
    name = f"xqr_migrate_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        result = migrate(url, tmp_path)
        assert result.returncode == 0, result.stderr
        connection = await asyncpg.connect(url)
        try:
            rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        finally:
            await connection.close()
        assert expected_tables() <= {row["tablename"] for row in rows}
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
