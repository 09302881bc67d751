"""Running the checked-in Piccolo migrations."""

from __future__ import annotations

from piccolo.apps.migrations.commands.forwards import run_forwards

from xqr.db import engine, is_sqlite


async def migrate() -> None:
    """Apply every migration not applied yet; safe to run at each start."""
    if is_sqlite():
        # WAL lets readers go on while one writer writes; it is a property of the file.
        await engine().run_ddl("PRAGMA journal_mode=WAL")
    response = await run_forwards(app_name="xqr", migration_id="all", fake=False)
    if not response.success:
        raise RuntimeError(f"migrations failed: {response.message}")
