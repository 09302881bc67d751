"""The 个人信息保护指引 gate in front of pages that collect personal data.

Attach `requires_privacy_consent` to a handler (guards=[requires_privacy_consent]); a browser
without a consent to the current version is sent to /privacy/consent?next=<the page> first.

A browser is known by a long-lived cookie of its own, not by the session: a session ends at logout
and after 30 idle minutes, and the guide must not be asked again until its version changes.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from xqr.services.privacy import has_consented
from xqr.web.render import is_htmx

CONSENT_PATH = "/privacy/consent"
VISITOR_COOKIE = "xqr_visitor"
VISITOR_COOKIE_DAYS = 365


class PrivacyConsentRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def safe_next(value: str | None, default: str = "/") -> str:
    """Only a path on this site: never an absolute or protocol-relative URL (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def consent_url(next_path: str) -> str:
    return f"{CONSENT_PATH}?next={quote(next_path, safe='/')}"


def visitor_id_of(connection: ASGIConnection) -> str | None:
    return connection.cookies.get(VISITOR_COOKIE) or None


def visitor_cookie(visitor_id: str, secure: bool) -> Cookie:
    return Cookie(
        key=VISITOR_COOKIE, value=visitor_id, path="/", httponly=True, samesite="lax", secure=secure,
        max_age=VISITOR_COOKIE_DAYS * 24 * 3600,
    )


async def consent_given(connection: ASGIConnection) -> bool:
    user = connection.scope.get("user")
    return await has_consented(user.id if user else None, visitor_id_of(connection))


def _return_path(connection: ASGIConnection) -> str:
    """Where to continue after agreeing: this page, or for a form post the page the form was on."""
    if connection.method in {"GET", "HEAD"}:
        return connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
    referer = urlsplit(connection.headers.get("referer", ""))
    same_site = referer.netloc == connection.url.netloc
    return safe_next(referer.path + (f"?{referer.query}" if referer.query else "")) if same_site else "/"


async def requires_privacy_consent(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not await consent_given(connection):
        raise PrivacyConsentRequired(_return_path(connection))


async def entry_href(connection: ASGIConnection, target: str) -> str:
    """Where a link into personal-data pages should point: through the guide when it is still needed."""
    return target if await consent_given(connection) else consent_url(target)


def on_privacy_consent_required(request: Request, exc: PrivacyConsentRequired) -> Response:
    url = consent_url(exc.next_path)
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Location": url})
    return Redirect(path=url, status_code=303)
