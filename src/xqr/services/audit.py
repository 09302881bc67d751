"""The append-only audit log of staff actions."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from xqr.tables.accounts import AuditLog
from xqr.web.current_user import CurrentUser


async def record(actor: CurrentUser, action: str, target_type: str, target_id: int | str, detail: dict[str, Any], ip: str) -> None:
    """One row, written in the caller's transaction so the log never claims an action that rolled back."""
    await AuditLog(
        actor=actor.id,
        actor_name=actor.username,
        actor_role=actor.role,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail,
        ip=ip,
        created_at=datetime.now(timezone.utc),
    ).save()
