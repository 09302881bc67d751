"""Back-office pages whose feature is not built yet: they say so plainly instead of a dead link.

Remove a path here when its real controller lands.
"""

from litestar import Request, get
from litestar.response import Template

from litestar.exceptions import PermissionDeniedException

from xqr.web.guards import requires_login
from xqr.web.render import page

# Who may open a placeholder, by path prefix; /my/messages is for everyone.
ROLE_OF_PREFIX = {"/review": "reviewer", "/bank": "institution", "/admin": "admin", "/my": "enterprise"}
SHARED_PATHS = {"/my/messages"}

COMING_SOON = {
    "/admin": "数据统计",
    "/admin/users": "用户管理",
    "/admin/demands": "需求派单",
    "/admin/audit": "审计日志",
}


@get(list(COMING_SOON), name="coming_soon", guards=[requires_login])
async def coming_soon(request: Request) -> Template:
    path = request.url.path
    role = next(role for prefix, role in ROLE_OF_PREFIX.items() if path.startswith(prefix))
    if path not in SHARED_PATHS and request.user.role != role:
        raise PermissionDeniedException("您的账号没有访问此页面的权限")
    return await page(request, "coming_soon.html", {"title": COMING_SOON[request.url.path]})


ROUTES = [coming_soon]
