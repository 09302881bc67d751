"""产品查询 (/my/products): the catalogue as this enterprise sees it, 为您推荐 first."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from xqr.services import product_matching
from xqr.services.demands import today
from xqr.web.guards import requires_role
from xqr.web.render import page


@get("/my/products", name="my_products", guards=[requires_role("enterprise")])
async def my_products(request: Request) -> Template:
    enterprise_id = request.user.enterprise_id
    typed = request.query_params.get("amount")
    if typed is None:
        wanted, problem = await product_matching.open_demand_amount(enterprise_id), None
        typed = "" if wanted is None else product_matching.wan(wanted)
    else:
        wanted, problem = product_matching.parse_amount(typed)
    profile = await product_matching.profile_of(enterprise_id, wanted)
    recommended, others = product_matching.rank(await product_matching.listed_products(), profile, today())
    context = {
        "certified": profile is not None,
        "recommended": recommended,
        "others": others,
        "amount": typed,
        "errors": {"amount": problem} if problem else {},
    }
    return await page(request, "account/products.html", context, status=422 if problem else 200)


ROUTES = [my_products]
