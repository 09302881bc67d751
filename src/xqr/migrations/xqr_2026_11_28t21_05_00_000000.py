"""Search indexes of the business registry, which Piccolo's auto migrations cannot describe.

SQLite: a btree on the name (exact and prefix), and two contentless FTS5 tables keyed by
registry_enterprise.id, maintained by xqr.services.registry.save_entries:
- registry_name_trigram (trigram tokenizer): substrings of 3+ characters;
- registry_name_bigram: each name's distinct two-character pieces as hex tokens, because trigram
  MATCH cannot answer two characters and LIKE on the FTS table wrongly answers nothing on SQLite 3.40.
PostgreSQL: pg_trgm GIN for 3+ characters, a GIN on the name's two-character pieces, and "C"-collated
btrees so that prefix ranges use an index whatever the database's collation.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T21:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registry search indexes"

SQLITE_FORWARDS = [
    "CREATE INDEX registry_enterprise_name ON registry_enterprise (name)",
    "CREATE VIRTUAL TABLE registry_name_trigram USING fts5(name, content='', columnsize=0, tokenize='trigram')",
    "CREATE VIRTUAL TABLE registry_name_bigram USING fts5(pieces, content='', columnsize=0, detail='none', tokenize='ascii')",
]
SQLITE_BACKWARDS = [
    "DROP TABLE registry_name_bigram",
    "DROP TABLE registry_name_trigram",
    "DROP INDEX registry_enterprise_name",
]

POSTGRES_FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE FUNCTION registry_bigrams(value text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(lower(value), i, 2)), '{}')
        FROM generate_series(1, char_length(value) - 1) AS i
    $$""",
    'CREATE INDEX registry_enterprise_name_c ON registry_enterprise (name COLLATE "C")',
    'CREATE INDEX registry_enterprise_code_c ON registry_enterprise (credit_code COLLATE "C")',
    "CREATE INDEX registry_enterprise_name_trgm ON registry_enterprise USING gin (name gin_trgm_ops)",
    "CREATE INDEX registry_enterprise_name_bigram ON registry_enterprise USING gin (registry_bigrams(name))",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX registry_enterprise_name_bigram",
    "DROP INDEX registry_enterprise_name_trgm",
    "DROP INDEX registry_enterprise_code_c",
    "DROP INDEX registry_enterprise_name_c",
    "DROP FUNCTION registry_bigrams(text)",
]


async def _run(sqlite: list[str], postgres: list[str]) -> None:
    engine = engine_finder()
    for statement in sqlite if engine.engine_type == "sqlite" else postgres:
        await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="xqr", description=DESCRIPTION)

    async def run_forwards():
        await _run(SQLITE_FORWARDS, POSTGRES_FORWARDS)

    async def run_backwards():
        await _run(SQLITE_BACKWARDS, POSTGRES_BACKWARDS)

    manager.add_raw(run_forwards)
    manager.add_raw_backwards(run_backwards)
    return manager
