"""Registry live search on a million enterprises: the endpoint over HTTP beside the bare database query.

    PYTHONPATH=src python benchmarks/registry_search.py [--rows 1000000] [--queries 300]
                   [--postgres postgresql://user:pw@host/db]     (or XQR_BENCH_POSTGRES_URL)

Builds (once; reused while the row count matches) a registry with `xqr registry generate` and
`xqr registry import` — the real commands, in child processes, so the import's peak memory is measured
too — in benchmarks/output/ (SQLite) or in the given PostgreSQL database, which must be the
benchmark's own: its contents are replaced. Then, for a few hundred realistic queries (two-character fragments such as 长沙 and 湘江,
3–6 character fragments of real names, whole names, credit-code prefixes, some misses):

- bare: the exact statement the service runs (services.registry.search_statement), on one open
  connection of the plain driver (sqlite3 / asyncpg), execute + fetch;
- endpoint: GET /registry/search?q=... over HTTP/1.1 keep-alive on loopback (http.client), against the
  app served by uvicorn (one worker, access log off) in a separate process.

Each set runs once to warm caches, then is timed; p50/p95/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import resource
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "benchmarks" / "output"
sys.path.insert(0, str(ROOT / "src"))

from xqr.services.registry import search_statement  # noqa: E402

SEED = 20261128
#: what people type first: places, common brand and trade words, and a few that match nothing
TWO_CHARACTER = [
    "长沙", "湘江", "株洲", "湘潭", "衡阳", "岳阳", "常德", "岳麓", "浏阳", "宁乡", "芙蓉", "雨花", "开福", "天心",
    "鑫源", "华盛", "恒达", "湘楚", "麓谷", "星城", "软件", "物流", "餐饮", "贸易", "科技", "建设", "食品", "医药",
    "机械", "电子", "农业", "茶业", "传媒", "湖南", "有限", "合作", "沪上", "京华",
]


def env_for(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "XQR_DATABASE_URL": database_url,
        "XQR_VAR_DIR": str(var_dir),
        "XQR_SECRET_KEY": "benchmark-secret-key",
        "XQR_DEV_PAGES": "false",
    }


def xqr(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "xqr.cli", *args], env=env, check=True)


def migration_ids() -> set[str]:
    folder = ROOT / "src" / "xqr" / "migrations"
    return {line.split('"')[1] for path in folder.glob("xqr_*.py") for line in path.read_text().splitlines() if line.startswith("ID = ")}


async def registry_rows(database_url: str) -> int:
    """Rows of a registry built with today's migrations, or -1 (then it is rebuilt)."""
    count_sql = "SELECT count(*) FROM registry_enterprise"
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            return -1
        with sqlite3.connect(path) as connection:
            try:
                applied = {row[0] for row in connection.execute("SELECT name FROM migration")}
                return connection.execute(count_sql).fetchone()[0] if applied == migration_ids() else -1
            except sqlite3.OperationalError:
                return -1
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        if not await connection.fetchval("SELECT to_regclass('migration') IS NOT NULL"):
            return -1
        applied = {row["name"] for row in await connection.fetch("SELECT name FROM migration")}
        return await connection.fetchval(count_sql) if applied == migration_ids() else -1
    finally:
        await connection.close()


async def build(database_url: str, rows: int, env: dict[str, str]) -> None:
    if await registry_rows(database_url) == rows:
        print(f"registry of {rows} rows already built: reusing it")
        return
    data = OUTPUT / f"registry-{rows}.csv"
    if not data.exists():
        started = time.perf_counter()
        xqr(env, "registry", "generate", "--count", str(rows), "--out", str(data), "--seed", str(SEED))
        print(f"generated {rows} rows in {time.perf_counter() - started:.0f} s ({data.stat().st_size / 1e6:.0f} MB)")
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:  # the benchmark's own database: start from an empty schema
            await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            await connection.close()
    xqr(env, "migrate")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    xqr(env, "registry", "import", str(data))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"imported {rows} rows in {time.perf_counter() - started:.0f} s; peak memory of the import process "
          f"{peak / 1024:.0f} MB (previous children {before / 1024:.0f} MB)")


async def analyze(database_url: str) -> None:
    """Fresh planner statistics, as autovacuum would have them on a registry that has been in use."""
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("ANALYZE registry_enterprise")
    finally:
        await connection.close()


def sample_rows(database_url: str, count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(name, credit code) of random registered enterprises."""

    async def fetch() -> list[tuple[str, str]]:
        ids = [rng.randint(1, total) for _ in range(count)]
        if database_url.startswith("sqlite"):
            with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
                marks = ",".join("?" * len(ids))
                return connection.execute(f"SELECT name, credit_code FROM registry_enterprise WHERE id IN ({marks})", ids).fetchall()
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            rows = await connection.fetch("SELECT name, credit_code FROM registry_enterprise WHERE id = ANY($1::int[])", ids)
            return [(row["name"], row["credit_code"]) for row in rows]
        finally:
            await connection.close()

    total = asyncio.run(registry_rows(database_url))
    return asyncio.run(fetch())


def make_queries(database_url: str, count: int) -> list[str]:
    rng = random.Random(SEED)
    rows = sample_rows(database_url, count, rng)
    queries = []
    for index in range(count):
        name, code = rows[index % len(rows)]
        roll = index % 20
        if roll < 8:  # 40%: two characters
            queries.append(rng.choice(TWO_CHARACTER))
        elif roll < 15:  # 35%: a 3–6 character piece of a real name
            length = rng.randint(3, min(6, len(name)))
            start = rng.randint(0, len(name) - length)
            queries.append(name[start : start + length])
        elif roll < 17:  # 10%: a whole name (picked, then edited back in)
            queries.append(name)
        elif roll < 19:  # 10%: a credit-code prefix
            queries.append(code[: rng.randint(4, 14)])
        else:  # 5%: a name the registry does not know
            queries.append(rng.choice(["上海浦江科技", "北京朝阳贸易有限公司", "深圳南山软件", "沪上餐饮"]))
    rng.shuffle(queries)
    return queries


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {"p50": statistics.median(ordered), "p95": cut[94], "p99": cut[98], "max": ordered[-1]}


def bare_sqlite(database_url: str, queries: list[str]) -> list[float]:
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    statements = [search_statement(q, sqlite=True) for q in queries]
    timings = []
    for measured in (False, True):
        for statement in statements:
            started = time.perf_counter()
            connection.execute(statement.sql.replace("{}", "?"), statement.params).fetchall()
            if measured:
                timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return timings


async def bare_postgres(database_url: str, queries: list[str]) -> list[float]:
    import asyncpg

    connection = await asyncpg.connect(database_url, server_settings={"plan_cache_mode": "force_custom_plan"})
    timings = []
    statements = [search_statement(q, sqlite=False) for q in queries]
    try:
        for measured in (False, True):
            for statement in statements:
                parts = statement.sql.split("{}")
                sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
                started = time.perf_counter()
                await connection.fetch(sql, *statement.params)
                if measured:
                    timings.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return timings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def endpoint(env: dict[str, str], queries: list[str]) -> tuple[list[float], int]:
    """Timings of GET /registry/search over one keep-alive connection (http.client: a thin client, so that
    the figures are the server's and not the client library's)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "xqr.asgi:app", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--no-access-log", "--log-level", "warning"],
        env=env,
    )
    timings: list[float] = []
    matches = 0
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(path: str) -> str:
        connection.request("GET", path, headers={"HX-Request": "true"})
        response = connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return body

    try:
        for _ in range(100):
            try:
                get("/registry/search?q=")
                break
            except (ConnectionError, http.client.HTTPException):
                connection.close()
                time.sleep(0.2)
        for measured in (False, True):
            for query in queries:
                path = "/registry/search?q=" + urllib.parse.quote(query)
                started = time.perf_counter()
                body = get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if measured:
                    timings.append(elapsed)
                    matches += body.count('role="option"')
    finally:
        connection.close()
        server.terminate()
        server.wait(timeout=10)
    return timings, matches


def report(label: str, bare: list[float], http: list[float], queries: list[str], matches: int) -> str:
    b, h = percentiles(bare), percentiles(http)
    lines = [
        f"### {label}",
        "",
        f"{len(queries)} queries ({sum(len(q) == 2 for q in queries)} of two characters); {matches} options returned in all.",
        "",
        "| ms | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|",
        f"| bare query | {b['p50']:.2f} | {b['p95']:.2f} | {b['p99']:.2f} | {b['max']:.2f} |",
        f"| endpoint over HTTP | {h['p50']:.2f} | {h['p95']:.2f} | {h['p99']:.2f} | {h['max']:.2f} |",
        f"| endpoint ÷ bare | {h['p50'] / b['p50']:.1f}× | {h['p95'] / b['p95']:.1f}× | {h['p99'] / b['p99']:.1f}× | |",
        "",
    ]
    return "\n".join(lines)


def slowest(bare: list[float], queries: list[str], top: int = 5) -> str:
    worst = sorted(zip(bare, queries), reverse=True)[:top]
    return "slowest bare queries: " + ", ".join(f"{q!r} {ms:.1f} ms" for ms, q in worst)


def run(database_url: str, label: str, rows: int, count: int) -> str:
    var_dir = OUTPUT / "var"
    env = env_for(database_url, var_dir)
    asyncio.run(build(database_url, rows, env))
    if not database_url.startswith("sqlite"):
        asyncio.run(analyze(database_url))
    queries = make_queries(database_url, count)
    if database_url.startswith("sqlite"):
        bare = bare_sqlite(database_url, queries)
    else:
        bare = asyncio.run(bare_postgres(database_url, queries))
    http, matches = endpoint(env, queries)
    text = report(label, bare, http, queries, matches)
    print(text)
    print(slowest(bare, queries))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("XQR_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    results = []
    if not args.skip_sqlite:
        url = f"sqlite:///{OUTPUT / f'registry-{args.rows}.sqlite3'}"
        results.append(run(url, f"SQLite, {args.rows:,} rows", args.rows, args.queries))
    if args.postgres:
        results.append(run(args.postgres, f"PostgreSQL, {args.rows:,} rows", args.rows, args.queries))
    (OUTPUT / "registry_search.md").write_text("\n".join(results), encoding="utf-8")


if __name__ == "__main__":
    main()
