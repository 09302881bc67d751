"""Server-side sessions stored in the database.

Litestar's own server-side sessions keep an opaque blob per id; we need to find
and end every session of one user (password change, reset) and to rotate the
id at login, so the session row knows its user and the cookie carries a token
whose SHA-256 is the key.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from litestar.connection import ASGIConnection

from xqr.tables.accounts import WebSession

COOKIE_NAME = "xqr_session"
STATE_KEY = "xqr_session"
# Don't write last_seen_at on every request: a minute is fine for an idle timeout.
TOUCH_INTERVAL = timedelta(seconds=60)


def now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionState:
    """The session of one request; writes go straight to the database."""

    def __init__(self, row: dict | None, token: str | None) -> None:
        self.row = row
        self.token = token
        self.new_token: str | None = None
        self.cleared = False

    @property
    def user_id(self) -> int | None:
        return self.row["user"] if self.row else None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self.row["data"]) if self.row else {}


def session_of(connection: ASGIConnection) -> SessionState:
    return connection.scope["state"][STATE_KEY]


def _client(connection: ASGIConnection) -> tuple[str, str]:
    ip = connection.client.host if connection.client else ""
    return ip, connection.headers.get("user-agent", "")[:300]


async def load(token: str | None, idle: timedelta) -> dict | None:
    if not token:
        return None
    row = await WebSession.select().where(WebSession.token_hash == token_hash(token)).output(load_json=True).first()
    if row is None:
        return None
    moment = now()
    if row["expires_at"] <= moment or row["last_seen_at"] + idle <= moment:
        await WebSession.delete().where(WebSession.id == row["id"])
        return None
    if moment - row["last_seen_at"] >= TOUCH_INTERVAL:
        await WebSession.update({WebSession.last_seen_at: moment}).where(WebSession.id == row["id"])
    return row


async def _create(connection: ASGIConnection, user_id: int | None, data: dict, lifetime: timedelta) -> None:
    state = session_of(connection)
    token = secrets.token_urlsafe(32)
    ip, agent = _client(connection)
    moment = now()
    row = WebSession(
        token_hash=token_hash(token),
        user=user_id,
        data=data,
        ip=ip,
        user_agent=agent,
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + lifetime,
    )
    await row.save()
    state.row = {"id": row.id, "user": user_id, "data": data, "token_hash": row.token_hash}
    state.token = token
    state.new_token = token


async def set_values(connection: ASGIConnection, lifetime: timedelta, **values: Any) -> None:
    """Store values in the session, creating an anonymous one if needed."""
    state = session_of(connection)
    data = {**state.data, **values}
    data = {key: value for key, value in data.items() if value is not None}
    if state.row is None:
        await _create(connection, None, data, lifetime)
        return
    await WebSession.update({WebSession.data: data}).where(WebSession.id == state.row["id"])
    state.row = {**state.row, "data": data}


async def pop_value(connection: ASGIConnection, key: str) -> Any:
    state = session_of(connection)
    if key not in state.data:
        return None
    value = state.data[key]
    await set_values(connection, timedelta(hours=1), **{key: None})
    return value


async def login(connection: ASGIConnection, user_id: int, lifetime: timedelta) -> None:
    """Start an authenticated session under a new token (no session fixation)."""
    state = session_of(connection)
    carried = {k: v for k, v in state.data.items() if k in {"visitor_id"}}
    if state.row is not None:
        await WebSession.delete().where(WebSession.id == state.row["id"])
    await _create(connection, user_id, carried, lifetime)


async def logout(connection: ASGIConnection) -> None:
    state = session_of(connection)
    if state.row is not None:
        await WebSession.delete().where(WebSession.id == state.row["id"])
    state.row = None
    state.cleared = True


async def end_all_for_user(user_id: int, except_session_id: int | None = None) -> None:
    query = WebSession.delete().where(WebSession.user == user_id)
    if except_session_id is not None:
        query = query.where(WebSession.id != except_session_id)
    await query


async def purge_expired(idle: timedelta) -> int:
    moment = now()
    expired = await WebSession.select(WebSession.id).where(
        (WebSession.expires_at <= moment) | (WebSession.last_seen_at <= moment - idle)
    )
    if expired:
        await WebSession.delete().where(WebSession.id.is_in([r["id"] for r in expired]))
    return len(expired)
