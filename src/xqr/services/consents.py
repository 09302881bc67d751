"""Consents: which document, which version, when, from where — one row each, in the caller's transaction."""

from __future__ import annotations

from datetime import datetime, timezone

from xqr.tables.accounts import Consent


async def record_consent(
    document: str,
    version: str,
    *,
    user_id: int | None = None,
    visitor_id: str = "",
    subject: str = "",
    ip: str = "",
    user_agent: str = "",
) -> int:
    consent = Consent(
        user=user_id,
        visitor_id=visitor_id,
        document=document,
        version=version,
        subject=subject,
        ip=ip,
        user_agent=user_agent[:300],
        created_at=datetime.now(timezone.utc),
    )
    await consent.save()
    return consent.id
