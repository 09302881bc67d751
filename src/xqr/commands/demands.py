"""xqr demands remind: the periodic demand check (run it from cron, e.g. every 10 minutes; it is idempotent)."""

from __future__ import annotations

import argparse
import asyncio


def register(subparsers: argparse._SubParsersAction) -> None:
    demands = subparsers.add_parser("demands", help="financing demands")
    demands_sub = demands.add_subparsers(dest="demands_command", required=True)
    remind = demands_sub.add_parser(
        "remind", help="mark expired demands, warn enterprises before expiry, flag untaken demands to admins"
    )
    remind.set_defaults(handler=run_remind)


def run_remind(args: argparse.Namespace) -> int:
    from xqr.services.demands import run_reminders
    from xqr.settings import get_settings

    settings = get_settings()
    report = asyncio.run(run_reminders(settings.demand_untaken_working_days, settings.demand_expiry_notice_days))
    print(f"已过期 {report.expired} 条，到期提醒 {report.expiry_reminders} 条，无人接单提醒 {report.flagged} 条")
    return 0
