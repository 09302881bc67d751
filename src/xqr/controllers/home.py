"""首页 and 我的 (the phone's hub of the back office)."""

from litestar import Request, get
from litestar.response import Template

from xqr.services.figures import platform_figures
from xqr.web.guards import requires_login
from xqr.web.privacy import entry_href
from xqr.web.render import page


@get("/", name="home")
async def home(request: Request) -> Template:
    # 业务办理 meets the 个人信息保护指引 first when this browser or user has not agreed to it yet.
    business = await entry_href(request, request.user.home_path if request.user else "/register")
    return await page(request, "home.html", {"figures": await platform_figures(), "business_href": business})


@get("/me", name="me", guards=[requires_login])
async def me(request: Request) -> Template:
    return await page(request, "me.html")


ROUTES = [home, me]
