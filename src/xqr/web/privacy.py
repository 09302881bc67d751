"""The 个人信息保护指引 gate in front of pages that collect personal data.

Attach `requires_privacy_consent` to a handler (guards=[requires_privacy_consent]); a browser
without a consent to the current version is sent to /privacy/consent?next=<the page> first.
"""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect

from xqr.services.privacy import has_consented
from xqr.web import sessions
from xqr.web.render import is_htmx

CONSENT_PATH = "/privacy/consent"


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
    return sessions.session_of(connection).data.get("visitor_id")


async def consent_given(connection: ASGIConnection) -> bool:
    user = connection.scope.get("user")
    return await has_consented(user.id if user else None, visitor_id_of(connection))


async def requires_privacy_consent(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if not await consent_given(connection):
        target = connection.url.path + (f"?{connection.url.query}" if connection.url.query else "")
        raise PrivacyConsentRequired(target if connection.method in {"GET", "HEAD"} else connection.url.path)


async def entry_href(connection: ASGIConnection, target: str) -> str:
    """Where a link into personal-data pages should point: through the guide when it is still needed."""
    return target if await consent_given(connection) else consent_url(target)


def on_privacy_consent_required(request: Request, exc: PrivacyConsentRequired) -> Response:
    url = consent_url(exc.next_path)
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Location": url})
    return Redirect(path=url, status_code=303)
