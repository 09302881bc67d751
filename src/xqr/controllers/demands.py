"""需求管理 (/my/demands) for enterprises and 需求大厅 (/bank/demands) for institution staff."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from xqr.services import demands
from xqr.services.errors import ValidationFailed
from xqr.web.forms import client_ip, form_data, query_data, swaps, user_agent
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

ENTERPRISE = [requires_role("enterprise")]
INSTITUTION = [requires_role("institution")]


def _choices() -> dict[str, Any]:
    return {
        "guarantees": [(g, g) for g in demands.GUARANTEES],
        "industries": demands.industry_choices(),
        "regions": demands.region_choices(),
        "consent_text": demands.CONSENT_TEXT,
    }


# ---------------------------------------------------------------- enterprise


@get("/my/demands", name="my_demands", guards=ENTERPRISE)
async def my_demands(request: Request) -> Template:
    return await page(request, "demands/my_list.html", {"demands": await demands.own_demands(request.user)})


async def _demand_form(request: Request, values: dict, errors: dict, *, demand: dict | None = None, status: int = 200) -> Template:
    return await page(
        request,
        "demands/my_form.html",
        {"values": values, "errors": errors, "demand": demand, **_choices()},
        partial=swaps(request, "demand-form", "demands/_demand_form.html"),
        status=status,
    )


@get("/my/demands/new", name="my_demand_new", guards=ENTERPRISE)
async def my_demand_new(request: Request) -> Template:
    return await _demand_form(request, await demands.form_defaults(request.user), {})


@post("/my/demands", name="my_demand_post", guards=ENTERPRISE)
async def my_demand_post(request: Request) -> Response:
    values = await form_data(request)
    try:
        demand_id = await demands.post_demand(request.user, values, ip=client_ip(request), user_agent=user_agent(request))
    except ValidationFailed as error:
        return await _demand_form(request, values, error.errors, status=422)
    await flash(request, "融资需求已发布，金融机构接单后会通知您")
    return see_other(request, f"/my/demands/{demand_id}")


@get("/my/demands/{demand_id:int}", name="my_demand", guards=ENTERPRISE)
async def my_demand(request: Request, demand_id: FromPath[int]) -> Template:
    demand = await demands.own_demand(request.user, demand_id)
    return await page(request, "demands/my_detail.html", {"demand": demand, "responses": await demands.responses_of(demand_id)})


@get("/my/demands/{demand_id:int}/edit", name="my_demand_edit", guards=ENTERPRISE)
async def my_demand_edit(request: Request, demand_id: FromPath[int]) -> Template:
    demand = await demands.own_demand(request.user, demand_id)
    return await _demand_form(request, demands.form_values(demand), {}, demand=demand)


@post("/my/demands/{demand_id:int}/edit", name="my_demand_update", guards=ENTERPRISE)
async def my_demand_update(request: Request, demand_id: FromPath[int]) -> Response:
    demand = await demands.own_demand(request.user, demand_id)
    values = await form_data(request)
    try:
        await demands.edit_demand(request.user, demand_id, values)
    except ValidationFailed as error:
        return await _demand_form(request, values, error.errors, demand=demand, status=422)
    await flash(request, "需求已修改")
    return see_other(request, f"/my/demands/{demand_id}")


@post("/my/demands/{demand_id:int}/close", name="my_demand_close", guards=ENTERPRISE)
async def my_demand_close(request: Request, demand_id: FromPath[int]) -> Response:
    await demands.close_demand(request.user, demand_id)
    await flash(request, "需求已关闭")
    return see_other(request, f"/my/demands/{demand_id}")


# ---------------------------------------------------------------- institution


@get("/bank/demands", name="bank_demands", guards=INSTITUTION)
async def bank_demands(request: Request) -> Template:
    query = query_data(request)
    filters, errors = demands.parse_hall_filter(query)
    return await page(
        request,
        "demands/hall.html",
        {
            "demands": await demands.hall(request.user, filters),
            "taken": await demands.taken_by_institution(request.user),
            "query": query,
            "errors": errors,
            **_choices(),
        },
        partial=swaps(request, "hall-list", "demands/_hall_list.html"),
    )


async def _bank_detail(request: Request, demand_id: int, values: dict, errors: dict, status: int = 200) -> Template:
    demand = await demands.demand_for_institution(request.user, demand_id)
    return await page(
        request,
        "demands/bank_detail.html",
        {"demand": demand, "values": values, "errors": errors, "outcomes": [(k, demands.OUTCOME_LABELS[k]) for k in demands.RECORDABLE_OUTCOMES]},
        partial=swaps(request, "outcome-form", "demands/_outcome_form.html"),
        status=status,
    )


@get("/bank/demands/{demand_id:int}", name="bank_demand", guards=INSTITUTION)
async def bank_demand(request: Request, demand_id: FromPath[int]) -> Template:
    return await _bank_detail(request, demand_id, {}, {})


@post("/bank/demands/{demand_id:int}/take", name="bank_demand_take", guards=INSTITUTION)
async def bank_demand_take(request: Request, demand_id: FromPath[int]) -> Response:
    await demands.take_demand(request.user, demand_id, ip=client_ip(request))
    await flash(request, "接单成功，请尽快联系企业")
    return see_other(request, f"/bank/demands/{demand_id}")


@post("/bank/demands/{demand_id:int}/outcome", name="bank_demand_outcome", guards=INSTITUTION)
async def bank_demand_outcome(request: Request, demand_id: FromPath[int]) -> Response:
    values = await form_data(request)
    try:
        await demands.record_outcome(request.user, demand_id, values, ip=client_ip(request))
    except ValidationFailed as error:
        return await _bank_detail(request, demand_id, values, error.errors, status=422)
    await flash(request, "对接结果已记录")
    return see_other(request, f"/bank/demands/{demand_id}")


ROUTES = [
    my_demands,
    my_demand_new,
    my_demand_post,
    my_demand,
    my_demand_edit,
    my_demand_update,
    my_demand_close,
    bank_demands,
    bank_demand,
    bank_demand_take,
    bank_demand_outcome,
]
