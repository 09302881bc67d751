"""个人信息保护指引: its version, and who has agreed to it.

A browser that has not logged in is known by the visitor_id its session holds; once logged in,
a consent given by the user on any device counts too. A new version asks everyone again.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from xqr.tables.accounts import Consent
from xqr.services import consents

#: Change it whenever the guide's content changes (PIPL Art. 14, 17): everyone is asked again.
PRIVACY_GUIDE_VERSION = "2026-11"
DOCUMENT = "privacy_guide"


def new_visitor_id() -> str:
    return secrets.token_urlsafe(24)


def _given_by(user_id: int | None, visitor_id: str | None):
    who = None
    if visitor_id:
        who = Consent.visitor_id == visitor_id
    if user_id is not None:
        who = (Consent.user == user_id) if who is None else (who | (Consent.user == user_id))
    return who


async def has_consented(user_id: int | None, visitor_id: str | None) -> bool:
    """Whether this user or browser agreed to the current version and has not withdrawn."""
    who = _given_by(user_id, visitor_id)
    if who is None:
        return False
    return await Consent.exists().where(
        (Consent.document == DOCUMENT) & (Consent.version == PRIVACY_GUIDE_VERSION) & Consent.revoked_at.is_null() & who
    )


async def record_consent(*, user_id: int | None, visitor_id: str, ip: str, user_agent: str) -> int:
    """Store an agreement to the current version: when, from which address and browser."""
    return await consents.record_consent(
        DOCUMENT, PRIVACY_GUIDE_VERSION, user_id=user_id, visitor_id=visitor_id, ip=ip, user_agent=user_agent
    )


async def withdraw_consent(user_id: int | None, visitor_id: str | None) -> int:
    """Withdraw every standing consent to the guide of this user or browser (PIPL Art. 15)."""
    who = _given_by(user_id, visitor_id)
    if who is None:
        return 0
    withdrawn = await Consent.update({Consent.revoked_at: datetime.now(timezone.utc)}).where(
        (Consent.document == DOCUMENT) & Consent.revoked_at.is_null() & who
    ).returning(Consent.id)
    return len(withdrawn)
