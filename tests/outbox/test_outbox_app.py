"""The outbox in the running app: /dev/outbox, the delivery loop in the lifespan, and the operators' commands."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import datetime, timezone

import pytest
from litestar.testing import AsyncTestClient

from tests.outbox.conftest import SmtpServer
from tests.support.browser import run
from xqr.app import create_app
from xqr.cli import main
from xqr.db import engine
from xqr.gateways.mail import SmtpMailer
from xqr.gateways.sms import ConsoleSms
from xqr.services.errors import Conflict, NotFound
from xqr.services.outbox import enqueue_mail, enqueue_sms_code
from xqr.services.outbox_delivery import retry, run_delivery_loop
from xqr.tables.messaging import Outbox


async def wait_until_sent(outbox_id: int, seconds: float = 10) -> dict:
    """The loop runs in the background: poll its result rather than guess a sleep."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        row = await Outbox.select().where(Outbox.id == outbox_id).first()
        if row["status"] == "sent" or asyncio.get_running_loop().time() > deadline:
            return row
        await asyncio.sleep(0.05)


@pytest.mark.usefixtures("db")
async def test_dev_outbox_lists_sms_and_mail_newest_first(client) -> None:
    await enqueue_sms_code("13800001111", "246810", 5)
    await enqueue_mail("first@example.cn", "认证结果通知", "您的企业认证已通过。")
    await enqueue_sms_code("13800002222", "135790", 5)

    response = await client.get("/dev/outbox")

    assert response.status_code == 200
    assert re.findall(r'data-recipient="([^"]+)"', response.text) == ["13800002222", "first@example.cn", "13800001111"]
    assert "135790" in response.text and "246810" in response.text
    assert "认证结果通知" in response.text and "您的企业认证已通过。" in response.text
    assert "短信" in response.text and "邮件" in response.text


@pytest.mark.usefixtures("db")
async def test_dev_outbox_is_404_when_dev_pages_are_off(settings) -> None:
    await enqueue_sms_code("13800001111", "246810", 5)
    app = create_app(dataclasses.replace(settings, dev_pages=False))

    async with AsyncTestClient(app=app) as client:
        response = await client.get("/dev/outbox")

    assert response.status_code == 404
    assert "246810" not in response.text


@pytest.mark.usefixtures("db")
async def test_the_app_delivers_the_outbox_in_the_background_while_it_runs(settings, smtp_server: SmtpServer) -> None:
    app = create_app(dataclasses.replace(settings, smtp=smtp_server.settings, outbox_interval_seconds=0.05))
    assert isinstance(app.state.mailer, SmtpMailer) and isinstance(app.state.sms, ConsoleSms)

    async with AsyncTestClient(app=app):
        outbox_id = await enqueue_mail("bg@example.cn", "后台发送", "由应用的发送循环发出")
        row = await wait_until_sent(outbox_id)
        assert [task.get_name() for task in app.state.background_tasks] == ["outbox delivery", "demand reminders"]

    assert row["status"] == "sent"
    assert [message["Subject"] for message in smtp_server.inbox.messages] == ["后台发送"]
    assert "background_tasks" not in app.state, "the loops stop with the app"


@pytest.mark.usefixtures("db")
async def test_an_outbox_interval_of_zero_runs_no_loop_in_the_app(settings) -> None:
    app = create_app(dataclasses.replace(settings, outbox_interval_seconds=0))

    async with AsyncTestClient(app=app):
        assert "background_tasks" not in app.state


@pytest.mark.usefixtures("db")
async def test_the_delivery_loop_survives_a_database_failure_and_delivers_afterwards(smtp_server: SmtpServer) -> None:
    outbox_id = await enqueue_mail("after@example.cn", "故障之后", "数据库恢复后照常发送")
    await engine().run_ddl("ALTER TABLE outbox RENAME TO outbox_away")
    loop = asyncio.create_task(run_delivery_loop(SmtpMailer(smtp_server.settings), ConsoleSms(), 0.02, worker_id="loop-1"))
    try:
        await asyncio.sleep(0.3)  # several passes fail: the table is gone
        assert not loop.done()
        await engine().run_ddl("ALTER TABLE outbox_away RENAME TO outbox")
        row = await wait_until_sent(outbox_id)
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop

    assert row["status"] == "sent"
    assert len(smtp_server.inbox.messages) == 1


@pytest.mark.usefixtures("db")
async def test_retry_gives_a_failed_message_a_fresh_set_of_attempts() -> None:
    outbox_id = await enqueue_mail("retry@example.cn", "通知", "正文")
    await Outbox.update({Outbox.status: "failed", Outbox.attempts: 8, Outbox.last_error: "SMTP 535 认证失败"}).where(
        Outbox.id == outbox_id
    )

    await retry(outbox_id)

    row = await Outbox.select().where(Outbox.id == outbox_id).first()
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert row["next_attempt_at"] <= datetime.now(timezone.utc)
    assert row["last_error"] == "SMTP 535 认证失败", "kept until the next attempt says otherwise"


@pytest.mark.usefixtures("db")
async def test_retry_refuses_a_sent_message_and_an_unknown_id() -> None:
    outbox_id = await enqueue_mail("sent@example.cn", "通知", "正文")
    await Outbox.update({Outbox.status: "sent"}).where(Outbox.id == outbox_id)

    with pytest.raises(Conflict):
        await retry(outbox_id)
    with pytest.raises(NotFound):
        await retry(outbox_id + 1000)


async def status_of(outbox_id: int) -> str:
    return (await Outbox.select(Outbox.status).where(Outbox.id == outbox_id).first())["status"]


@pytest.mark.usefixtures("browser_db")
def test_the_outbox_commands_deliver_and_retry(capsys) -> None:
    outbox_id = run(enqueue_mail("cli@example.cn", "通知", "正文"))

    assert main(["outbox", "deliver"]) == 0
    assert "已发送 1 条" in capsys.readouterr().out
    assert run(status_of(outbox_id)) == "sent"

    assert main(["outbox", "retry", str(outbox_id)]) == 2
    assert "已发送" in capsys.readouterr().err
    run(Outbox.update({Outbox.status: "failed"}).where(Outbox.id == outbox_id).run())
    assert main(["outbox", "retry", str(outbox_id)]) == 0
    assert run(status_of(outbox_id)) == "pending"
