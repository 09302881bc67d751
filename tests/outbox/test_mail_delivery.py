"""Mail from the outbox through aiosmtplib to an SMTP server on loopback: delivery, retries, giving up."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.outbox.conftest import SmtpServer, outbox_row
from xqr.db import write_transaction
from xqr.gateways.mail import OutboxOnlyMailer, SmtpMailer, make_mailer
from xqr.gateways.sms import ConsoleSms
from xqr.services.outbox import enqueue_mail, post_message, queue_mail
from xqr.services.outbox_delivery import MAX_ATTEMPTS, deliver_due
from xqr.tables.accounts import User
from xqr.tables.messaging import Message, Outbox

pytestmark = pytest.mark.usefixtures("db")


async def make_due(outbox_id: int) -> None:
    """What the passing of the backoff time would do, without sleeping through it."""
    await Outbox.update({Outbox.next_attempt_at: datetime.now(timezone.utc)}).where(Outbox.id == outbox_id)


async def queue_check_mail(address: str) -> int:
    async with write_transaction():
        return await queue_mail(address, "smtp_check", {"smtp_host": "smtp.example.cn", "base_url": "https://xqr.example.cn"})


async def test_a_templated_mail_arrives_with_subject_text_and_html_in_chinese(smtp_server: SmtpServer) -> None:
    outbox_id = await queue_check_mail("张经理 <zhang@example.cn>")

    report = await deliver_due(SmtpMailer(smtp_server.settings), ConsoleSms(), "worker-a")

    assert report.sent == 1
    [message] = smtp_server.inbox.messages
    assert message["Subject"] == "湘企融邮件设置测试"
    assert message["To"] == "张经理 <zhang@example.cn>"
    assert message["From"] == "湘企融 <noreply@xqr.test>"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "这是湘企融平台发出的测试邮件" in text and "smtp.example.cn" in text
    assert "<p>这是湘企融平台发出的测试邮件" in html and 'href="https://xqr.example.cn"' in html
    row = await outbox_row(outbox_id)
    assert (row["status"], row["attempts"], row["last_error"], row["claimed_by"]) == ("sent", 1, "", "")
    assert row["sent_at"] is not None


async def test_a_mail_without_html_goes_as_plain_text(smtp_server: SmtpServer) -> None:
    await enqueue_mail("li@example.cn", "您的申请已受理", "您好，您的融资申请已受理。")

    await deliver_due(SmtpMailer(smtp_server.settings), ConsoleSms(), "worker-a")

    [message] = smtp_server.inbox.messages
    assert message.get_content_type() == "text/plain"
    assert message.get_content().strip() == "您好，您的融资申请已受理。"


async def test_a_mail_is_retried_after_the_smtp_server_was_down_and_delivered_once(smtp_server: SmtpServer) -> None:
    mailer = SmtpMailer(smtp_server.settings)
    await smtp_server.stop()
    outbox_id = await queue_check_mail("wang@example.cn")

    report = await deliver_due(mailer, ConsoleSms(), "worker-a")

    assert (report.sent, report.retrying) == (0, 1)
    row = await outbox_row(outbox_id)
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "Connect call failed" in row["last_error"] or "Connection refused" in row["last_error"]
    assert row["next_attempt_at"] > datetime.now(timezone.utc)
    assert row["claimed_by"] == "" and row["claimed_until"] is None

    await smtp_server.start()
    assert (await deliver_due(mailer, ConsoleSms(), "worker-a")).claimed == 0, "not due before its backoff ends"
    await make_due(outbox_id)
    report = await deliver_due(mailer, ConsoleSms(), "worker-a")

    assert report.sent == 1
    assert [m["To"] for m in smtp_server.inbox.messages] == ["wang@example.cn"]
    row = await outbox_row(outbox_id)
    assert (row["status"], row["attempts"]) == ("sent", 2)
    assert "Connect call failed" in row["last_error"] or "Connection refused" in row["last_error"], "the error stays as history"
    await make_due(outbox_id)
    assert (await deliver_due(mailer, ConsoleSms(), "worker-a")).claimed == 0, "a sent mail is not sent again"
    assert len(smtp_server.inbox.messages) == 1


async def test_a_mail_fails_for_good_after_the_last_attempt_and_keeps_its_error(smtp_server: SmtpServer) -> None:
    mailer = SmtpMailer(smtp_server.settings)
    await smtp_server.stop()
    outbox_id = await queue_check_mail("zhao@example.cn")

    for attempt in range(1, MAX_ATTEMPTS + 1):
        await make_due(outbox_id)
        await deliver_due(mailer, ConsoleSms(), "worker-a")
        row = await outbox_row(outbox_id)
        assert row["attempts"] == attempt
        assert row["status"] == ("failed" if attempt == MAX_ATTEMPTS else "pending")

    assert "127.0.0.1" in row["last_error"]
    await make_due(outbox_id)
    assert (await deliver_due(mailer, ConsoleSms(), "worker-a")).claimed == 0, "a failed mail waits for an operator"


async def test_a_recipient_refused_for_good_fails_at_once(smtp_server: SmtpServer) -> None:
    smtp_server.inbox.refuse.add("nobody@example.cn")
    refused = await enqueue_mail("nobody@example.cn", "通知", "正文")
    fine = await enqueue_mail("someone@example.cn", "通知", "正文")

    report = await deliver_due(SmtpMailer(smtp_server.settings), ConsoleSms(), "worker-a")

    assert (report.sent, report.failed) == (1, 1)
    row = await outbox_row(refused)
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "收件人被拒绝" in row["last_error"] and "550" in row["last_error"]
    assert (await outbox_row(fine))["status"] == "sent"


async def test_without_an_smtp_host_mail_stays_in_the_outbox_marked_sent_with_a_note(settings) -> None:
    mailer = make_mailer(settings)
    assert isinstance(mailer, OutboxOnlyMailer), "the test settings have no XQR_SMTP_HOST"
    outbox_id = await queue_check_mail("chen@example.cn")

    await deliver_due(mailer, ConsoleSms(), "worker-a")

    row = await outbox_row(outbox_id)
    assert row["status"] == "sent"
    assert "XQR_SMTP_HOST" in row["note"]


async def test_an_in_app_message_and_its_mail_roll_back_together_when_the_change_fails() -> None:
    user = User(username="Rollback", username_key="rollback", phone="13800000009", password_hash="x", role="enterprise",
                created_at=datetime.now(timezone.utc))
    await user.save()

    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed):
        async with write_transaction():
            await post_message(user.id, "认证审核未通过", "请补充营业执照后重新提交")
            await queue_check_mail("rollback@example.cn")
            raise ChangeFailed

    assert await Message.count().where(Message.recipient == user.id) == 0
    assert await Outbox.count() == 0

    async with write_transaction():
        await post_message(user.id, "认证审核未通过", "请补充营业执照后重新提交")
        await queue_check_mail("rollback@example.cn")
    assert await Message.count().where(Message.recipient == user.id) == 1
    assert await Outbox.count() == 1
