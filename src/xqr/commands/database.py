"""xqr migrate, xqr seed-demo, xqr sessions purge."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta


def register(subparsers: argparse._SubParsersAction) -> None:
    migrate = subparsers.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(handler=run_migrate)
    seed = subparsers.add_parser("seed-demo", help="load demo institutions, products and accounts (idempotent)")
    seed.set_defaults(handler=run_seed_demo)
    sessions = subparsers.add_parser("sessions", help="browser sessions")
    sessions_sub = sessions.add_subparsers(dest="sessions_command", required=True)
    purge = sessions_sub.add_parser("purge", help="delete expired and idle sessions")
    purge.set_defaults(handler=run_purge_sessions)


def run_migrate(args: argparse.Namespace) -> int:
    from xqr.migrate import migrate

    asyncio.run(migrate())
    return 0


def run_seed_demo(args: argparse.Namespace) -> int:
    from xqr.services.demo import print_demo_accounts, seed_demo

    asyncio.run(seed_demo())
    print_demo_accounts()
    return 0


def run_purge_sessions(args: argparse.Namespace) -> int:
    from xqr.settings import get_settings
    from xqr.web.sessions import purge_expired

    removed = asyncio.run(purge_expired(timedelta(minutes=get_settings().session_idle_minutes)))
    print(f"已删除 {removed} 个过期会话")
    return 0
