"""The operators' console: 数据统计 (/admin), 用户管理, 需求派单, 审计日志 (read-only)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from xqr.services import admin_users, audit, demands, statistics
from xqr.services.errors import NotFound, ValidationFailed
from xqr.web import sessions
from xqr.web.current_user import ROLE_LABELS
from xqr.web.forms import client_ip, form_data, query_data, swaps
from xqr.web.guards import requires_role
from xqr.web.render import flash, page, see_other

ADMIN = [requires_role("admin")]


# ---------------------------------------------------------------- 数据统计


@get("/admin", name="admin_dashboard", guards=ADMIN)
async def admin_dashboard(request: Request) -> Template:
    query = query_data(request)
    filters, errors = statistics.parse_filter(query)
    tables = await statistics.dashboard(filters)
    charts = [
        # "<" escaped so that no value can close the <script type="application/json"> block
        {"table": t, "option": json.dumps(statistics.chart_option(t), ensure_ascii=False).replace("<", "\\u003c")}
        for t in tables
    ]
    return await page(
        request,
        "admin/dashboard.html",
        {"charts": charts, "query": query, "errors": errors, "regions": demands.region_choices(), "export_query": request.url.query},
    )


@get("/admin/stats/{filename:str}", name="admin_stats_csv", guards=ADMIN)
async def admin_stats_csv(request: Request, filename: FromPath[str]) -> Response:
    """/admin/stats/<table>.csv (a path parameter is a whole segment, so the suffix is checked here)."""
    filters, _ = statistics.parse_filter(query_data(request))
    key = filename.removesuffix(".csv")
    stat = await statistics.table(key, filters) if filename.endswith(".csv") else None
    if stat is None:
        raise NotFound("没有这张统计表")
    return Response(
        content=stat.csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename=\"{key}-{date.today().isoformat()}.csv\""},
    )


# ---------------------------------------------------------------- 用户管理


async def _users_page(request: Request, values: dict, errors: dict, status: int = 200) -> Template:
    query = query_data(request)
    return await page(
        request,
        "admin/users.html",
        {
            "users": await admin_users.list_users(request.user, query.get("q", ""), query.get("role_filter", "")),
            "query": query,
            "values": values,
            "errors": errors,
            "roles": list(ROLE_LABELS.items()),
            "staff_roles": [(r, ROLE_LABELS[r]) for r in admin_users.STAFF_ROLES],
            "institutions": [(i["name"], i["name"]) for i in await demands.active_institutions()],
            "temporary": await sessions.pop_value(request, "temporary_password"),
        },
        partial=swaps(request, "user-form", "admin/_user_form.html") or swaps(request, "user-list", "admin/_user_list.html"),
        status=status,
    )


@get("/admin/users", name="admin_users", guards=ADMIN)
async def admin_users_page(request: Request) -> Template:
    return await _users_page(request, {}, {})


@post("/admin/users", name="admin_user_create", guards=ADMIN)
async def admin_user_create(request: Request) -> Response:
    values = await form_data(request)
    try:
        await admin_users.create_staff(request.user, values, ip=client_ip(request))
    except ValidationFailed as error:
        values.pop("password", None)
        values.pop("password_confirm", None)
        return await _users_page(request, values, error.errors, status=422)
    await flash(request, f"已创建账号 {values['username']}，首次登录时需修改密码")
    return see_other(request, "/admin/users")


@post("/admin/users/{user_id:int}/disable", name="admin_user_disable", guards=ADMIN)
async def admin_user_disable(request: Request, user_id: FromPath[int]) -> Response:
    await admin_users.set_active(request.user, user_id, False, ip=client_ip(request))
    await flash(request, "账号已停用，其登录会话已全部结束")
    return see_other(request, "/admin/users")


@post("/admin/users/{user_id:int}/enable", name="admin_user_enable", guards=ADMIN)
async def admin_user_enable(request: Request, user_id: FromPath[int]) -> Response:
    await admin_users.set_active(request.user, user_id, True, ip=client_ip(request))
    await flash(request, "账号已启用")
    return see_other(request, "/admin/users")


@post("/admin/users/{user_id:int}/reset-password", name="admin_user_reset", guards=ADMIN)
async def admin_user_reset(request: Request, user_id: FromPath[int]) -> Response:
    password = await admin_users.reset_password(request.user, user_id, ip=client_ip(request))
    # Shown once on the next page, then gone from the session.
    await sessions.set_values(request, timedelta(minutes=10), temporary_password=password)
    return see_other(request, "/admin/users")


# ---------------------------------------------------------------- 需求派单


@get("/admin/demands", name="admin_demands", guards=ADMIN)
async def admin_demands(request: Request) -> Template:
    days = request.app.state.settings.demand_untaken_working_days
    return await page(
        request,
        "admin/demands.html",
        {"demands": await demands.flagged_demands(days), "days": days, "institutions": await demands.active_institutions()},
    )


@post("/admin/demands/{demand_id:int}/dispatch", name="admin_demand_dispatch", guards=ADMIN)
async def admin_demand_dispatch(request: Request, demand_id: FromPath[int]) -> Response:
    values = await form_data(request)
    try:
        await demands.dispatch_demand(request.user, demand_id, values.get("institution", ""), ip=client_ip(request))
    except ValidationFailed as error:
        await flash(request, error.errors["institution"])
        return see_other(request, "/admin/demands")
    await flash(request, "已派单，该机构人员将收到通知")
    return see_other(request, "/admin/demands")


# ---------------------------------------------------------------- 审计日志 (read-only: no route changes it)


@get("/admin/audit", name="admin_audit", guards=ADMIN)
async def admin_audit(request: Request) -> Template:
    query = query_data(request)
    date_from, date_to, errors = statistics.parse_date_range(query)
    page_number = int(query["page"]) if query.get("page", "").isdigit() else 1
    filters = audit.AuditFilter(
        actor=query.get("actor", ""), action=query.get("action", ""), target_type=query.get("target_type", ""),
        target_id=query.get("target_id", ""), date_from=date_from, date_to=date_to,
    )
    rows, total = await audit.search(filters, page_number)
    return await page(
        request,
        "admin/audit.html",
        {"rows": rows, "total": total, "query": query, "errors": errors, "actions": await audit.known_actions(),
         "page_number": page_number, "pages": max(1, -(-total // audit.PAGE_SIZE))},
        partial=swaps(request, "audit-rows", "admin/_audit_rows.html"),
    )


ROUTES = [
    admin_dashboard,
    admin_stats_csv,
    admin_users_page,
    admin_user_create,
    admin_user_disable,
    admin_user_enable,
    admin_user_reset,
    admin_demands,
    admin_demand_dispatch,
    admin_audit,
]
