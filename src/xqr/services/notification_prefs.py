"""Notification preferences: which events a user wants by SMS and by e-mail.

In-app messages (我的消息) are always sent: they are the record of what happened. Code that
queues an SMS or an e-mail about one of EVENTS asks `wants` first; security notices and
verification codes are not preferences and never ask.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping

from xqr.db import write_transaction
from xqr.tables.preferences import NotificationPreference

INAPP = "inapp"
CHANNELS = {"sms": "短信", "mail": "邮件"}
#: event → (label, roles whose users receive it)
EVENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "certification": ("认证结果", ("enterprise",)),
    "application": ("申请进度", ("enterprise",)),
    "demand": ("需求动态", ("enterprise",)),
    "new_application": ("新的融资申请", ("institution",)),
    "demand_dispatch": ("需求派单", ("institution",)),
    "certification_queue": ("待审核的认证", ("reviewer",)),
    "demand_flagged": ("超时未接单的需求", ("admin",)),
}


def events_for(role: str) -> dict[str, str]:
    """The events a user of this role can hear about, key → label."""
    return {key: label for key, (label, roles) in EVENTS.items() if role in roles}


def _key(user_id: int, channel: str, event: str) -> str:
    return f"{user_id}:{channel}:{event}"


async def wants(user_id: int, channel: str, event: str) -> bool:
    """Whether to send this user `event` over `channel` ("sms", "mail" or "inapp"); on unless turned off."""
    if channel == INAPP:
        return True
    if channel not in CHANNELS or event not in EVENTS:
        raise ValueError(f"unknown notification {channel!r}/{event!r}")
    row = await NotificationPreference.select(NotificationPreference.enabled).where(
        NotificationPreference.choice_key == _key(user_id, channel, event)
    ).first()
    return True if row is None else row["enabled"]


async def choices(user_id: int, role: str) -> dict[str, dict[str, bool]]:
    """event → channel → on/off for every event of the role."""
    rows = await NotificationPreference.select(
        NotificationPreference.channel, NotificationPreference.event, NotificationPreference.enabled
    ).where(NotificationPreference.user == user_id)
    saved = {(row["channel"], row["event"]): row["enabled"] for row in rows}
    return {event: {channel: saved.get((channel, event), True) for channel in CHANNELS} for event in events_for(role)}


def checked_choices(role: str, form: Mapping[str, str]) -> dict[str, dict[str, bool]]:
    """The form's checkboxes (name "<channel>:<event>"); an unchecked box is absent, so it means off."""
    return {event: {channel: form.get(f"{channel}:{event}") == "on" for channel in CHANNELS} for event in events_for(role)}


async def save_choices(user_id: int, role: str, form: Mapping[str, str]) -> None:
    """Store every channel × event choice of the role from the submitted form."""
    moment = datetime.now(timezone.utc)
    rows = [
        NotificationPreference(
            user=user_id, channel=channel, event=event, choice_key=_key(user_id, channel, event), enabled=enabled, updated_at=moment
        )
        for event, by_channel in checked_choices(role, form).items()
        for channel, enabled in by_channel.items()
    ]
    async with write_transaction():
        await NotificationPreference.delete().where(NotificationPreference.user == user_id)
        if rows:
            await NotificationPreference.insert(*rows)
