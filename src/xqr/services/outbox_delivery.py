"""Delivering the outbox: claim due rows, send them, record the outcome, back off on failure.

Several delivery loops may run at once (one per app process, plus `xqr outbox deliver`). A loop
claims rows by writing its id and a claim deadline onto them; on PostgreSQL the claiming SELECT
takes row locks with SKIP LOCKED so two loops never pick the same row, on SQLite the claim runs
under BEGIN IMMEDIATE, which lets one writer at a time in. A loop that dies after claiming leaves
rows whose claim simply expires, and another loop takes them: nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from piccolo.columns.combination import Combinable

from xqr.db import is_sqlite, write_transaction
from xqr.gateways import SendFailed
from xqr.gateways.mail import Mailer
from xqr.gateways.sms import SmsSender
from xqr.services.errors import Conflict, NotFound
from xqr.services.outbox import outlived
from xqr.tables.messaging import Outbox

logger = logging.getLogger("xqr.outbox")

MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
#: how long one send may take; a send that overruns is abandoned and retried later
SEND_TIMEOUT_SECONDS = 60
#: how long a claim holds; a loop stops sending (and releases the rest) before its claim runs out,
#: so a row is only taken over from a loop that died
CLAIM_SECONDS = 600
DEFAULT_BATCH = 50
ERROR_MAX_CHARS = 2000


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0

    @property
    def claimed(self) -> int:
        return self.sent + self.retrying + self.failed + self.released


def _now() -> datetime:
    return datetime.now(timezone.utc)


def default_worker_id() -> str:
    """Unique per process and start: host, pid and a random part (pids repeat across containers)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(4)}"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min... capped at an hour, jittered so that retries after an outage spread out."""
    delay = min(BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=delay * random.uniform(0.75, 1.25))


def _due(now: datetime) -> Combinable:
    unclaimed = Outbox.claimed_until.is_null() | (Outbox.claimed_until < now)
    return (Outbox.status == "pending") & (Outbox.next_attempt_at <= now) & unclaimed


async def claim_due(worker_id: str, batch: int) -> list[dict]:
    """Take up to `batch` due rows for this worker, oldest due first."""
    now = _now()
    # A plain read first: an idle outbox then costs no write lock (SQLite has one for the whole file).
    if not await Outbox.exists().where(_due(now)):
        return []
    async with write_transaction():
        query = Outbox.select(Outbox.id).where(_due(now)).order_by(Outbox.next_attempt_at).order_by(Outbox.id).limit(batch)
        if not is_sqlite():
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [row["id"] for row in await query]
        if not ids:
            return []
        await Outbox.update(
            {Outbox.claimed_by: worker_id, Outbox.claimed_until: now + timedelta(seconds=CLAIM_SECONDS)}
        ).where(Outbox.id.is_in(ids) & _due(now))
        rows = await Outbox.select().where(Outbox.id.is_in(ids) & (Outbox.claimed_by == worker_id))
    position = {outbox_id: index for index, outbox_id in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row["id"]])


def _reference(row: dict) -> str:
    """Our name for the message, the same on every attempt (no personal data: it travels to providers)."""
    stamp = int(row["created_at"].timestamp() * 1_000_000)
    return f"outbox.{row['id']}.{stamp}"


async def _send(row: dict, mailer: Mailer, sms: SmsSender) -> str:
    reference = _reference(row)
    if row["channel"] == "mail":
        send = mailer.send(row["recipient"], row["subject"], row["body_text"], row["body_html"], reference=reference)
    elif row["channel"] == "sms":
        params = json.loads(row["params"] or "[]")
        send = sms.send(row["recipient"], row["body_text"], row["purpose"], params, reference=reference)
    else:
        raise SendFailed(f"unknown outbox channel {row['channel']!r}", permanent=True)
    return await asyncio.wait_for(send, timeout=SEND_TIMEOUT_SECONDS)


class Outlived(SendFailed):
    def __init__(self) -> None:
        # A code that arrives after it expired only confuses: the user asks for a new one.
        super().__init__("验证码已过期，不再发送", permanent=True)


def _describe(error: BaseException) -> str:
    if isinstance(error, SendFailed):
        text = str(error)
    elif isinstance(error, TimeoutError) and not str(error):
        text = f"发送超时（{SEND_TIMEOUT_SECONDS} 秒无应答）"
    else:
        text = f"{type(error).__name__}: {error}"
    return text[:ERROR_MAX_CHARS]


def _mine(row: dict, worker_id: str) -> Combinable:
    # Only while the claim is still ours: never overwrite the work of a loop that took the row over.
    return (Outbox.id == row["id"]) & (Outbox.claimed_by == worker_id)


async def _record_sent(row: dict, worker_id: str, note: str) -> None:
    await Outbox.update(
        {
            Outbox.status: "sent",
            Outbox.sent_at: _now(),
            Outbox.attempts: row["attempts"] + 1,
            Outbox.note: (note or "")[:200],
            Outbox.claimed_by: "",
            Outbox.claimed_until: None,
        }
    ).where(_mine(row, worker_id))


async def _record_failure(row: dict, worker_id: str, error: BaseException) -> str:
    attempts = row["attempts"] + 1
    permanent = isinstance(error, SendFailed) and error.permanent
    status = "failed" if permanent or attempts >= MAX_ATTEMPTS else "pending"
    await Outbox.update(
        {
            Outbox.status: status,
            Outbox.attempts: attempts,
            Outbox.last_error: _describe(error),
            Outbox.next_attempt_at: _now() + backoff(attempts),
            Outbox.claimed_by: "",
            Outbox.claimed_until: None,
        }
    ).where(_mine(row, worker_id))
    return status


async def _release(ids: list[int], worker_id: str) -> None:
    await Outbox.update({Outbox.claimed_by: "", Outbox.claimed_until: None}).where(
        Outbox.id.is_in(ids) & (Outbox.claimed_by == worker_id)
    )


async def deliver_due(mailer: Mailer, sms: SmsSender, worker_id: str, batch: int = DEFAULT_BATCH) -> DeliveryReport:
    """One pass: claim what is due, send it, record each outcome."""
    report = DeliveryReport()
    rows = await claim_due(worker_id, batch)
    if not rows:
        return report
    # Stop before a send could outlive the claim; the rest goes back for the next pass.
    send_until = _now() + timedelta(seconds=CLAIM_SECONDS - SEND_TIMEOUT_SECONDS - 30)
    for index, row in enumerate(rows):
        if _now() > send_until:
            await _release([later["id"] for later in rows[index:]], worker_id)
            report.released = len(rows) - index
            break
        try:
            if outlived(row, _now()):
                raise Outlived()
            note = await _send(row, mailer, sms)
        except asyncio.CancelledError:
            # The app is shutting down: hand back what this pass will not finish, so that another
            # process need not wait for the claim to run out. (The interrupted send may have
            # reached the server: it is sent again, which is the lesser evil than losing it.)
            await asyncio.shield(_release([later["id"] for later in rows[index:]], worker_id))
            raise
        except Exception as error:  # noqa: BLE001 - any failure of one message is that message's error
            status = await _record_failure(row, worker_id, error)
            logger.warning(
                "outbox %s (%s to %s) attempt %s failed%s: %s",
                row["id"], row["channel"], row["recipient"], row["attempts"] + 1,
                ", giving up" if status == "failed" else "", _describe(error),
            )
            if status == "failed":
                report.failed += 1
            else:
                report.retrying += 1
            continue
        await _record_sent(row, worker_id, note)
        report.sent += 1
    return report


async def run_delivery_loop(
    mailer: Mailer, sms: SmsSender, interval_seconds: float, *, worker_id: str | None = None, batch: int = DEFAULT_BATCH
) -> None:
    """Deliver forever: a pass, then a pause unless the batch came back full. Survives any error but cancellation."""
    worker_id = worker_id or default_worker_id()
    logger.info("outbox delivery loop %s started (every %ss)", worker_id, interval_seconds)
    while True:
        try:
            report = await deliver_due(mailer, sms, worker_id, batch)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - a database hiccup must not end delivery for the process's life
            logger.exception("outbox delivery pass failed; trying again in %ss", interval_seconds)
            report = DeliveryReport()
        if report.claimed < batch:
            await asyncio.sleep(interval_seconds)


async def retry(outbox_id: int) -> None:
    """Operators: send a failed (or waiting) message again now, with a fresh set of attempts."""
    async with write_transaction():
        row = await Outbox.select(Outbox.status).where(Outbox.id == outbox_id).first()
        if row is None:
            raise NotFound(f"发件箱中没有编号为 {outbox_id} 的消息")
        if row["status"] == "sent":
            raise Conflict(f"消息 {outbox_id} 已发送，不再重发")
        await Outbox.update(
            {Outbox.status: "pending", Outbox.attempts: 0, Outbox.next_attempt_at: _now(), Outbox.claimed_by: "", Outbox.claimed_until: None}
        ).where(Outbox.id == outbox_id)
