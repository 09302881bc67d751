"""数据统计: the admin dashboard's figures, each one SQL aggregate, each a table the page charts and exports.

The funnel reads Enterprise.cert_status, which the certification flow keeps
(submitted = pending, certified or rejected: every enterprise that ever filed).
An enterprise's region is the division in its credit code (GB 32100 positions
3-8); a demand's is the one it was posted with (the certified 注册区域).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from piccolo.query.functions.aggregate import Count, Sum

from xqr.db import is_sqlite
from xqr.services.applications import STATUS_LABELS as APPLICATION_STATUS_LABELS
from xqr.services.demands import CHINA_TIME, OUTCOME_LABELS, STATUS_LABELS, region_choices
from xqr.tables.accounts import Enterprise
from xqr.tables.applications import LoanApplication
from xqr.tables.demands import Demand, DemandResponse


@dataclass(frozen=True)
class StatsFilter:
    date_from: date | None = None  #: Beijing dates, inclusive
    date_to: date | None = None
    region: str = ""  #: 4-digit prefecture prefix


@dataclass
class StatTable:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    chart: str  #: funnel | pie | bar
    extra: dict[str, Any] = field(default_factory=dict)

    def csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.columns)
        writer.writerows([[_plain(v) for v in row] for row in self.rows])
        return "\ufeff" + buffer.getvalue()  # a BOM so that Excel opens UTF-8 Chinese correctly


def _plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def parse_date_range(query: dict[str, str]) -> tuple[date | None, date | None, dict[str, str]]:
    """date_from and date_to from a query string (both optional), with a message for each bad one."""
    errors: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for name in ("date_from", "date_to"):
        raw = (query.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = "请输入正确的日期"
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = "结束日期不能早于开始日期"
        dates["date_to"] = None
    return dates["date_from"], dates["date_to"], errors


def parse_filter(query: dict[str, str]) -> tuple[StatsFilter, dict[str, str]]:
    date_from, date_to, errors = parse_date_range(query)
    region = (query.get("region") or "").strip()
    if region and region not in dict(region_choices()):
        errors["region"] = "请选择湖南省的市州"
        region = ""
    return StatsFilter(date_from, date_to, region), errors


def _period(column, filters: StatsFilter) -> list:
    conditions = []
    if filters.date_from:
        conditions.append(column >= datetime.combine(filters.date_from, time.min, tzinfo=CHINA_TIME))
    if filters.date_to:
        conditions.append(column < datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=CHINA_TIME))
    return conditions


def _enterprise_conditions(filters: StatsFilter) -> list:
    conditions = _period(Enterprise.created_at, filters)
    if filters.region:
        conditions.append(Enterprise.credit_code.like(f"__{filters.region}%"))
    return conditions


def _demand_conditions(filters: StatsFilter, demand=Demand) -> list:
    conditions = _period(demand.created_at, filters)
    if filters.region:
        conditions.append(demand.region_code.like(f"{filters.region}%"))
    return conditions


def _where(query, conditions: list):
    for condition in conditions:
        query = query.where(condition)
    return query


async def funnel(filters: StatsFilter) -> StatTable:
    conditions = _enterprise_conditions(filters)
    registered = await _where(Enterprise.count(), conditions)
    submitted = await _where(Enterprise.count().where(Enterprise.cert_status.is_in(["pending", "certified", "rejected"])), conditions)
    certified = await _where(Enterprise.count().where(Enterprise.cert_status == "certified"), conditions)
    return StatTable(
        "funnel", "注册与认证漏斗", ["阶段", "企业数"],
        [["已注册", registered], ["已提交认证", submitted], ["已认证", certified]], "funnel",
    )


async def registrations_by_month(filters: StatsFilter) -> StatTable:
    """Enterprises registered per Beijing month; the month is computed by the database."""
    conditions = ["1 = 1"]
    values: list[Any] = []
    if filters.date_from:
        conditions.append("created_at >= {}")
        values.append(datetime.combine(filters.date_from, time.min, tzinfo=CHINA_TIME))
    if filters.date_to:
        conditions.append("created_at < {}")
        values.append(datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=CHINA_TIME))
    if filters.region:
        conditions.append("credit_code LIKE {}")
        values.append(f"__{filters.region}%")
    if is_sqlite():
        month = "strftime('%Y-%m', substr(created_at, 1, 19), '+8 hours')"
        registered = "SUM(CASE WHEN cert_status = 'certified' THEN 1 ELSE 0 END)"
    else:
        month = "to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM')"
        registered = "COUNT(*) FILTER (WHERE cert_status = 'certified')"
    sql = (
        f"SELECT {month} AS month, COUNT(*) AS registered, {registered} AS certified "
        f"FROM enterprise WHERE {' AND '.join(conditions)} GROUP BY month ORDER BY month"
    )
    rows = await Enterprise.raw(sql, *values)
    return StatTable(
        "registrations", "企业注册与认证（按月）", ["月份", "注册企业数", "其中已认证"],
        [[r["month"], int(r["registered"]), int(r["certified"] or 0)] for r in rows], "bar",
    )


async def demands_by_status(filters: StatsFilter) -> StatTable:
    rows = await _where(Demand.select(Demand.status, Count(alias="n")).group_by(Demand.status), _demand_conditions(filters))
    counts = {r["status"]: r["n"] for r in rows}
    return StatTable("demand_status", "融资需求状态", ["状态", "需求数"], [[STATUS_LABELS[s], counts.get(s, 0)] for s in STATUS_LABELS], "pie")


async def demand_outcomes(filters: StatsFilter) -> StatTable:
    """Responses of taken demands by outcome; 已接单 means taken with no outcome recorded yet."""
    query = DemandResponse.select(
        DemandResponse.outcome, Count(alias="n"), Sum(DemandResponse.granted_amount, alias="granted")
    ).where(DemandResponse.taken_at.is_not_null()).group_by(DemandResponse.outcome)
    rows = await _where(query, _demand_conditions(filters, DemandResponse.demand))
    by_outcome = {r["outcome"]: r for r in rows}
    table = []
    for outcome, label in OUTCOME_LABELS.items():
        row = by_outcome.get(outcome)
        table.append([label, row["n"] if row else 0, Decimal(str(row["granted"] or 0)) if row else Decimal(0)])
    return StatTable("demand_outcomes", "需求接单与对接结果", ["结果", "接单数", "授信金额（万元）"], table, "pie")


async def institution_demands(filters: StatsFilter) -> StatTable:
    """Per institution: demands taken, granted and the amount granted, most taken first."""
    query = DemandResponse.select(
        DemandResponse.institution.name.as_alias("institution"),
        Count(alias="taken"),
        Sum(DemandResponse.granted_amount, alias="granted_amount"),
    ).where(DemandResponse.taken_at.is_not_null()).group_by(DemandResponse.institution.name)
    rows = await _where(query, _demand_conditions(filters, DemandResponse.demand))
    granted_query = DemandResponse.select(
        DemandResponse.institution.name.as_alias("institution"), Count(alias="granted")
    ).where(DemandResponse.outcome == "granted").group_by(DemandResponse.institution.name)
    granted = {r["institution"]: r["granted"] for r in await _where(granted_query, _demand_conditions(filters, DemandResponse.demand))}
    table = [
        [r["institution"], r["taken"], granted.get(r["institution"], 0), Decimal(str(r["granted_amount"] or 0))]
        for r in rows
    ]
    table.sort(key=lambda row: (-row[1], row[0]))
    return StatTable("institution_demands", "各机构接单排名", ["金融机构", "接单数", "已授信数", "授信金额（万元）"], table, "bar")


def _application_conditions(filters: StatsFilter) -> list:
    conditions = _period(LoanApplication.created_at, filters)
    if filters.region:
        conditions.append(LoanApplication.enterprise.credit_code.like(f"__{filters.region}%"))
    return conditions


async def applications_by_status(filters: StatsFilter) -> StatTable:
    query = LoanApplication.select(LoanApplication.status, Count(alias="n")).group_by(LoanApplication.status)
    counts = {r["status"]: r["n"] for r in await _where(query, _application_conditions(filters))}
    return StatTable(
        "application_status", "融资申请状态", ["状态", "申请数"],
        [[label, counts.get(status, 0)] for status, label in APPLICATION_STATUS_LABELS.items()], "pie",
    )


async def application_amounts(filters: StatsFilter) -> StatTable:
    """Per institution: applications, and the amounts applied for, approved and disbursed (万元)."""
    query = LoanApplication.select(
        LoanApplication.institution.name.as_alias("institution"),
        Count(alias="n"),
        Sum(LoanApplication.amount, alias="applied"),
        Sum(LoanApplication.approved_amount, alias="approved"),
        Sum(LoanApplication.disbursed_amount, alias="disbursed"),
    ).group_by(LoanApplication.institution.name)
    rows = await _where(query, _application_conditions(filters))
    table = [
        [r["institution"], r["n"], *(Decimal(str(r[key] or 0)) for key in ("applied", "approved", "disbursed"))]
        for r in rows
    ]
    table.sort(key=lambda row: (-row[1], row[0]))
    return StatTable(
        "application_amounts", "各机构申请与金额", ["金融机构", "申请数", "申请金额（万元）", "审批金额（万元）", "放款金额（万元）"],
        table, "bar",
    )


async def institution_response(filters: StatsFilter, moment: datetime | None = None) -> StatTable:
    """Each institution's median hours from submission to 受理 and share of overdue applications, best first.

    Overdue: accepted (or decided) after respond_by, or still 待受理 past it. The durations
    come from the database; the median is taken here because SQLite has no median aggregate.
    """
    moment = moment or datetime.now(CHINA_TIME)
    if is_sqlite():
        hours = "(julianday(substr(accepted_at, 1, 19)) - julianday(substr(created_at, 1, 19))) * 24"
    else:
        hours = "EXTRACT(EPOCH FROM (accepted_at - created_at)) / 3600"
    conditions = _application_conditions(filters)
    base = LoanApplication.select(
        LoanApplication.institution.name.as_alias("institution"),
        Count(alias="n"),
    ).group_by(LoanApplication.institution.name)
    totals = {r["institution"]: r["n"] for r in await _where(base, conditions)}
    late = await _where(
        LoanApplication.select(LoanApplication.institution.name.as_alias("institution"), Count(alias="n"))
        .where(
            (LoanApplication.accepted_at > LoanApplication.respond_by)
            | (LoanApplication.accepted_at.is_null() & (LoanApplication.decided_at > LoanApplication.respond_by))
            | ((LoanApplication.status == "submitted") & (LoanApplication.respond_by <= moment))
        )
        .group_by(LoanApplication.institution.name),
        conditions,
    )
    overdue = {r["institution"]: r["n"] for r in late}
    durations: dict[str, list[float]] = {}
    accepted = _where(
        LoanApplication.select(LoanApplication.institution.name.as_alias("institution"), LoanApplication.id)
        .where(LoanApplication.accepted_at.is_not_null()),
        conditions,
    )
    ids = {r["id"]: r["institution"] for r in await accepted}
    if ids:
        marks = ", ".join("{}" for _ in ids)
        for r in await LoanApplication.raw(f"SELECT id, {hours} AS hours FROM loan_application WHERE id IN ({marks})", *ids):
            durations.setdefault(ids[r["id"]], []).append(float(r["hours"]))
    table = []
    for name, total in totals.items():
        median_hours = _median(durations.get(name, []))
        share = Decimal(overdue.get(name, 0) * 100) / Decimal(total)
        table.append([name, total, median_hours if median_hours is not None else "—", share.quantize(Decimal("0.1"))])
    table.sort(key=lambda row: (row[3], row[2] if isinstance(row[2], Decimal) else Decimal("1e9"), row[0]))
    return StatTable(
        "institution_response", "各机构受理时效排名", ["金融机构", "申请数", "受理时长中位数（小时）", "逾期占比（%）"],
        table, "bar",
    )


def _median(values: list[float]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return Decimal(str(value)).quantize(Decimal("0.1"))


TABLES = {
    "funnel": funnel,
    "registrations": registrations_by_month,
    "application_status": applications_by_status,
    "application_amounts": application_amounts,
    "institution_response": institution_response,
    "demand_status": demands_by_status,
    "demand_outcomes": demand_outcomes,
    "institution_demands": institution_demands,
}


async def dashboard(filters: StatsFilter) -> list[StatTable]:
    return [await build(filters) for build in TABLES.values()]


async def table(key: str, filters: StatsFilter) -> StatTable | None:
    build = TABLES.get(key)
    return await build(filters) if build else None


def chart_option(stat: StatTable) -> dict[str, Any]:
    """The ECharts option for a table, delivered to the page as JSON (static/js/dashboard.js draws it)."""
    names = [str(row[0]) for row in stat.rows]
    if stat.chart in {"funnel", "pie"}:
        data = [{"name": str(row[0]), "value": row[1]} for row in stat.rows]
        series: dict[str, Any] = {"type": stat.chart, "data": data, "name": stat.title}
        if stat.chart == "pie":
            series["radius"] = ["35%", "65%"]
        return {"tooltip": {"trigger": "item"}, "legend": {"bottom": 0}, "series": [series]}
    # Amounts (万元) get their own axis on the right: they dwarf the counts.
    series_list = [
        {"type": stat.chart, "name": column, "data": [_number(row[i]) for row in stat.rows], "yAxisIndex": 1 if "万元" in column else 0}
        for i, column in enumerate(stat.columns[1:], start=1)
    ]
    y_axes: list[dict[str, Any]] = [{"type": "value", "minInterval": 1}]
    if any(series["yAxisIndex"] for series in series_list):
        y_axes.append({"type": "value", "name": "万元"})
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 24, "bottom": 56, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30 if len(names) > 4 else 0}},
        "yAxis": y_axes,
        "series": series_list,
    }


def _number(value: Any) -> float | int | None:
    """Chart values; a "—" (no figure) is a gap in the chart."""
    if isinstance(value, Decimal):
        return float(value)
    return value if isinstance(value, int) else None
