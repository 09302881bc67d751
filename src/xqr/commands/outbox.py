"""xqr outbox deliver | retry ID | test-mail ADDRESS: the outbox for operators."""

from __future__ import annotations

import argparse
import asyncio
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    outbox = subparsers.add_parser("outbox", help="SMS and e-mail waiting for delivery")
    outbox_sub = outbox.add_subparsers(dest="outbox_command", required=True)
    deliver = outbox_sub.add_parser("deliver", help="deliver what is due now (one pass, as the app's loop does)")
    deliver.add_argument("--batch", type=int, default=200)
    deliver.set_defaults(handler=run_deliver)
    retry = outbox_sub.add_parser("retry", help="send a failed message again, with a fresh set of attempts")
    retry.add_argument("id", type=int)
    retry.set_defaults(handler=run_retry)
    test_mail = outbox_sub.add_parser("test-mail", help="queue a test e-mail and deliver it, to check the SMTP settings")
    test_mail.add_argument("address")
    test_mail.set_defaults(handler=run_test_mail)


async def _deliver(batch: int) -> None:
    from xqr.gateways.mail import make_mailer
    from xqr.gateways.sms import make_sms_sender
    from xqr.services.outbox_delivery import default_worker_id, deliver_due
    from xqr.settings import get_settings

    settings = get_settings()
    report = await deliver_due(make_mailer(settings), make_sms_sender(settings), default_worker_id(), batch)
    print(f"已发送 {report.sent} 条，待重试 {report.retrying} 条，失败 {report.failed} 条")


def run_deliver(args: argparse.Namespace) -> int:
    asyncio.run(_deliver(args.batch))
    return 0


def run_retry(args: argparse.Namespace) -> int:
    from xqr.services.errors import DomainError
    from xqr.services.outbox_delivery import retry

    try:
        asyncio.run(retry(args.id))
    except DomainError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    print(f"消息 {args.id} 将在下一轮发送")
    return 0


def run_test_mail(args: argparse.Namespace) -> int:
    from xqr.db import write_transaction
    from xqr.services.outbox import queue_mail
    from xqr.settings import get_settings
    from xqr.tables.messaging import Outbox

    settings = get_settings()

    async def queue_and_deliver() -> dict:
        async with write_transaction():
            outbox_id = await queue_mail(
                args.address, "smtp_check", {"smtp_host": settings.smtp.host or "未配置 SMTP", "base_url": settings.base_url}
            )
        await _deliver(200)
        return await Outbox.select().where(Outbox.id == outbox_id).first()

    row = asyncio.run(queue_and_deliver())
    if row["status"] == "sent":
        print(f"测试邮件 {row['id']} 已发送到 {row['recipient']}。{row['note']}")
        return 0
    print(f"测试邮件 {row['id']} 未发出：{row['last_error']}（之后会自动重试）", file=sys.stderr)
    return 1
