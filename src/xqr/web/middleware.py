"""ASGI middleware: the session and user of each request, and security headers."""

from __future__ import annotations

from datetime import timedelta

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from xqr.services.users import load_current_user
from xqr.web import sessions

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, secure_cookies: bool, idle_minutes: int) -> None:
        self.secure_cookies = secure_cookies
        self.idle = timedelta(minutes=idle_minutes)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection = ASGIConnection(scope)
        token = connection.cookies.get(sessions.COOKIE_NAME)
        row = await sessions.load(token, self.idle)
        state = sessions.SessionState(row, token if row else None)
        scope.setdefault("state", {})[sessions.STATE_KEY] = state
        scope["user"] = await load_current_user(row["user"]) if row and row["user"] else None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                if state.new_token:
                    headers.add("set-cookie", self._cookie(state.new_token).to_header(header=""))
                elif (state.cleared or (token and row is None)) and token:
                    headers.add("set-cookie", self._cookie("", max_age=0).to_header(header=""))
            await send(message)

        await next_app(scope, receive, send_with_cookie)

    def _cookie(self, value: str, max_age: int | None = None) -> Cookie:
        return Cookie(
            key=sessions.COOKIE_NAME,
            value=value,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure_cookies,
            max_age=max_age,
        )


def security_headers(hsts: bool) -> dict[str, str]:
    headers = {
        "content-security-policy": CONTENT_SECURITY_POLICY,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "permissions-policy": "geolocation=(), microphone=(), camera=(self)",
    }
    if hsts:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return headers


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Headers on every response; errors raised before routing get them in web.errors."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, hsts: bool) -> None:
        self.hsts = hsts

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in security_headers(self.hsts).items():
                    headers[name] = value
            await send(message)

        await next_app(scope, receive, send_with_headers)
