"""首页 and 我的 (the phone's hub of the back office)."""

from litestar import Request, get
from litestar.response import Template

from xqr.services.figures import platform_figures
from xqr.web.guards import requires_login
from xqr.web.render import page


@get("/", name="home")
async def home(request: Request) -> Template:
    return await page(request, "home.html", {"figures": await platform_figures()})


@get("/me", name="me", guards=[requires_login])
async def me(request: Request) -> Template:
    return await page(request, "me.html")


ROUTES = [home, me]
