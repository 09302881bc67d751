"""xqr run: migrate, seed the demo on first run, print the URL and accounts, serve."""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="start the platform")
    run.add_argument("--host", default=None)
    run.add_argument("--port", type=int, default=None)
    run.add_argument("--workers", type=int, default=1)
    run.add_argument("--no-demo", action="store_true", help="do not load the demo data on an empty database")
    run.set_defaults(handler=run_server)


def run_server(args: argparse.Namespace) -> int:
    import uvicorn

    from xqr.app import ProductionSettingsRefused
    from xqr.migrate import migrate
    from xqr.services.demo import demo_loaded, print_demo_accounts, seed_demo
    from xqr.settings import get_settings

    settings = get_settings()
    if problems := settings.prod_problems():
        raise ProductionSettingsRefused("生产环境拒绝启动：\n- " + "\n- ".join(problems))

    async def prepare() -> bool:
        await migrate()
        if args.no_demo or settings.is_prod or await demo_loaded():
            return False
        await seed_demo()
        return True

    asyncio.run(prepare())
    host = args.host or settings.host
    port = args.port or settings.port
    print(f"\n湘企融已启动：http://{host}:{port}\n")
    if not settings.is_prod:
        print_demo_accounts()
    uvicorn.run("xqr.asgi:app", host=host, port=port, workers=args.workers, proxy_headers=True, log_level="info")
    return 0
