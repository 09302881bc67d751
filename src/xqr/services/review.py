"""The reviewers' workbench for certification requests: the queue, claiming, and decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from xqr.db import write_transaction
from xqr.services import audit, reference
from xqr.services.certification import (
    FACT_LABELS,
    REGISTRY_ATTRIBUTES,
    REVIEW_ITEMS,
    STATUS_LABELS,
    Draft,
    history,
    load_draft,
    revealed_id_number,
)
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.services.outbox import post_message, queue_mail
from xqr.services.registry import get_registry
from xqr.services.notification_prefs import wants
from xqr.tables.accounts import Enterprise
from xqr.tables.certification import CertificationItemResult, CertificationRequest
from xqr.settings import get_settings
from xqr.web.current_user import CurrentUser

PRESET_REASONS = ("图片模糊", "缺页或不完整", "证照已过期", "未加盖公章", "信息与登记不一致", "疑似伪造或篡改", "其他")
OUTCOMES = {"approve": "approved", "return": "returned", "refuse": "refused"}
#: the queue's filters, in the order of the tabs
QUEUE_FILTERS = {"submitted": "待审核", "approved": "已通过", "returned": "退回修改", "refused": "不予通过"}
QUEUE_LIMIT = 200
ENTERPRISE_STATUS_AFTER = {"approved": "certified", "returned": "rejected", "refused": "rejected"}


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Finding:
    item: str
    reason: str
    note: str = ""


@dataclass(frozen=True)
class FactComparison:
    name: str
    label: str
    submitted: str
    registry: str
    from_registry: bool

    @property
    def differs(self) -> bool:
        return bool(self.registry) and self.submitted != self.registry


@dataclass
class ReviewView:
    draft: Draft
    facts: list[FactComparison]
    legal_id: str
    history: list[dict]
    findings: list[dict]
    registry_found: bool


async def queue(status: str = "submitted", search: str = "") -> list[dict]:
    query = CertificationRequest.select(
        CertificationRequest.id,
        CertificationRequest.enterprise_name,
        CertificationRequest.credit_code,
        CertificationRequest.status,
        CertificationRequest.submitted_at,
        CertificationRequest.decided_at,
        CertificationRequest.registry_matched,
        CertificationRequest.reviewer.username.as_alias("reviewer_name"),
    ).where(CertificationRequest.status == (status if status in QUEUE_FILTERS else "submitted"))
    text = search.strip()
    if text:
        escaped = text.replace("\\", "").replace("%", "").replace("_", "")
        query = query.where(
            CertificationRequest.enterprise_name.like(f"%{escaped}%") | CertificationRequest.credit_code.like(f"{escaped.upper()}%")
        )
    # Oldest first while waiting (first come, first served); newest first once decided.
    if status in {"", "submitted"}:
        query = query.order_by(CertificationRequest.submitted_at)
    else:
        query = query.order_by(CertificationRequest.decided_at, ascending=False)
    rows = await query.limit(QUEUE_LIMIT)
    moment = _now()
    for row in rows:
        row["waiting"] = waiting_label(row["submitted_at"], moment)
    return rows


def waiting_label(since: datetime | None, moment: datetime) -> str:
    """How long a request has waited, as a reviewer reads it: 3天5小时, 2小时, 15分钟."""
    if since is None:
        return ""
    minutes = max(int((moment - since).total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}天{hours}小时"
    return f"{hours}小时" if hours else f"{minutes}分钟"


def _shown(name: str, value: Any) -> str:
    """A fact as people read it: 注册区域 and 行业分类 by name, amounts without trailing zeros."""
    if value in (None, ""):
        return ""
    if name == "division_code":
        return reference.division_name(value) or str(value)
    if name == "industry_code":
        return f"{value} {reference.industry_name(value)}".strip()
    if name == "registered_capital":
        return f"{value.normalize():f}"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


async def _load(request_id: int) -> dict:
    """A submitted (or decided) request with its reviewer's name; drafts are the enterprise's alone."""
    row = await CertificationRequest.select(
        CertificationRequest.all_columns(),
        CertificationRequest.reviewer.username.as_alias("reviewer_name"),
    ).where(CertificationRequest.id == request_id).first()
    if row is None or row["status"] == "draft":
        raise NotFound("认证申请不存在")
    return row


async def review_view(request_id: int) -> ReviewView:
    row = await _load(request_id)
    draft = await load_draft(row)
    entry = await get_registry().lookup(row["credit_code"]) if row["credit_code"] else None
    facts = [
        FactComparison(
            name,
            label,
            _shown(name, row[name]),
            _shown(name, getattr(entry, REGISTRY_ATTRIBUTES[name])) if entry else "",
            name in draft.registry_fields,
        )
        for name, label in FACT_LABELS.items()
    ]
    findings = await CertificationItemResult.select().where(CertificationItemResult.request == request_id).order_by(CertificationItemResult.id)
    return ReviewView(
        draft=draft,
        facts=facts,
        legal_id=revealed_id_number(row),
        history=[h for h in await history(row["enterprise"]) if h["id"] != request_id],
        findings=findings,
        registry_found=entry is not None,
    )


def _already_decided(row: dict) -> Conflict:
    return Conflict(f"该申请已处理（{STATUS_LABELS[row['status']]}），您的操作未保存，请刷新页面查看最新状态")


async def claim(actor: CurrentUser, request_id: int, ip: str) -> None:
    """认领: the request becomes this reviewer's to decide."""
    async with write_transaction():
        row = await _load(request_id)
        if row["status"] != "submitted":
            raise _already_decided(row)
        claimed = await (
            CertificationRequest.update({CertificationRequest.reviewer: actor.id, CertificationRequest.claimed_at: _now()})
            .where(
                (CertificationRequest.id == request_id)
                & (CertificationRequest.status == "submitted")
                & CertificationRequest.reviewer.is_null()
            )
            .returning(CertificationRequest.id)
        )
        if not claimed:
            current = await _load(request_id)
            if current["reviewer"] == actor.id:
                return
            raise Conflict(f"该申请已由审核员 {current['reviewer_name'] or ''} 认领，您不能处理")
        await audit.record(actor, "certification.claim", "certification_request", request_id, {}, ip)


def check_decision(outcome: str, findings: list[Finding], reason: str) -> None:
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["__all__"] = "请选择审核结果"
    for finding in findings:
        if finding.item not in REVIEW_ITEMS:
            errors["__all__"] = "审核项目不存在"
        elif finding.reason not in PRESET_REASONS:
            errors[f"reason_{finding.item}"] = "请从列表中选择原因"
        elif finding.reason == "其他" and not finding.note.strip():
            errors[f"note_{finding.item}"] = "选择「其他」时请填写说明"
        elif len(finding.note) > 500:
            errors[f"note_{finding.item}"] = "说明不能超过500个字"
    if outcome == "approve" and findings:
        errors["__all__"] = "标记了问题项时不能通过，请选择退回修改或不予通过"
    if outcome == "return" and not findings:
        errors["__all__"] = "退回修改时请至少标出一项问题及原因"
    if outcome == "refuse" and not reason.strip():
        errors["decision_reason"] = "不予通过时请填写原因"
    if len(reason) > 1000:
        errors["decision_reason"] = "原因不能超过1000个字"
    if errors:
        raise ValidationFailed(errors)


def _message_text(status: str, findings: list[Finding], reason: str) -> tuple[str, str]:
    labels = {item: label for item, (label, _) in REVIEW_ITEMS.items()}
    lines = [f"{labels[f.item]}：{f.reason}" + (f"（{f.note.strip()}）" if f.note.strip() else "") for f in findings]
    if reason.strip():
        lines.append(f"审核意见：{reason.strip()}")
    title = {
        "approved": "企业认证已通过",
        "returned": "企业认证被退回修改",
        "refused": "企业认证不予通过",
    }[status]
    lead = {
        "approved": "您的企业认证已通过审核，现在可以申请融资产品、发布融资需求。",
        "returned": "您的企业认证资料需要修改，请按以下原因修改后重新提交：",
        "refused": "很遗憾，您的企业认证未通过审核。",
    }[status]
    return title, "\n".join([lead, *lines])


async def decide(actor: CurrentUser, request_id: int, outcome: str, findings: list[Finding], reason: str, ip: str) -> str:
    """通过 / 退回修改 / 不予通过, by the reviewer who claimed the request; returns the new status.

    The change is a conditional update on status 'submitted' and this reviewer: of two racing
    decisions exactly one lands, the other gets Conflict and changes nothing.
    """
    check_decision(outcome, findings, reason)
    status = OUTCOMES[outcome]
    async with write_transaction():
        row = await _load(request_id)
        if row["status"] != "submitted":
            raise _already_decided(row)
        if row["reviewer"] != actor.id:
            raise Forbidden("请先认领该申请；只有认领的审核员可以作出审核决定")
        moment = _now()
        decided = await (
            CertificationRequest.update(
                {
                    CertificationRequest.status: status,
                    CertificationRequest.decided_at: moment,
                    CertificationRequest.decision_reason: reason.strip(),
                    CertificationRequest.updated_at: moment,
                }
            )
            .where(
                (CertificationRequest.id == request_id)
                & (CertificationRequest.status == "submitted")
                & (CertificationRequest.reviewer == actor.id)
            )
            .returning(CertificationRequest.id)
        )
        if not decided:
            raise _already_decided(await _load(request_id))
        for finding in findings:
            await CertificationItemResult(
                request=request_id, item=finding.item, reason=finding.reason, note=finding.note.strip(), reviewer=actor.id, created_at=moment
            ).save()
        enterprise_changes: dict = {Enterprise.cert_status: ENTERPRISE_STATUS_AFTER[status]}
        if status == "approved":
            enterprise_changes[Enterprise.address] = row["address"]
        await Enterprise.update(enterprise_changes).where(Enterprise.id == row["enterprise"])
        title, body = _message_text(status, findings, reason)
        link = "/my/enterprise" if status == "approved" else "/my/certification"
        await post_message(row["applicant"], title, body, link)
        if await wants(row["applicant"], "mail", "certification"):
            await queue_mail(
                row["contact_email"],
                "certification_decision",
                {
                    "title": title,
                    "body": body,
                    "enterprise_name": row["enterprise_name"],
                    "contact_name": row["contact_name"],
                    "url": get_settings().base_url + link,
                },
            )
        await audit.record(
            actor,
            f"certification.{outcome}",
            "certification_request",
            request_id,
            {"findings": [f.__dict__ for f in findings], "reason": reason.strip()},
            ip,
        )
    return status
