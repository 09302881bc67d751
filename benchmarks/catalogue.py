"""融资超市 search page under concurrent load, beside a bare Litestar page rendering the same HTML.

Builds a throw-away SQLite database with the demo data and 5,000 products, then serves, one after
the other on loopback with uvicorn (one worker each):

- the real app's /products (session middleware, CSRF, search, count, application counts, template);
- a bare Litestar app rendering the same template with a context computed once at start-up
  (no database per request).

A load generator in a second process (httpx, asyncio) keeps CONCURRENCY requests in flight for
SECONDS and reports requests per second and latency percentiles.

    PYTHONPATH=src /work/venv0/bin/python benchmarks/catalogue.py [--products 5000] [--seconds 10] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# module level: Litestar resolves the handlers' annotations in this module's globals
from litestar import Litestar, Request, get
from litestar.config.csrf import CSRFConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ["/products", "/products?q=银行", "/products?type=信用贷&sort=rate", "/products?q=长沙&page=2", "/products?amount=100&term=12"]


# --- the database ----------------------------------------------------------------------------------


async def build_database(products: int) -> None:
    from datetime import datetime, timedelta, timezone
    from decimal import Decimal

    from xqr.migrate import migrate
    from xqr.services.demo import read_sample_products, seed_demo
    from xqr.tables.catalogue import Institution, Product

    await migrate()
    await seed_demo()
    institutions = {row["name"]: row["id"] for row in await Institution.select(Institution.id, Institution.name)}
    sample = read_sample_products()
    start = datetime.now(timezone.utc) - timedelta(days=400)
    rows = []
    for index in range(products - len(sample)):
        base = sample[index % len(sample)]
        rows.append(
            Product(
                institution=institutions[base["institution"]],
                name=f"{base['product_name']}·{index + 1}号",
                product_type=base["product_type"],
                min_amount=Decimal(base["min_amount_wan"]),
                max_amount=Decimal(base["max_amount_wan"]) + index % 50,
                min_rate=Decimal(base["min_rate_pct"]),
                max_rate=Decimal(base["max_rate_pct"]),
                min_term_months=int(base["min_term_months"]),
                max_term_months=int(base["max_term_months"]),
                guarantee=base["guarantee"],
                repayment=base["repayment"],
                target=base["target"],
                region=base["region"],
                description=base["description"],
                is_sample=True,
                created_at=start + timedelta(minutes=index),
                updated_at=start + timedelta(minutes=index),
            )
        )
    for offset in range(0, len(rows), 500):
        await Product.insert(*rows[offset : offset + 500])


# --- the bare page ---------------------------------------------------------------------------------


def bare_app():
    """Litestar with the same template engine and template, the context computed once (no database per request)."""
    from xqr.app import TEMPLATES_DIR
    from xqr.controllers.catalogue import catalogue_context
    from xqr.services.catalogue import CatalogueQuery, active_institutions, search
    from xqr.settings import get_settings
    from xqr.web.templating import configure_environment

    settings = get_settings()
    cached: dict = {}

    async def on_startup(app: Litestar) -> None:
        result = await search(CatalogueQuery.from_params({"q": "银行"}))
        cached.update(catalogue_context(result, await active_institutions()), flash=None)

    @get("/products", cache=False)
    async def products(request: Request) -> Template:
        request.scope["user"] = None
        return Template(template_name="catalogue/products.html", context=cached)

    return Litestar(
        route_handlers=[products],
        template_config=TemplateConfig(
            directory=TEMPLATES_DIR, engine=JinjaTemplateEngine, engine_callback=lambda e: configure_environment(e.engine, settings)
        ),
        csrf_config=CSRFConfig(secret=settings.secret_key, cookie_name="csrftoken", header_name="x-csrftoken"),
        on_startup=[on_startup],
        openapi_config=None,
    )


# --- the load generator ----------------------------------------------------------------------------


async def generate_load(base_url: str, seconds: float, concurrency: int, max_requests: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=httpx.Limits(max_connections=concurrency)) as client:

        async def worker(number: int) -> None:
            nonlocal errors
            index = number
            while time.perf_counter() < deadline and len(latencies) + errors < max_requests:
                started = time.perf_counter()
                response = await client.get(QUERIES[index % len(QUERIES)])
                index += 1
                if response.status_code == 200:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        for path in QUERIES:  # warm up templates and caches
            await client.get(path)
        started = time.perf_counter()
        await asyncio.gather(*(worker(number) for number in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000 if latencies else float("nan")

    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed, "p50_ms": percentile(0.5), "p95_ms": percentile(0.95)}


# --- orchestration ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(target: str, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", target, *(["--factory"] if target.endswith("bare_app") else []),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{target} did not start")


def measure(target: str, env: dict, args: argparse.Namespace) -> dict:
    server, url = serve(target, env)
    try:
        load = subprocess.run(
            [sys.executable, __file__, "--load", url, "--seconds", str(args.seconds), "--concurrency", str(args.concurrency)],
            env=env, capture_output=True, text=True, check=True, timeout=args.seconds + 120,
        )
        return json.loads(load.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        print(json.dumps(asyncio.run(generate_load(args.load, args.seconds, args.concurrency, args.max_requests))))
        return

    work = Path(tempfile.mkdtemp(prefix="xqr-bench-catalogue-"))
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
        "XQR_VAR_DIR": str(work),
        "XQR_DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "XQR_SECRET_KEY": "benchmark-only-secret",
        "XQR_OUTBOX_INTERVAL": "0",
        "PICCOLO_CONF": "xqr.piccolo_conf",
    }
    os.environ.update(env)
    sys.path[:0] = [str(ROOT / "src")]
    asyncio.run(build_database(args.products))
    print(f"{args.products} products, {args.concurrency} concurrent requests for {args.seconds:.0f} s each, loopback, one uvicorn worker")
    results = {
        "bare Litestar page": measure("benchmarks.catalogue:bare_app", env, args),
        "融资超市 /products": measure("xqr.asgi:app", env, args),
    }
    for name, result in results.items():
        print(f"{name:<20} {result['rps']:8.1f} req/s   p50 {result['p50_ms']:6.1f} ms   p95 {result['p95_ms']:6.1f} ms   ({result['requests']} requests, {result['errors']} errors)")
    ratio = results["融资超市 /products"]["rps"] / results["bare Litestar page"]["rps"]
    print(f"ratio (app / bare): {ratio:.2f}  (goal ≥ 0.5)")


if __name__ == "__main__":
    main()
