"""我的消息: a user's inbox of in-app messages."""

from __future__ import annotations

from xqr.services.errors import NotFound
from xqr.tables.messaging import Message

INBOX_LIMIT = 200


async def inbox(user_id: int) -> list[dict]:
    """Newest first."""
    return await (
        Message.select()
        .where(Message.recipient == user_id)
        .order_by(Message.created_at, ascending=False)
        .order_by(Message.id, ascending=False)
        .limit(INBOX_LIMIT)
    )


async def open_message(user_id: int, message_id: int) -> dict:
    """The message, marked read; another user's message does not exist for this one."""
    row = await Message.select().where((Message.id == message_id) & (Message.recipient == user_id)).first()
    if row is None:
        raise NotFound("消息不存在")
    if not row["is_read"]:
        await Message.update({Message.is_read: True}).where(Message.id == message_id)
        row["is_read"] = True
    return row


async def mark_all_read(user_id: int) -> None:
    await Message.update({Message.is_read: True}).where((Message.recipient == user_id) & (Message.is_read.eq(False)))
