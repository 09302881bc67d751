"""An HTTP test client that behaves like a browser: cookies, CSRF header, form posts."""

from __future__ import annotations

import re
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

CSRF_COOKIE = "csrftoken"


class WebClient:
    def __init__(self, raw: AsyncTestClient) -> None:
        self.raw = raw

    @property
    def cookies(self) -> httpx.Cookies:
        return self.raw.cookies

    async def get(self, url: str, *, htmx: bool = False, **kwargs: Any) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), **({"HX-Request": "true"} if htmx else {})}
        return await self.raw.get(url, headers=headers, **kwargs)

    async def csrf_token(self) -> str:
        if CSRF_COOKIE not in self.raw.cookies:
            await self.raw.get("/")
        return self.raw.cookies[CSRF_COOKIE]

    async def post(
        self, url: str, data: dict | None = None, *, htmx: bool = False, files: dict | None = None, csrf: bool = True, **kwargs: Any
    ) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf:
            headers["x-csrftoken"] = await self.csrf_token()
        if htmx:
            headers["HX-Request"] = "true"
        return await self.raw.post(url, data=data or {}, files=files, headers=headers, **kwargs)


def text_of(response: httpx.Response) -> str:
    """The page's visible text, roughly: tags stripped, whitespace collapsed."""
    without_tags = re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", response.text, flags=re.S)
    return re.sub(r"\s+", " ", without_tags)


async def session_token_for(username: str) -> str:
    """A session cookie value logged in as `username`, made by the same session code the login uses.

    The login page is behind the 个人信息保护指引, so whoever logged in has agreed to it: so has this user.
    """
    from datetime import timedelta

    from xqr.services.privacy import has_consented, record_consent
    from xqr.tables.accounts import User
    from xqr.web import sessions

    user = await User.select(User.id).where(User.username_key == username.lower()).first()
    assert user is not None, f"no such user {username}"
    if not await has_consented(user["id"], None):
        await record_consent(user_id=user["id"], visitor_id="", ip="127.0.0.1", user_agent="test login")

    class _Connection:
        scope = {"state": {sessions.STATE_KEY: sessions.SessionState(None, None)}}
        client = None
        headers: dict = {}

    connection = _Connection()
    await sessions.login(connection, user["id"], timedelta(hours=1))  # type: ignore[arg-type]
    return connection.scope["state"][sessions.STATE_KEY].new_token


async def session_client_for(app: Litestar, username: str) -> WebClient:
    """A client already logged in as `username` (skips the SMS step; login has its own tests)."""
    from xqr.web import sessions

    token = await session_token_for(username)
    raw = AsyncTestClient(app=app, base_url="http://127.0.0.1:8000")
    await raw.__aenter__()
    raw.cookies.set(sessions.COOKIE_NAME, token)
    return WebClient(raw)
