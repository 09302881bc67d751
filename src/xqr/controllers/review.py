"""认证审核: the reviewers' queue and review page."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from xqr.controllers.certification import client_ip, form_context
from xqr.services import review
from xqr.services.certification import REVIEW_ITEMS
from xqr.services.errors import ValidationFailed
from xqr.web.guards import requires_role
from xqr.web.render import page, see_other

REVIEWERS = [requires_role("reviewer")]


@get("/review/certifications", name="review_queue", guards=REVIEWERS, cache=False)
async def queue(request: Request, status: FromQuery[str] = "submitted", q: FromQuery[str] = "") -> Template:
    status = status if status in review.QUEUE_FILTERS else "submitted"
    rows = await review.queue(status, q)
    return await page(
        request,
        "review/queue.html",
        {"rows": rows, "status": status, "q": q, "filters": review.QUEUE_FILTERS},
    )


async def _review_page(request: Request, request_id: int, *, errors: dict | None = None, typed: dict | None = None, status: int = 200) -> Template:
    view = await review.review_view(request_id)
    context = form_context(view.draft)
    context.update(
        view=view,
        errors=errors or {},
        typed=typed or {},
        items=REVIEW_ITEMS,
        reasons=review.PRESET_REASONS,
        editable=False,
    )
    return await page(request, "review/review.html", context, status=status)


@get("/review/certifications/{request_id:int}", name="review_request", guards=REVIEWERS, cache=False)
async def review_request(request: Request, request_id: FromPath[int]) -> Template:
    return await _review_page(request, request_id)


@post("/review/certifications/{request_id:int}/claim", name="review_claim", guards=REVIEWERS)
async def claim(request: Request, request_id: FromPath[int]) -> Response:
    await review.claim(request.user, request_id, client_ip(request))
    return see_other(request, f"/review/certifications/{request_id}")


@post("/review/certifications/{request_id:int}/decide", name="review_decide", guards=REVIEWERS)
async def decide(request: Request, request_id: FromPath[int]) -> Response | Template:
    form = await request.form()
    findings = [
        review.Finding(item, form.get(f"reason_{item}", ""), form.get(f"note_{item}", ""))
        for item in REVIEW_ITEMS
        if form.get(f"reason_{item}") or form.get(f"note_{item}", "").strip()
    ]
    try:
        await review.decide(request.user, request_id, form.get("outcome", ""), findings, form.get("decision_reason", ""), client_ip(request))
    except ValidationFailed as failed:
        return await _review_page(request, request_id, errors=failed.errors, typed=dict(form.items()), status=422)
    return see_other(request, f"/review/certifications/{request_id}")


ROUTES = [queue, review_request, claim, decide]
