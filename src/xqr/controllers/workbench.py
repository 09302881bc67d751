"""The institutions' workbench: 申请受理 queue and decisions; admins read every institution's queue."""

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response, Template

from xqr.services import applications
from xqr.services.catalogue import active_institutions
from xqr.services.certification import DOCUMENT_LABELS, FACT_LABELS, PERSON_LABELS
from xqr.services.errors import Conflict, ValidationFailed
from xqr.web.forms import client_ip, form_data
from xqr.web.guards import requires_role
from xqr.web.render import flash, is_htmx, page, see_other

STAFF = [requires_role("institution", "admin")]
DECIDERS = [requires_role("institution")]
ACTIONS = {
    "accept": lambda user, app_id, values, ip: applications.accept(user, app_id, ip=ip),
    "approve": applications.approve,
    "decline": applications.decline,
    "disburse": applications.disburse,
}
NOTICES = {"accept": "已受理该申请。", "approve": "已审批通过。", "decline": "已标记为未通过。", "disburse": "已登记放款。"}


def _base(request: Request) -> str:
    return "/admin/applications" if request.user.role == "admin" else "/bank/applications"


@get(["/bank/applications", "/admin/applications"], name="application_queue", guards=STAFF, cache=False)
async def application_queue(request: Request) -> Template:
    params = request.query_params
    page_number = params.get("page", "1")
    institution = params.get("institution", "")
    filters = {
        "status": params.get("status", ""),
        "q": params.get("q", "").strip()[:50],
        "overdue": params.get("overdue") == "1",
        "institution": int(institution) if institution.isdigit() else None,
    }
    result = await applications.queue(
        request.user,
        status=filters["status"],
        q=filters["q"],
        overdue_only=filters["overdue"],
        institution=filters["institution"],
        page=int(page_number) if page_number.isdigit() else 1,
    )
    context = {
        "queue": result,
        "filters": filters,
        "base": _base(request),
        "statuses": applications.STATUS_LABELS,
        "institution_options": [(row["id"], row["name"]) for row in await active_institutions()] if request.user.role == "admin" else [],
    }
    headers = {"HX-Push-Url": str(request.url.path) + (f"?{request.url.query}" if request.url.query else "")} if is_htmx(request) else None
    return await page(request, "workbench/queue.html", context, partial="workbench/_queue.html", headers=headers)


async def _detail(request: Request, application_id: int, values: dict | None = None, errors: dict | None = None, status: int = 200) -> Template:
    item = await applications.for_staff(request.user, application_id)
    context = {
        "item": item,
        "values": values or {},
        "errors": errors or {},
        "base": _base(request),
        "certification_labels": [*FACT_LABELS.items(), *PERSON_LABELS.items()],
        "document_labels": DOCUMENT_LABELS,
    }
    return await page(request, "workbench/application.html", context, status=status)


@get(["/bank/applications/{application_id:int}", "/admin/applications/{application_id:int}"], name="application_detail", guards=STAFF, cache=False)
async def application_detail(request: Request, application_id: int) -> Template:
    return await _detail(request, application_id)


@post("/bank/applications/{application_id:int}/{action:str}", name="application_action", guards=DECIDERS)
async def application_action(request: Request, application_id: int, action: str) -> Response | Template:
    if action not in ACTIONS:
        raise NotFoundException()
    values = await form_data(request)
    try:
        await ACTIONS[action](request.user, application_id, values, client_ip(request))
    except ValidationFailed as failed:
        return await _detail(request, application_id, values, failed.errors, status=422)
    except Conflict as conflict:
        await flash(request, str(conflict))
    else:
        await flash(request, NOTICES[action])
    return see_other(request, f"/bank/applications/{application_id}")


ROUTES = [application_queue, application_detail, application_action]
