"""信用记录 (/my/credit): the enterprise's record, its data authorizations (revocable) and the PDF export."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.response import Template

from xqr.services import credit_record, data_shares
from xqr.services.demands import today
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

ENTERPRISE = [requires_role("enterprise")]


@get("/my/credit", name="my_credit", guards=ENTERPRISE)
async def credit_page(request: Request) -> Template:
    return await page(request, "account/credit.html", {"record": await credit_record.record_of(request.user)})


@post("/my/credit/shares/{consent_id:int}/revoke", name="my_credit_revoke", guards=ENTERPRISE)
async def revoke_share(request: Request, consent_id: int) -> Response:
    share = await data_shares.revoke(request.user.enterprise_id, consent_id)
    who = "、".join(share.institutions) or "相关机构"
    await flash(request, f"已撤回{share.label}，{who}将无法再查看贵企业的认证信息")
    return see_other(request, "/my/credit#shares")


@get("/my/credit/export.pdf", name="my_credit_export", guards=ENTERPRISE)
async def export_pdf(request: Request) -> Response:
    record = await credit_record.record_of(request.user)
    day = today()
    filename = f"信用记录-{record.enterprise['name']}-{day:%Y%m%d}.pdf"
    return Response(
        content=credit_record.report_pdf(record, day),
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", "Cache-Control": "no-store"},
    )


ROUTES = [credit_page, revoke_share, export_pdf]
