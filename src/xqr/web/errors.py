"""Error pages in Chinese; HTMX requests get a message the page shows as a toast."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from xqr.services.errors import Conflict, DomainError, Forbidden, NotFound
from xqr.web.guards import CHANGE_PASSWORD_PATH, PasswordChangeRequired
from xqr.web.middleware import security_headers
from xqr.web.render import is_htmx

logger = logging.getLogger("xqr.errors")

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "没有权限",
    404: "页面不存在",
    405: "请求方式不被允许",
    409: "操作冲突",
    413: "文件太大",
    429: "操作太频繁",
    500: "服务器开小差了",
}

DEFAULT_DETAILS = {
    400: "提交的内容无法处理，请检查后重试。",
    403: "您没有权限执行此操作。",
    404: "您访问的页面不存在或已被删除。",
    500: "服务器遇到了问题，请稍后再试。我们已记录此错误。",
}


def error_response(request: Request, status: int, detail: str | None = None) -> Response:
    # Routing errors (404, 405) happen before our middleware ran: nobody is logged in then.
    request.scope.setdefault("user", None)
    title = TITLES.get(status, "出错了")
    detail = detail or DEFAULT_DETAILS.get(status, title)
    # Setting a header twice is harmless; errors raised before routing have no other source of them.
    headers = security_headers(hsts=request.app.state.settings.is_prod)
    if is_htmx(request):
        return Template(
            template_name="errors/_toast.html",
            context={"title": title, "detail": detail},
            status_code=status,
            headers={**headers, "HX-Retarget": "#toast", "HX-Reswap": "innerHTML"},
        )
    return Template(
        template_name="errors/error.html",
        context={"status": status, "title": title, "detail": detail},
        status_code=status,
        headers=headers,
    )


def _chinese_detail(exc: HTTPException) -> str | None:
    """Our own messages are Chinese; Litestar's English ones are replaced by the default."""
    detail = exc.detail or ""
    return detail if any("\u4e00" <= ch <= "\u9fff" for ch in detail) else None


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    return error_response(request, exc.status_code, _chinese_detail(exc))


def on_not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    if request.method not in {"GET", "HEAD"}:
        return error_response(request, 401, "登录已过期，请重新登录后再操作。")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login_url = f"/login?next={quote(target)}"
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Location": login_url})
    return Redirect(path=login_url, status_code=303)


def on_password_change_required(request: Request, exc: PasswordChangeRequired) -> Response:
    if is_htmx(request):
        return Response(content=b"", status_code=200, headers={"HX-Location": CHANGE_PASSWORD_PATH})
    return Redirect(path=CHANGE_PASSWORD_PATH, status_code=303)


def on_domain_error(request: Request, exc: DomainError) -> Response:
    status = {NotFound: 404, Forbidden: 403, Conflict: 409}.get(type(exc), 400)
    return error_response(request, status, str(exc) or None)


def on_server_error(request: Request, exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, HTTP_500_INTERNAL_SERVER_ERROR)


def exception_handlers() -> dict:
    return {
        NotAuthorizedException: on_not_authorized,
        PasswordChangeRequired: on_password_change_required,
        HTTPException: on_http_exception,
        DomainError: on_domain_error,
        HTTP_500_INTERNAL_SERVER_ERROR: on_server_error,
    }
