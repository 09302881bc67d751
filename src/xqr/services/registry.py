"""The business registry: live search by name or credit code, lookup by credit code, and saving entries.

Behind the `Registry` protocol so that a commercial registry API can replace the local table later;
`get_registry()` gives the configured one. The local one answers from `registry_enterprise` and its
search indexes (see the migration "registry search indexes"):

- exact name and name prefix: a btree range on the name;
- substrings of 3+ characters: SQLite FTS5 trigram / PostgreSQL pg_trgm;
- substrings of 2 characters (长沙, 湘江 — the commonest input): SQLite keeps each name's two-character
  pieces in an FTS5 table of its own, PostgreSQL a GIN on registry_bigrams(name);
- credit-code prefix: a btree range on the code.

Every arm is a LIMITed index scan, so a fragment that matches half the table costs no more than a rare
one; all arms go to the database as one UNION ALL, and the ranking (exact, prefix, substring; active
statuses first within each) is applied here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import cache
from typing import Any, Iterable, Protocol

from xqr.db import engine, is_sqlite, write_transaction
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


class Registry(Protocol):
    async def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[RegistryEntry]:
        """Enterprises whose name contains the fragment or whose credit code starts with it, best first."""
        ...

    async def lookup(self, credit_code: str) -> RegistryEntry | None:
        """The enterprise with exactly this credit code, if the registry knows it."""
        ...


# ---------------------------------------------------------------- the search statement


def normalize_query(query: str) -> str:
    return normalize_registry_text(query or "")


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
    return text[:-1] + chr(ord(text[-1]) + 1)


@cache
def _status_list() -> str:
    return ", ".join("'" + status + "'" for status in sorted(ACTIVE_STATUSES))


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
    active = f"r.status IN ({_status_list()})"
    inactive = f"r.status NOT IN ({_status_list()})"
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
    arm(1, table, f"{name} = {{}}", (text,))
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


def rank(rows: Iterable[dict[str, Any]], limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Code prefix, exact name, name prefix, substring; active statuses first within each; no repeats."""
    seen: set[str] = set()
    ranked = []
    for row in sorted(rows, key=lambda r: (r["tier"], -r["active"])):  # stable: keeps each arm's order
        if row["credit_code"] not in seen:
            seen.add(row["credit_code"])
            ranked.append(row)
    return ranked[:limit]


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


class LocalRegistry:
    """The registry table of this platform's own database."""

    async def search(self, query: str, limit: int = SEARCH_LIMIT) -> list[RegistryEntry]:
        statement = search_statement(query, min(limit, SEARCH_LIMIT), sqlite=is_sqlite())
        if statement is None:
            return []
        rows = await engine().run_querystring(_querystring(statement.sql, statement.params))
        return [entry_from_row(row) for row in rank(rows, limit)]

    async def lookup(self, credit_code: str) -> RegistryEntry | None:
        code = normalize_credit_code(credit_code or "")
        if not code:
            return None
        rows = await engine().run_querystring(
            _querystring(f"SELECT {_select('r')} FROM registry_enterprise r WHERE r.credit_code = {{}}", (code,))
        )
        return entry_from_row(rows[0]) if rows else None


def _querystring(sql: str, params: tuple):
    from piccolo.querystring import QueryString

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


#: rows per INSERT statement: 13 parameters each stays far below both drivers' parameter limits
INSERT_CHUNK = 500


async def _run(sql: str, params: Iterable = ()) -> list[dict[str, Any]]:
    return await engine().run_querystring(_querystring(sql, tuple(params)))


async def _index_names(rows: list[tuple[int, str]], delete: bool = False) -> None:
    """Add (or remove, given the names they were indexed with) names in SQLite's two FTS5 tables."""
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        for table, column, text_of in (
            ("registry_name_trigram", "name", lambda name: name),
            ("registry_name_bigram", "pieces", lambda name: " ".join(name_pieces(name))),
        ):
            command = "{}, " if delete else ""
            values = ", ".join(f"({command}{{}}, {{}})" for _ in chunk)
            params: list = []
            for row_id, name in chunk:
                params.extend(["delete", row_id, text_of(name)] if delete else [row_id, text_of(name)])
            target = f"{table}({table}, rowid, {column})" if delete else f"{table}(rowid, {column})"
            await _run(f"INSERT INTO {target} VALUES {values}", params)


def _values(entry: RegistryEntry, now: datetime) -> list:
    return [*entry.facts(), now]


async def save_entries(entries: Iterable[RegistryEntry], now: datetime | None = None) -> SaveCounts:
    """Insert new entries and update changed ones, by credit code, in one transaction; keep unchanged rows
    (and their updated_at) as they are. Callers stream large inputs in batches of a few hundred."""
    now = now or datetime.now(timezone.utc)
    by_code = {entry.credit_code: entry for entry in entries}
    counts = SaveCounts()
    if not by_code:
        return counts
    sqlite = is_sqlite()
    async with write_transaction():
        existing: dict[str, dict[str, Any]] = {}
        codes = list(by_code)
        for start in range(0, len(codes), INSERT_CHUNK):
            chunk = codes[start : start + INSERT_CHUNK]
            placeholders = ", ".join("{}" for _ in chunk)
            for row in await _run(
                f"SELECT r.id, {_select('r')} FROM registry_enterprise r WHERE r.credit_code IN ({placeholders})", chunk
            ):
                existing[row["credit_code"]] = row
        new = [entry for code, entry in by_code.items() if code not in existing]
        renamed_from: list[tuple[int, str]] = []
        renamed_to: list[tuple[int, str]] = []
        for code, entry in by_code.items():
            row = existing.get(code)
            if row is None:
                continue
            if entry_from_row(row).facts() == _normalized(entry).facts():
                counts.unchanged += 1
                continue
            assignments = ", ".join(f"{column} = {{}}" for column in COLUMNS[1:])
            await _run(f"UPDATE registry_enterprise SET {assignments} WHERE id = {{}}", [*_values(entry, now)[1:], row["id"]])
            counts.updated += 1
            if row["name"] != entry.name:
                renamed_from.append((row["id"], row["name"]))
                renamed_to.append((row["id"], entry.name))
        inserted: list[tuple[int, str]] = []
        column_list = ", ".join(COLUMNS)
        for start in range(0, len(new), INSERT_CHUNK):
            chunk = new[start : start + INSERT_CHUNK]
            row_values = ", ".join("(" + ", ".join("{}" for _ in COLUMNS) + ")" for _ in chunk)
            params = [value for entry in chunk for value in _values(entry, now)]
            returned = await _run(f"INSERT INTO registry_enterprise ({column_list}) VALUES {row_values} RETURNING id, name", params)
            inserted.extend((row["id"], row["name"]) for row in returned)
        counts.inserted = len(inserted)
        if sqlite:
            await _index_names(renamed_from, delete=True)
            await _index_names(renamed_to + inserted)
    return counts


def _normalized(entry: RegistryEntry) -> RegistryEntry:
    """The entry as it reads back from the database (capital without trailing zeros)."""
    return replace(entry, registered_capital=_plain(entry.registered_capital))
