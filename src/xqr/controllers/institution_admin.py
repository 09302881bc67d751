"""机构管理 (admins): add, rename, disable and enable financial institutions."""

from litestar import Request, get, post
from litestar.response import Response, Template

from xqr.services import institutions
from xqr.services.errors import ValidationFailed
from xqr.web.forms import client_ip, form_data
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

ADMIN = [requires_role("admin")]


async def _list(request: Request, values: dict, errors: dict, status: int = 200) -> Template:
    context = {"rows": await institutions.list_institutions(), "values": values, "errors": errors}
    return await page(request, "institutions/list.html", context, status=status)


@get("/admin/institutions", name="institution_list", guards=ADMIN, cache=False)
async def institution_list(request: Request) -> Template:
    return await _list(request, {}, {})


@post("/admin/institutions", name="institution_create", guards=ADMIN)
async def institution_create(request: Request) -> Response | Template:
    values = await form_data(request)
    try:
        await institutions.create_institution(request.user, values, client_ip(request))
    except ValidationFailed as failed:
        return await _list(request, values, failed.errors, status=422)
    await flash(request, f"已添加机构「{values['name'].strip()}」。")
    return see_other(request, "/admin/institutions")


@get("/admin/institutions/{institution_id:int}/edit", name="institution_edit", guards=ADMIN, cache=False)
async def institution_edit(request: Request, institution_id: int) -> Template:
    row = await institutions.institution(institution_id)
    return await page(request, "institutions/edit.html", {"row": row, "values": {"name": row["name"]}, "errors": {}})


@post("/admin/institutions/{institution_id:int}/edit", name="institution_update", guards=ADMIN)
async def institution_update(request: Request, institution_id: int) -> Response | Template:
    values = await form_data(request)
    try:
        await institutions.rename_institution(request.user, institution_id, values, client_ip(request))
    except ValidationFailed as failed:
        row = await institutions.institution(institution_id)
        return await page(request, "institutions/edit.html", {"row": row, "values": values, "errors": failed.errors}, status=422)
    await flash(request, "机构名称已保存。")
    return see_other(request, "/admin/institutions")


@post("/admin/institutions/{institution_id:int}/active", name="institution_active", guards=ADMIN)
async def institution_active(request: Request, institution_id: int) -> Response:
    active = (await form_data(request)).get("active") == "1"
    await institutions.set_active(request.user, institution_id, active, client_ip(request))
    await flash(request, "机构已启用。" if active else "机构已停用，其产品不再在融资超市展示。")
    return see_other(request, "/admin/institutions")


ROUTES = [institution_list, institution_create, institution_edit, institution_update, institution_active]
