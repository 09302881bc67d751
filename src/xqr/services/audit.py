"""The append-only audit log of staff actions."""

from __future__ import annotations

from datetime import datetime, timezone

from xqr.tables.accounts import AuditLog
from xqr.web.current_user import CurrentUser


async def record(actor: CurrentUser, action: str, target_type: str, target_id: int | str, detail: dict | None = None, ip: str = "") -> None:
    """One audit row, written in the caller's transaction so it exists exactly when the change does."""
    await AuditLog(
        actor=actor.id,
        actor_name=actor.username,
        actor_role=actor.role,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        detail=detail or {},
        ip=ip,
        created_at=datetime.now(timezone.utc),
    ).save()
