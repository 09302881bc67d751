"""我的企业: the enterprise's own page in the back office."""

from litestar import Request, get
from litestar.response import Template

from xqr.controllers.certification import form_context
from xqr.services.certification import certified_facts
from xqr.web.guards import requires_role
from xqr.web.render import page


@get("/my/enterprise", name="my_enterprise", guards=[requires_role("enterprise")])
async def my_enterprise(request: Request) -> Template:
    """Its facts as certified, once 已认证."""
    facts = await certified_facts(request.user.enterprise_id) if request.user.is_certified else None
    return await page(request, "enterprise/my_enterprise.html", form_context(facts))


ROUTES = [my_enterprise]
