"""立即申请, and the enterprise's 我的申请 (PC) and 我的订单 (phone) with 撤回."""

from litestar import Request, get, post
from litestar.response import Response, Template

from xqr.services import applications
from xqr.services.catalogue import public_product
from xqr.services.errors import Conflict, ValidationFailed
from xqr.web.forms import client_ip, form_data
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

ENTERPRISE = [requires_role("enterprise")]


async def _apply_page(request: Request, product: dict, values: dict, errors: dict, status: int = 200) -> Template:
    return await page(request, "applications/apply.html", {"product": product, "values": values, "errors": errors}, status=status)


async def _not_certified(request: Request, product: dict, status: int) -> Template:
    return await page(request, "applications/not_certified.html", {"product": product}, status=status)


@get("/products/{product_id:int}/apply", name="apply_form", guards=ENTERPRISE, cache=False)
async def apply_form(request: Request, product_id: int) -> Template:
    product = await public_product(product_id)
    try:
        await applications.ensure_may_apply(request.user)
    except applications.NotCertified:
        return await _not_certified(request, product, 200)
    return await _apply_page(request, product, await applications.contact_defaults(request.user), {})


@post("/products/{product_id:int}/apply", name="apply", guards=ENTERPRISE)
async def apply(request: Request, product_id: int) -> Response | Template:
    product = await public_product(product_id)
    values = await form_data(request)
    try:
        applied = await applications.apply(
            request.user,
            product_id,
            values,
            response_days=request.app.state.settings.application_response_days,
            ip=client_ip(request),
            user_agent=request.headers.get("user-agent", ""),
        )
    except applications.NotCertified:
        return await _not_certified(request, product, 403)
    except ValidationFailed as failed:
        return await _apply_page(request, product, values, failed.errors, status=422)
    except Conflict as conflict:
        await flash(request, str(conflict))
        return see_other(request, "/my/applications")
    await flash(request, f"申请已提交，申请编号 {applied.number}。请等待机构受理。")
    return see_other(request, f"/my/applications#{applied.number}")


@get("/my/applications", name="my_applications", guards=ENTERPRISE, cache=False)
async def my_applications(request: Request) -> Template:
    return await page(request, "applications/my_applications.html", {"items": await applications.for_enterprise(request.user)})


@get("/my/orders", name="my_orders", guards=ENTERPRISE, cache=False)
async def my_orders(request: Request) -> Template:
    return await page(request, "applications/my_orders.html", {"items": await applications.for_enterprise(request.user)})


@post("/my/applications/{application_id:int}/withdraw", name="withdraw", guards=ENTERPRISE)
async def withdraw(request: Request, application_id: int) -> Response:
    back = "/my/orders" if (await form_data(request)).get("back") == "orders" else "/my/applications"
    try:
        await applications.withdraw(request.user, application_id, ip=client_ip(request))
    except Conflict as conflict:
        await flash(request, str(conflict))
    else:
        await flash(request, "申请已撤回。")
    return see_other(request, back)


ROUTES = [apply_form, apply, my_applications, my_orders, withdraw]
