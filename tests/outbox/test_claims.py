"""Claiming outbox rows: concurrent delivery loops send each message once; a dead loop's claim expires."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from tests.outbox.conftest import SmtpServer
from xqr.db import close_connection, prepare_connection, write_transaction
from xqr.gateways.mail import SmtpMailer
from xqr.gateways.sms import ConsoleSms
from xqr.services.outbox import enqueue_mail
from xqr.services.outbox_delivery import DeliveryReport, claim_due, deliver_due
from xqr.settings import SmtpSettings
from xqr.tables.messaging import Outbox

pytestmark = pytest.mark.usefixtures("db")


@pytest.fixture
async def pooled_connections():
    """As in the app: on PostgreSQL a connection pool (each loop's queries otherwise open a connection each)."""
    await prepare_connection(pool=True)
    yield
    await close_connection()


async def drain(mailer: SmtpMailer, worker_id: str, batch: int) -> DeliveryReport:
    """A delivery loop without the pauses: passes until nothing is left for it."""
    total = DeliveryReport()
    while (report := await deliver_due(mailer, ConsoleSms(), worker_id, batch)).claimed:
        total.sent += report.sent
        total.retrying += report.retrying
    return total


async def test_two_concurrent_delivery_loops_deliver_each_of_200_mails_exactly_once(smtp_server: SmtpServer, pooled_connections) -> None:
    count = 200
    async with write_transaction():
        for number in range(count):
            await enqueue_mail(f"user{number}@example.cn", f"第 {number} 号通知", f"通知正文 {number}")
    mailer = SmtpMailer(smtp_server.settings)

    first, second = await asyncio.gather(drain(mailer, "loop-1", 10), drain(mailer, "loop-2", 10))

    assert first.sent + second.sent == count
    assert first.sent > 0 and second.sent > 0, "both loops took part"
    assert first.retrying == second.retrying == 0
    inbox = smtp_server.inbox
    assert len(inbox.per_message_id) == count and set(inbox.per_message_id.values()) == {1}
    assert sorted(message["To"] for message in inbox.messages) == sorted(f"user{n}@example.cn" for n in range(count))
    rows = await Outbox.select(Outbox.status, Outbox.attempts)
    assert {(row["status"], row["attempts"]) for row in rows} == {("sent", 1)}


async def test_a_claimed_row_is_not_taken_by_another_loop_while_the_claim_holds() -> None:
    outbox_id = await enqueue_mail("hu@example.cn", "通知", "正文")

    assert [row["id"] for row in await claim_due("loop-1", 10)] == [outbox_id]
    assert await claim_due("loop-2", 10) == []


async def test_a_row_claimed_by_a_loop_that_died_is_delivered_once_its_claim_expires(smtp_server: SmtpServer) -> None:
    outbox_id = await enqueue_mail("deng@example.cn", "通知", "正文")
    await claim_due("crashed-loop", 10)  # ...and the process dies before sending
    mailer = SmtpMailer(smtp_server.settings)
    assert (await deliver_due(mailer, ConsoleSms(), "loop-2")).claimed == 0

    # The claim runs out (moved into the past instead of sleeping).
    await Outbox.update({Outbox.claimed_until: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(Outbox.id == outbox_id)
    report = await deliver_due(mailer, ConsoleSms(), "loop-2")

    assert report.sent == 1
    assert [message["To"] for message in smtp_server.inbox.messages] == ["deng@example.cn"]
    row = await Outbox.select().where(Outbox.id == outbox_id).first()
    assert (row["status"], row["claimed_by"]) == ("sent", "")


async def test_a_pass_takes_due_rows_oldest_first_and_at_most_its_batch() -> None:
    now = datetime.now(timezone.utc)
    ids = [await enqueue_mail(f"u{n}@example.cn", "通知", "正文") for n in range(4)]
    await Outbox.update({Outbox.next_attempt_at: now - timedelta(minutes=5)}).where(Outbox.id == ids[3])
    await Outbox.update({Outbox.next_attempt_at: now + timedelta(minutes=5)}).where(Outbox.id == ids[0])

    claimed = [row["id"] for row in await claim_due("loop-1", 2)]

    assert claimed == [ids[3], ids[1]]


async def test_a_loop_cancelled_mid_send_hands_its_claimed_rows_back() -> None:
    # An SMTP server that accepts connections and never says a word.
    silent = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    ids = [await enqueue_mail(f"slow{n}@example.cn", "通知", "正文") for n in range(3)]
    mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, tls="none"))
    delivery = asyncio.create_task(deliver_due(mailer, ConsoleSms(), "loop-1"))
    try:
        while not await Outbox.exists().where(Outbox.claimed_by == "loop-1"):
            await asyncio.sleep(0.01)
        delivery.cancel()
        with pytest.raises(asyncio.CancelledError):
            await delivery
    finally:
        silent.close()

    rows = await Outbox.select(Outbox.id, Outbox.status, Outbox.claimed_by, Outbox.attempts).order_by(Outbox.id)
    assert [(row["id"], row["status"], row["claimed_by"], row["attempts"]) for row in rows] == [
        (outbox_id, "pending", "", 0) for outbox_id in ids
    ]
    assert (await claim_due("loop-2", 10)) != [], "another loop may take them at once"
