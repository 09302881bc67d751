"""信用记录: an enterprise's record on the platform, on screen and as a dated PDF report."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from xqr.services import applications, certification, demands, reference
from xqr.services.data_shares import Share, shares_of
from xqr.services.errors import NotFound
from xqr.services.letter import FONT
from xqr.services.product_matching import wan
from xqr.tables.accounts import Enterprise
from xqr.tables.demands import DemandResponse
from xqr.web.current_user import CurrentUser
from xqr.web.templating import local_time


@dataclass
class CreditRecord:
    enterprise: dict
    #: the approved certification request's facts, None until certified
    facts: dict | None
    certifications: list[dict]
    applications: list[dict]
    demands: list[dict]
    shares: list[Share]
    #: applications that reached 已放款: how many, and the amount disbursed (万元)
    disbursed_count: int = 0
    disbursed_amount: Decimal = Decimal(0)
    #: 已授信 responses to demands: how many, and the amount granted (万元)
    granted_count: int = 0
    granted_amount: Decimal = Decimal(0)
    fact_rows: list[tuple[str, str]] = field(default_factory=list)


def _fact_rows(facts: dict | None) -> list[tuple[str, str]]:
    if facts is None:
        return []
    return [
        ("统一社会信用代码", facts["credit_code"]),
        ("注册区域", reference.division_name(facts["division_code"])),
        ("注册地址", facts["address"]),
        ("企业类型", facts["enterprise_type"]),
        ("成立日期", facts["established_on"].isoformat() if facts["established_on"] else ""),
        ("注册资本(万元)", wan(facts["registered_capital"]) if facts["registered_capital"] is not None else ""),
        ("行业分类", reference.industry_name(facts["industry_code"])),
        ("法人代表", facts["legal_representative"]),
    ]


def _application_outcome(row: dict) -> str:
    """What came of an application, in a few words."""
    if row["status"] == "disbursed":
        return f"已放款 {wan(row['disbursed_amount'])}万元（{row['disbursed_on']:%Y-%m-%d}）"
    if row["status"] == "approved":
        return f"审批通过 {wan(row['approved_amount'])}万元，年利率{wan(row['approved_rate'])}%"
    if row["status"] == "declined":
        return f"未通过：{row['decline_reason']}" if row["decline_reason"] else "未通过"
    return row["status_label"]


async def record_of(user: CurrentUser) -> CreditRecord:
    """The whole record of the user's own enterprise (there is no way to ask for another's)."""
    enterprise_id = user.enterprise_id
    enterprise = await Enterprise.select().where(Enterprise.id == (enterprise_id or -1)).first()
    if enterprise is None:
        raise NotFound("企业不存在")
    approved = await certification.certified_facts(enterprise_id)
    facts = approved.row if approved else None
    history = await certification.history(enterprise_id)
    for row in history:
        row["status_label"] = certification.STATUS_LABELS[row["status"]]
    demand_rows = await demands.own_demands(user)
    responses = await DemandResponse.select(
        DemandResponse.demand, DemandResponse.outcome, DemandResponse.granted_amount, DemandResponse.institution.name.as_alias("institution")
    ).where(DemandResponse.demand.is_in([d["id"] for d in demand_rows] or [-1]) & DemandResponse.taken_at.is_not_null())
    for row in demand_rows:
        row["responses"] = [
            {**r, "outcome_label": demands.OUTCOME_LABELS[r["outcome"]]} for r in responses if r["demand"] == row["id"]
        ]
    granted = [r for r in responses if r["outcome"] == "granted"]
    application_rows = await applications.for_enterprise(user)
    for row in application_rows:
        row["outcome"] = _application_outcome(row)
    disbursed = [row for row in application_rows if row["status"] == "disbursed"]
    return CreditRecord(
        enterprise=enterprise,
        facts=facts,
        certifications=history,
        applications=application_rows,
        disbursed_count=len(disbursed),
        disbursed_amount=sum((row["disbursed_amount"] or Decimal(0) for row in disbursed), Decimal(0)),
        demands=demand_rows,
        shares=await shares_of(enterprise_id),
        granted_count=len(granted),
        granted_amount=sum((r["granted_amount"] or Decimal(0) for r in granted), Decimal(0)),
        fact_rows=_fact_rows(facts),
    )


# ---------------------------------------------------------------- the PDF report


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=1),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=12, textColor=colors.grey),
    }


def _table(header: list[str], rows: list[list[str]], widths: list[float], styles) -> Table:
    cell = styles["body"]
    data = [[Paragraph(text, cell) for text in header]] + [[Paragraph(str(text), cell) for text in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f3f5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _when(value: datetime | None) -> str:
    return local_time(value) or "—"


def report_pdf(record: CreditRecord, today: date) -> bytes:
    """导出: the enterprise's facts and record as an A4 PDF, dated today."""
    styles = _styles()
    name = record.enterprise["name"]
    story: list = [
        Paragraph("企业信用记录报告", styles["title"]),
        Paragraph(f"企业名称：{name}", styles["body"]),
        Paragraph(f"统一社会信用代码：{record.enterprise['credit_code']}", styles["body"]),
        Paragraph(f"报告日期：{today:%Y年%m月%d日}", styles["body"]),
        Spacer(1, 4 * mm),
        Paragraph("一、企业认证信息", styles["heading"]),
    ]
    if record.fact_rows:
        story.append(_table(["项目", "内容"], [[label, value or "—"] for label, value in record.fact_rows], [45, 125], styles))
    else:
        story.append(Paragraph("企业尚未通过认证。", styles["body"]))

    story.append(Paragraph("二、认证记录", styles["heading"]))
    rows = [[_when(c["submitted_at"]), c["status_label"], _when(c["decided_at"]), c["decision_reason"] or "—"] for c in record.certifications]
    story.append(_table(["提交时间", "结果", "审核时间", "审核意见"], rows, [38, 28, 38, 66], styles) if rows else Paragraph("暂无认证记录。", styles["body"]))

    story.append(Paragraph("三、融资申请", styles["heading"]))
    story.append(Paragraph(f"融资申请 {len(record.applications)} 笔；已放款 {record.disbursed_count} 笔，合计 {wan(record.disbursed_amount)} 万元。", styles["body"]))
    rows = [
        [_when(a["created_at"]), f"{a['number']} {a['product_name']}（{a['institution_name']}）", f"{wan(a['amount'])}万元/{a['term_months']}个月", a["outcome"]]
        for a in record.applications
    ]
    story.append(_table(["申请时间", "申请编号及产品", "金额/期限", "结果"], rows, [30, 60, 30, 50], styles) if rows else Paragraph("暂无融资申请。", styles["body"]))

    story.append(Paragraph("四、融资需求及对接结果", styles["heading"]))
    story.append(Paragraph(f"获得授信：{record.granted_count} 笔，合计 {wan(record.granted_amount)} 万元。", styles["body"]))
    rows = [
        [
            _when(d["created_at"]),
            f"{wan(d['amount'])}万元/{d['term_months']}个月",
            d["status_label"],
            "；".join(f"{r['institution']}：{r['outcome_label']}" for r in d["responses"]) or "暂无机构接单",
        ]
        for d in record.demands
    ]
    story.append(_table(["发布时间", "金额/期限", "状态", "机构对接结果"], rows, [34, 34, 20, 82], styles) if rows else Paragraph("暂无融资需求。", styles["body"]))

    story.append(Paragraph("五、数据授权", styles["heading"]))
    rows = [
        [s.label, s.subject_label, "、".join(s.institutions) or "暂无机构", _when(s.created_at), "有效" if s.active else f"已撤回（{_when(s.revoked_at)}）"]
        for s in record.shares
    ]
    story.append(_table(["授权", "事项", "可查看的机构", "授权时间", "状态"], rows, [34, 36, 40, 30, 30], styles) if rows else Paragraph("暂无数据授权。", styles["body"]))
    story += [Spacer(1, 8 * mm), Paragraph(f"本报告由湘企融（湖南省中小企业融资服务平台）根据平台记录生成于 {today:%Y-%m-%d}，仅反映企业在本平台上的记录。", styles["small"])]

    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm, title=f"{name} 信用记录报告", author="湘企融")
    document.build(story)
    return out.getvalue()
