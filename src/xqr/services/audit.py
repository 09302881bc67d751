"""The append-only audit log: writing an entry, and reading it with filters (no update, no delete)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from xqr.tables.accounts import AuditLog, User
from xqr.web.current_user import CurrentUser

CHINA_TIME = timezone(timedelta(hours=8))
PAGE_SIZE = 50

#: what each action means, for the viewer (actions not listed show their code)
ACTION_LABELS = {
    "demand.take": "接单",
    "demand.outcome": "记录对接结果",
    "demand.dispatch": "派单",
    "user.create": "创建账号",
    "user.disable": "停用账号",
    "user.enable": "启用账号",
    "user.reset_password": "重置密码",
}


async def record(
    actor: CurrentUser | None,
    action: str,
    target_type: str = "",
    target_id: int | str = "",
    detail: dict[str, Any] | None = None,
    ip: str = "",
) -> None:
    """One entry, written in the caller's transaction so the entry and the change land together."""
    await AuditLog(
        actor=actor.id if actor else None,
        actor_name=actor.username if actor else "",
        actor_role=actor.role if actor else "",
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
        ip=ip,
        created_at=datetime.now(timezone.utc),
    ).save()


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""  #: username, exact (case-insensitive)
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None  #: Beijing dates, inclusive
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TIME)


async def search(filters: AuditFilter, page: int = 1) -> tuple[list[dict], int]:
    """Entries matching the filters, newest first, and how many match in all."""
    conditions = []
    if filters.actor:
        user = await User.select(User.id).where(User.username_key == filters.actor.strip().lower()).first()
        conditions.append(AuditLog.actor == (user["id"] if user else -1))
    if filters.action:
        conditions.append(AuditLog.action == filters.action)
    if filters.target_type:
        conditions.append(AuditLog.target_type == filters.target_type)
    if filters.target_id:
        conditions.append(AuditLog.target_id == filters.target_id.strip())
    if filters.date_from:
        conditions.append(AuditLog.created_at >= _day_start(filters.date_from))
    if filters.date_to:
        conditions.append(AuditLog.created_at < _day_start(filters.date_to + timedelta(days=1)))
    query = AuditLog.select().order_by(AuditLog.id, ascending=False)
    count = AuditLog.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.output(load_json=True).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    for row in rows:
        row["action_label"] = ACTION_LABELS.get(row["action"], row["action"])
    return rows, await count


async def known_actions() -> list[tuple[str, str]]:
    """Actions present in the log, for the filter's choices."""
    rows = await AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action)
    return [(row["action"], ACTION_LABELS.get(row["action"], row["action"])) for row in rows]
