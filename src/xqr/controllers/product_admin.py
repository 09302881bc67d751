"""产品管理: institution staff manage their own products (/bank/products), admins all (/admin/products)."""

from litestar import Request, get, post
from litestar.response import Response, Template

from xqr.services import products
from xqr.services.catalogue import PRODUCT_TYPES
from xqr.services.errors import ValidationFailed
from xqr.services.institutions import list_institutions
from xqr.web.forms import client_ip, form_data
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

STAFF = [requires_role("institution", "admin")]


def _base(request: Request) -> str:
    return "/admin/products" if request.user.role == "admin" else "/bank/products"


@get(["/bank/products", "/admin/products"], name="product_list", guards=STAFF, cache=False)
async def product_list(request: Request) -> Template:
    q = request.query_params.get("q", "").strip()[:50]
    status = request.query_params.get("status", "")
    rows = await products.list_products(request.user, q=q, status=status)
    context = {"rows": rows, "q": q, "status": status, "statuses": products.STATUS_LABELS, "base": _base(request)}
    return await page(request, "products_admin/list.html", context)


async def _form(request: Request, values: dict, errors: dict, product_id: int | None = None, status: int = 200) -> Template:
    context = {
        "values": values,
        "errors": errors,
        "product_id": product_id,
        "type_options": [(name, name) for name in PRODUCT_TYPES],
        "institution_options": [(row["id"], row["name"]) for row in await list_institutions()] if request.user.role == "admin" else [],
        "base": _base(request),
    }
    return await page(request, "products_admin/form.html", context, status=status)


@get(["/bank/products/new", "/admin/products/new"], name="product_new", guards=STAFF, cache=False)
async def product_new(request: Request) -> Template:
    return await _form(request, {}, {})


@post(["/bank/products/new", "/admin/products/new"], name="product_create", guards=STAFF)
async def product_create(request: Request) -> Response | Template:
    values = await form_data(request)
    try:
        await products.create_product(request.user, values, client_ip(request))
    except ValidationFailed as failed:
        return await _form(request, values, failed.errors, status=422)
    await flash(request, f"产品「{values['name'].strip()}」已创建并上架。")
    return see_other(request, _base(request))


@get(["/bank/products/{product_id:int}/edit", "/admin/products/{product_id:int}/edit"], name="product_edit", guards=STAFF, cache=False)
async def product_edit(request: Request, product_id: int) -> Template:
    return await _form(request, products.form_values(await products.product_for(request.user, product_id)), {}, product_id)


@post(["/bank/products/{product_id:int}/edit", "/admin/products/{product_id:int}/edit"], name="product_update", guards=STAFF)
async def product_update(request: Request, product_id: int) -> Response | Template:
    values = await form_data(request)
    try:
        await products.update_product(request.user, product_id, values, client_ip(request))
    except ValidationFailed as failed:
        return await _form(request, values, failed.errors, product_id, status=422)
    await flash(request, "产品信息已保存。")
    return see_other(request, _base(request))


@post(["/bank/products/{product_id:int}/status", "/admin/products/{product_id:int}/status"], name="product_status", guards=STAFF)
async def product_status(request: Request, product_id: int) -> Response:
    status = (await form_data(request)).get("status", "")
    await products.set_status(request.user, product_id, status, client_ip(request))
    await flash(request, "产品已上架。" if status == "listed" else "产品已下架，融资超市中不再展示。")
    return see_other(request, _base(request))


ROUTES = [product_list, product_new, product_create, product_edit, product_update, product_status]
