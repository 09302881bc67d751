"""我的企业: the enterprise's own page in the back office."""

from litestar import Request, get
from litestar.response import Template

from xqr.web.guards import requires_role
from xqr.web.render import page


@get("/my/enterprise", name="my_enterprise", guards=[requires_role("enterprise")])
async def my_enterprise(request: Request) -> Template:
    return await page(request, "enterprise/my_enterprise.html")


ROUTES = [my_enterprise]
