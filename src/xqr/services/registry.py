"""The business registry: live search by name or credit code, lookup by credit code, and saving entries.

Behind the `Registry` protocol so that a commercial registry API can replace the local table later;
`get_registry()` gives the configured one. The local one answers from `registry_enterprise` and its
search indexes (see the migrations "registry search indexes" and "registry active-split indexes"):

- exact name and name prefix: a btree range on the name (the exact name sorts first in its range);
- substrings of 3+ characters: SQLite FTS5 trigram / PostgreSQL pg_trgm;
- substrings of 2 characters (长沙, 湘江 — the commonest input): SQLite keeps each name's two-character
  pieces in an FTS5 table of its own, PostgreSQL a GIN on registry_bigrams(name);
- credit-code prefix: a btree range on the code.

Each arm is asked twice, for active enterprises and for the others, each time with a LIMIT, so that a
fragment found in half the table costs no more than a rare one; all arms go to the database as one
UNION ALL, and the ranking (code prefix, exact, prefix, substring; active first within each) is applied
here. Searches read committed data only (on SQLite through connections of their own, see _SQLiteReaders).
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import sys
import threading
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, Iterable, Protocol

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

from xqr.db import SQLITE_BUSY_TIMEOUT_SECONDS, engine, is_sqlite, write_transaction
from xqr.services.identity_codes import normalize_credit_code
from xqr.services.reference import (
    ACTIVE_STATUSES,
    REGISTRATION_STATUSES,
    division_name,
    industry_name,
    normalize_registry_text,
)

SEARCH_LIMIT = 10
MIN_QUERY_LENGTH = 2
CODE_PREFIX = re.compile(r"[0-9A-Z]{2,18}")


@dataclass(frozen=True)
class RegistryEntry:
    """What the registry says about one enterprise (工商登记信息)."""

    credit_code: str
    name: str
    status: str
    division_code: str
    address: str = ""
    enterprise_type: str = ""
    established_on: date | None = None
    #: 万元
    registered_capital: Decimal | None = None
    authority: str = ""
    industry_code: str = ""
    legal_representative: str = ""
    business_scope: str = ""
    updated_at: datetime | None = None

    @property
    def division_name(self) -> str:
        return division_name(self.division_code)

    @property
    def industry_name(self) -> str:
        return industry_name(self.industry_code)

    @property
    def is_active(self) -> bool:
        """存续/在业 and their synonyms: legally in business."""
        return self.status in ACTIVE_STATUSES

    @property
    def status_meaning(self) -> str:
        """active | revoked | cancelled | moved_out | suspended | liquidating | other."""
        return REGISTRATION_STATUSES.get(self.status, "other")

    def facts(self) -> tuple:
        """Everything but updated_at: two entries with equal facts need no write."""
        return tuple(getattr(self, name) for name in FACT_FIELDS)


FACT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RegistryEntry) if f.name != "updated_at")
COLUMNS: tuple[str, ...] = (*FACT_FIELDS, "updated_at")
#: what a save writes: the facts, the active flag derived from the status, the time
WRITTEN_COLUMNS: tuple[str, ...] = (*FACT_FIELDS, "is_active", "updated_at")


class Registry(Protocol):
    async def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[RegistryEntry]:
        """Enterprises whose name contains the fragment or whose credit code starts with it, best first."""
        ...

    async def lookup(self, credit_code: str) -> RegistryEntry | None:
        """The enterprise with exactly this credit code, if the registry knows it."""
        ...


# ---------------------------------------------------------------- the search statement


def normalize_query(query: str) -> str:
    """The query as names are stored; control characters dropped (PostgreSQL refuses NUL in text)."""
    return "".join(ch for ch in normalize_registry_text(query or "") if ch.isprintable())


def name_pieces(name: str) -> list[str]:
    """A name's distinct two-character pieces, as tokens the FTS5 ascii tokenizer keeps whole.

    Hex code points: punctuation such as （ would otherwise split or vanish in any text tokenizer.
    """
    folded = name.lower()
    return sorted({f"{ord(a):06x}{ord(b):06x}" for a, b in zip(folded, folded[1:])})


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _like_pattern(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _next_string(text: str) -> str:
    """The smallest string above every string starting with `text` (code-point order)."""
    return text[:-1] + chr(min(ord(text[-1]) + 1, sys.maxunicode))


def _select(table_alias: str) -> str:
    return ", ".join(f"{table_alias}.{column}" for column in COLUMNS)


@dataclass(frozen=True)
class SearchStatement:
    """One UNION ALL of LIMITed arms; `{}` marks parameters (Piccolo's placeholder)."""

    sql: str
    params: tuple


def search_statement(query: str, limit: int = SEARCH_LIMIT, *, sqlite: bool) -> SearchStatement | None:
    """The statement behind search(), or None when the query is too short to search."""
    text = normalize_query(query)
    if len(text) < MIN_QUERY_LENGTH or limit <= 0:
        return None
    arms: list[tuple[str, tuple]] = []
    active, inactive = "r.is_active", "NOT r.is_active"
    name = "r.name" if sqlite else 'r.name COLLATE "C"'
    code = "r.credit_code" if sqlite else 'r.credit_code COLLATE "C"'

    def arm(tier: int, source: str, condition: str, params: tuple, order: str = "") -> None:
        for is_active, status_condition in ((1, active), (0, inactive)):
            arms.append(
                (
                    f"SELECT * FROM (SELECT {_select('r')}, {tier} AS tier, {is_active} AS active FROM {source}"
                    f" WHERE {condition} AND {status_condition}{order} LIMIT {limit}) AS arm{len(arms)}",
                    params,
                )
            )

    table = "registry_enterprise r"
    code_text = text.upper()
    if CODE_PREFIX.fullmatch(code_text):
        arm(0, table, f"{code} >= {{}} AND {code} < {{}}", (code_text, _next_string(code_text)), f" ORDER BY {code}")
    # The exact name sorts first among the names it prefixes: rank() tells it apart, one arm fewer to plan.
    arm(2, table, f"{name} >= {{}} AND {name} < {{}}", (text, _next_string(text)), f" ORDER BY {name}")
    if sqlite and len(text) == 2:
        pieces = name_pieces(text)
        arm(3, "registry_name_bigram f CROSS JOIN registry_enterprise r ON r.id = f.rowid", "registry_name_bigram MATCH {}", (pieces[0],))
    elif sqlite:
        arm(3, "registry_name_trigram f CROSS JOIN registry_enterprise r ON r.id = f.rowid", "registry_name_trigram MATCH {}", (_fts_phrase(text),))
    elif len(text) == 2:
        arm(3, table, "registry_bigrams(r.name) @> ARRAY[{}]::text[]", (text.lower(),))
    else:
        arm(3, table, "r.name ILIKE {}", (_like_pattern(text),))
    return SearchStatement(
        sql=" UNION ALL ".join(sql for sql, _ in arms),
        params=tuple(param for _, params in arms for param in params),
    )


def rank(rows: Iterable[dict[str, Any]], query: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Code prefix, exact name, name prefix, substring; active statuses first within each; no repeats."""
    text = normalize_query(query)

    def key(row: dict[str, Any]) -> tuple[int, int]:
        tier = 1 if row["tier"] == 2 and row["name"] == text else row["tier"]
        return tier, -row["active"]

    seen: set[str] = set()
    ranked = []
    for row in sorted(rows, key=key):  # stable: keeps each arm's order
        if row["credit_code"] not in seen:
            seen.add(row["credit_code"])
            ranked.append(row)
    return ranked[:limit]


def split_on_match(text: str, query: str) -> tuple[str, str, str]:
    """(before, match, after): where the query occurs in the text (case-insensitively), for <mark>."""
    fragment = normalize_query(query)
    at = text.lower().find(fragment.lower()) if fragment else -1
    if at < 0:
        return text, "", ""
    return text[:at], text[at : at + len(fragment)], text[at + len(fragment) :]


# ---------------------------------------------------------------- rows <-> entries


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _plain(amount: Decimal | None) -> Decimal | None:
    """500 for 500.0000, 12.5 for 12.5000: the column's scale is storage, not meaning."""
    if amount is None:
        return None
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def entry_from_row(row: dict[str, Any]) -> RegistryEntry:
    # The SQLite driver hands back some columns of compound selects as text; PostgreSQL as typed values.
    values = {column: row[column] for column in COLUMNS}
    values["established_on"] = _as_date(values["established_on"])
    values["registered_capital"] = _plain(_as_decimal(values["registered_capital"]))
    values["updated_at"] = _as_datetime(values["updated_at"])
    return RegistryEntry(**values)


class _SQLiteReaders:
    """An open SQLite connection per worker thread, for reading only (PRAGMA query_only).

    Piccolo opens a new SQLite connection (and thread) for every query outside a transaction: about a
    millisecond, more than the search itself. The live search runs on every keystroke, so it keeps its
    connections open; each statement still reads the latest committed data (WAL, autocommit). A thread
    keeps one connection, to the file it read last (tests switch files).
    """

    def __init__(self) -> None:
        self.local = threading.local()

    def fetch(self, path: str, sql: str, params: tuple) -> list[dict[str, Any]]:
        if getattr(self.local, "path", None) != path:
            if getattr(self.local, "connection", None) is not None:
                self.local.connection.close()
            connection = sqlite3.connect(path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
            connection.execute("PRAGMA query_only = ON")
            connection.row_factory = sqlite3.Row
            self.local.path, self.local.connection = path, connection
        return [dict(row) for row in self.local.connection.execute(sql.replace("{}", "?"), params)]


_sqlite_readers = _SQLiteReaders()


async def _read(sql: str, params: tuple) -> list[dict[str, Any]]:
    db = engine()
    if isinstance(db, SQLiteEngine):
        return await asyncio.to_thread(_sqlite_readers.fetch, db.path, sql, params)
    return await db.run_querystring(_querystring(sql, params))


class LocalRegistry:
    """The registry table of this platform's own database."""

    async def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[RegistryEntry]:
        statement = search_statement(query, min(limit, SEARCH_LIMIT), sqlite=is_sqlite())
        if statement is None:
            return []
        rows = await _read(statement.sql, statement.params)
        return [entry_from_row(row) for row in rank(rows, query, limit)]

    async def lookup(self, credit_code: str) -> RegistryEntry | None:
        code = normalize_credit_code(credit_code or "")
        if not code:
            return None
        rows = await _read(f"SELECT {_select('r')} FROM registry_enterprise r WHERE r.credit_code = {{}}", (code,))
        return entry_from_row(rows[0]) if rows else None


def _querystring(sql: str, params: tuple) -> QueryString:
    return QueryString(sql, *params)


_registry: Registry = LocalRegistry()


def get_registry() -> Registry:
    """The registry the platform searches: the local table (a commercial API may replace it here)."""
    return _registry


# ---------------------------------------------------------------- saving entries


@dataclass
class SaveCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: "SaveCounts") -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


#: credit codes per SELECT ... IN (...): far below both drivers' parameter limits
SELECT_CHUNK = 500


async def _run(sql: str, params: Iterable = ()) -> list[dict[str, Any]]:
    return await engine().run_querystring(_querystring(sql, tuple(params)))


async def _execute_many(sql: str, rows: list[tuple]) -> None:
    """One statement over many rows, straight through the current transaction's driver connection.

    Piccolo inspects every parameter of every query, which costs more than the write itself in bulk
    loads; `{}` marks the parameters as in Piccolo's raw queries.
    """
    if not rows:
        return
    connection = engine().current_transaction.get().connection
    if is_sqlite():
        await connection.executemany(sql.replace("{}", "?"), rows)
    else:
        parts = sql.split("{}")
        numbered = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        await connection.executemany(numbered, rows)


def _pieces_text(name: str) -> str:
    return " ".join(name_pieces(name))


async def _unindex_names(rows: list[tuple[int, str]]) -> None:
    """Take names out of SQLite's two FTS5 tables (contentless: they need the text they were given)."""
    await _execute_many(
        "INSERT INTO registry_name_trigram(registry_name_trigram, rowid, name) VALUES ('delete', {}, {})", rows
    )
    await _execute_many(
        "INSERT INTO registry_name_bigram(registry_name_bigram, rowid, pieces) VALUES ('delete', {}, {})",
        [(row_id, _pieces_text(name)) for row_id, name in rows],
    )


async def _index_names(entries: list[RegistryEntry]) -> None:
    """Put the current names of these enterprises into SQLite's two FTS5 tables, keyed by row id."""
    await _execute_many(
        "INSERT INTO registry_name_trigram(rowid, name) SELECT id, name FROM registry_enterprise WHERE credit_code = {}",
        [(entry.credit_code,) for entry in entries],
    )
    await _execute_many(
        "INSERT INTO registry_name_bigram(rowid, pieces) SELECT id, {} FROM registry_enterprise WHERE credit_code = {}",
        [(_pieces_text(entry.name), entry.credit_code) for entry in entries],
    )


async def save_entries(entries: Iterable[RegistryEntry], now: datetime | None = None) -> SaveCounts:
    """Insert new entries and update changed ones, by credit code, in one transaction; keep unchanged rows
    (and their updated_at) as they are. Callers stream large inputs in batches of a few thousand."""
    now = now or datetime.now(timezone.utc)
    by_code = {entry.credit_code: entry for entry in entries}
    counts = SaveCounts()
    if not by_code:
        return counts
    async with write_transaction():
        existing: dict[str, dict[str, Any]] = {}
        codes = list(by_code)
        for start in range(0, len(codes), SELECT_CHUNK):
            chunk = codes[start : start + SELECT_CHUNK]
            placeholders = ", ".join("{}" for _ in chunk)
            for row in await _run(
                f"SELECT r.id, {_select('r')} FROM registry_enterprise r WHERE r.credit_code IN ({placeholders})", chunk
            ):
                existing[row["credit_code"]] = row
        new = [entry for code, entry in by_code.items() if code not in existing]
        changed = []
        renamed_from: list[tuple[int, str]] = []
        for code, entry in by_code.items():
            row = existing.get(code)
            if row is None:
                continue
            if entry_from_row(row).facts() == _normalized(entry).facts():
                counts.unchanged += 1
                continue
            changed.append((*entry.facts()[1:], entry.is_active, now, row["id"]))
            if row["name"] != entry.name:
                renamed_from.append((row["id"], row["name"]))
        assignments = ", ".join(f"{column} = {{}}" for column in WRITTEN_COLUMNS[1:])
        await _execute_many(f"UPDATE registry_enterprise SET {assignments} WHERE id = {{}}", changed)
        placeholders = ", ".join("{}" for _ in WRITTEN_COLUMNS)
        await _execute_many(
            f"INSERT INTO registry_enterprise ({', '.join(WRITTEN_COLUMNS)}) VALUES ({placeholders})",
            [(*entry.facts(), entry.is_active, now) for entry in new],
        )
        if is_sqlite():
            await _unindex_names(renamed_from)
            renamed = {code for code, row in existing.items() if row["name"] != by_code[code].name}
            await _index_names(new + [by_code[code] for code in renamed])
        counts.inserted, counts.updated = len(new), len(changed)
    return counts


def _normalized(entry: RegistryEntry) -> RegistryEntry:
    """The entry as it reads back from the database (capital without trailing zeros)."""
    return replace(entry, registered_capital=_plain(entry.registered_capital))
