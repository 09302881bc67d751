"""The outbox: SMS and e-mail written in the caller's transaction, delivered later by the delivery loop."""

from __future__ import annotations

from datetime import datetime, timezone

from xqr.tables.messaging import Message, Outbox


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def enqueue_sms(phone: str, text: str, *, purpose: str = "") -> int:
    row = Outbox(channel="sms", recipient=phone, body_text=text, purpose=purpose, next_attempt_at=_now(), created_at=_now())
    await row.save()
    return row.id


async def enqueue_mail(address: str, subject: str, text: str, html: str = "", *, purpose: str = "") -> int:
    row = Outbox(
        channel="mail",
        recipient=address,
        subject=subject,
        body_text=text,
        body_html=html,
        purpose=purpose,
        next_attempt_at=_now(),
        created_at=_now(),
    )
    await row.save()
    return row.id


async def post_message(user_id: int, title: str, body: str = "", link: str = "") -> int:
    """An in-app message in 我的消息; written in the caller's transaction, so it is delivered by being saved."""
    row = Message(recipient=user_id, title=title, body=body, link=link, created_at=_now())
    await row.save()
    return row.id


async def recent_outbox(limit: int) -> list[dict]:
    return await Outbox.select().order_by(Outbox.id, ascending=False).limit(limit)
