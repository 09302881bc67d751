"""Loan applications: applying, the state machine of DESIGN.md §4, timelines, queues and deadlines.

Every transition is one conditional UPDATE on the expected current state, and in the same
transaction one timeline row, one message to the enterprise (plus an e-mail when its contact
address is known) and, for staff, one audit row. Two members of staff racing on one application
therefore cannot both win: the loser's UPDATE matches no row and is told so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Mapping

from piccolo.query.functions.aggregate import Sum

from xqr.db import is_unique_violation, write_transaction
from xqr.services import audit, certification, forms
from xqr.services.catalogue import contains, public_product
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.services.outbox import post_message, queue_mail
from xqr.services.users import phone_problem
from xqr.settings import get_settings
from xqr.tables.accounts import Enterprise
from xqr.tables.applications import ApplicationCounter, ApplicationEvent, LoanApplication
from xqr.web.current_user import CurrentUser
from xqr.services.consents import record_consent
from xqr.services.notification_prefs import wants

CHINA_TIME = timezone(timedelta(hours=8))
CONSENT_DOCUMENT = "application_share"
CONSENT_VERSION = "1"
STATUS_LABELS = {
    "submitted": "待受理",
    "accepted": "审核中",
    "approved": "审批通过",
    "disbursed": "已放款",
    "declined": "未通过",
    "withdrawn": "已撤回",
}
STATUS_STYLES = {
    "submitted": "status-warn",
    "accepted": "status-info",
    "approved": "status-ok",
    "disbursed": "status-ok",
    "declined": "status-bad",
    "withdrawn": "",
}
#: states in which the application still counts as the enterprise's one open application for a product
OPEN_STATUSES = ("submitted", "accepted", "approved")
QUEUE_PAGE_SIZE = 20
MAX_RATE = Decimal("36")


def now() -> datetime:
    return datetime.now(timezone.utc)


# --- deadlines -------------------------------------------------------------------------------------


def response_deadline(submitted_at: datetime, working_days: int) -> datetime:
    """The end (24:00 Beijing time) of the Nth working day after the day of submission.

    Saturdays and Sundays are skipped. Public holidays and the weekend days worked in their
    place (调休) are not known to the platform, so they count as ordinary days.
    """
    day = submitted_at.astimezone(CHINA_TIME).date()
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(0), CHINA_TIME).astimezone(timezone.utc)


def is_overdue(status: str, respond_by: datetime, moment: datetime | None = None) -> bool:
    """Not accepted (受理) by the deadline."""
    return status == "submitted" and (moment or now()) >= respond_by


def _decorate(row: dict, moment: datetime) -> dict:
    row["status_label"] = STATUS_LABELS[row["status"]]
    row["status_style"] = STATUS_STYLES[row["status"]]
    row["overdue"] = is_overdue(row["status"], row["respond_by"], moment)
    # the deadline is shown as the last day, not as the midnight that ends it
    row["respond_by_day"] = (row["respond_by"] - timedelta(seconds=1)).astimezone(CHINA_TIME).date()
    row["can_withdraw"] = row["status"] in ("submitted", "accepted")
    return row


# --- applying --------------------------------------------------------------------------------------


class NotCertified(Forbidden):
    """The enterprise may not apply before its certification is approved."""


async def ensure_may_apply(actor: CurrentUser) -> None:
    if actor.role != "enterprise" or not actor.enterprise_id:
        raise Forbidden("只有企业账号可以申请融资产品")
    enterprise = await Enterprise.select(Enterprise.cert_status).where(Enterprise.id == actor.enterprise_id).first()
    if enterprise is None or enterprise["cert_status"] != "certified":
        raise NotCertified("企业认证通过后才能申请融资产品。请先完成企业认证。")


async def contact_defaults(actor: CurrentUser) -> dict[str, str]:
    """联系人 and 联系电话 to pre-fill: the certified contact when known, else the account's phone."""
    contact = await certified_contact(actor.enterprise_id)
    return {"contact_name": contact.get("name", ""), "contact_phone": contact.get("phone", "") or actor.phone}


async def certified_contact(enterprise_id: int | None) -> dict[str, str]:
    """The contact person the enterprise gave at certification (name, phone, email); empty if not certified."""
    facts = await certification.certified_facts(enterprise_id) if enterprise_id else None
    if facts is None:
        return {}
    return {"name": facts.row["contact_name"], "phone": facts.row["contact_phone"], "email": facts.row["contact_email"]}


def _clean_application(product: dict, values: Mapping[str, str]) -> dict:
    errors: dict[str, str] = {}
    data: dict = {}
    data["amount"] = forms.decimal(values, "amount", "申请金额", errors, minimum=Decimal(0), maximum=Decimal("10000000"))
    if data["amount"] is not None and not product["min_amount"] <= data["amount"] <= product["max_amount"]:
        errors["amount"] = f"申请金额须在该产品的额度范围内（{_wan(product['min_amount'])}–{_wan(product['max_amount'])}万元）"
    data["term_months"] = forms.integer(values, "term_months", "申请期限", errors, minimum=1, maximum=600)
    if data["term_months"] is not None and not product["min_term_months"] <= data["term_months"] <= product["max_term_months"]:
        errors["term_months"] = f"申请期限须在该产品的期限范围内（{product['min_term_months']}–{product['max_term_months']}个月）"
    data["purpose"] = forms.text(values, "purpose", "资金用途", errors, max_length=200)
    data["contact_name"] = forms.text(values, "contact_name", "联系人", errors, max_length=40)
    data["contact_phone"] = forms.text(values, "contact_phone", "联系电话", errors, max_length=11)
    if "contact_phone" not in errors and (problem := phone_problem(data["contact_phone"])):
        errors["contact_phone"] = problem
    data["remark"] = forms.text(values, "remark", "补充说明", errors, max_length=1000, required=False)
    if values.get("consent") != "yes":
        errors["consent"] = "请阅读并同意向该机构授权查看企业认证信息及材料"
    if errors:
        raise ValidationFailed(errors)
    return data


def _wan(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


async def _next_number(moment: datetime) -> str:
    """XQR-<year>-<sequence>: one atomic upsert, so concurrent applications never share a number."""
    year = moment.astimezone(CHINA_TIME).year
    rows = await ApplicationCounter.raw(
        "INSERT INTO application_counter (year, last_number) VALUES ({}, 1) "
        "ON CONFLICT (year) DO UPDATE SET last_number = application_counter.last_number + 1 RETURNING last_number",
        year,
    )
    return f"XQR-{year}-{rows[0]['last_number']:06d}"


@dataclass(frozen=True)
class Applied:
    id: int
    number: str


async def _open_application(enterprise_id: int, product_id: int) -> dict | None:
    return await LoanApplication.select(LoanApplication.id, LoanApplication.number).where(
        LoanApplication.open_key == f"{enterprise_id}:{product_id}"
    ).first()


def _already_open(number: str) -> Conflict:
    return Conflict(f"您对该产品已有一笔进行中的申请（{number}），请在「我的申请」中查看进度。")


async def apply(
    actor: CurrentUser, product_id: int, values: Mapping[str, str], *, response_days: int, ip: str = "", user_agent: str = ""
) -> Applied:
    """立即申请: validate, then create the application, its consent and its first timeline row."""
    product = await public_product(product_id)
    await ensure_may_apply(actor)
    data = _clean_application(product, values)
    if existing := await _open_application(actor.enterprise_id, product_id):
        raise _already_open(existing["number"])
    moment = now()
    try:
        async with write_transaction():
            number = await _next_number(moment)
            application = LoanApplication(
                number=number,
                enterprise=actor.enterprise_id,
                product=product_id,
                institution=product["institution"],
                applicant=actor.id,
                status="submitted",
                open_key=f"{actor.enterprise_id}:{product_id}",
                created_at=moment,
                respond_by=response_deadline(moment, response_days),
                **data,
            )
            await application.save()
            consent_id = await record_consent(
                CONSENT_DOCUMENT, CONSENT_VERSION, user_id=actor.id, subject=f"application:{application.id}", ip=ip, user_agent=user_agent
            )
            await LoanApplication.update({LoanApplication.consent: consent_id}).where(LoanApplication.id == application.id)
            await ApplicationEvent(
                application=application.id,
                actor=actor.id,
                actor_label=actor.enterprise_name or actor.username,
                from_status="",
                to_status="submitted",
                note="",
                created_at=moment,
            ).save()
            await _tell_enterprise(
                application.id,
                f"融资申请已提交：{product['name']}",
                f"您的融资申请 {number} 已提交至{product['institution_name']}，等待受理。",
            )
    except Exception as error:
        if is_unique_violation(error):
            # a double click or two tabs: the other request created the open application first
            existing = await _open_application(actor.enterprise_id, product_id)
            raise _already_open(existing["number"] if existing else "") from error
        raise
    return Applied(application.id, number)


# --- transitions -----------------------------------------------------------------------------------


async def _tell_enterprise(application_id: int, title: str, body: str) -> None:
    """The in-app message to the applicant, and an e-mail to the certified contact when there is one."""
    row = await LoanApplication.select(LoanApplication.applicant, LoanApplication.enterprise, LoanApplication.number).where(
        LoanApplication.id == application_id
    ).first()
    link = f"/my/applications#{row['number']}"
    await post_message(row["applicant"], title, body, link)
    address = (await certified_contact(row["enterprise"])).get("email", "")
    if address and await wants(row["applicant"], "mail", "application"):
        await queue_mail(
            address,
            "application_status",
            {"title": title, "body": body, "number": row["number"], "link": link, "base_url": get_settings().base_url},
        )


@dataclass(frozen=True)
class Transition:
    action: str  #: accept | approve | decline | disburse | withdraw
    verb: str  #: what the button says, for messages
    from_statuses: tuple[str, ...]
    to_status: str


TRANSITIONS = {
    "accept": Transition("accept", "受理", ("submitted",), "accepted"),
    "approve": Transition("approve", "审批通过", ("accepted",), "approved"),
    "decline": Transition("decline", "审批不通过", ("submitted", "accepted"), "declined"),
    "disburse": Transition("disburse", "登记放款", ("approved",), "disbursed"),
    "withdraw": Transition("withdraw", "撤回", ("submitted", "accepted"), "withdrawn"),
}


async def _transition(
    actor: CurrentUser, application_id: int, scope, transition: Transition, changes: dict, note: str, message: tuple[str, str], ip: str
) -> None:
    moment = now()
    closing = transition.to_status not in OPEN_STATUSES
    async with write_transaction():
        row = await LoanApplication.select(LoanApplication.id, LoanApplication.status).where(
            (LoanApplication.id == application_id) & scope
        ).first()
        if row is None:
            raise NotFound("该申请不存在")
        updated = (
            await LoanApplication.update(
                {
                    LoanApplication.status: transition.to_status,
                    **({LoanApplication.open_key: None} if closing else {}),
                    **changes,
                }
            )
            .where((LoanApplication.id == application_id) & LoanApplication.status.is_in(list(transition.from_statuses)))
            .returning(LoanApplication.id)
        )
        if not updated:
            current = await LoanApplication.select(LoanApplication.status).where(LoanApplication.id == application_id).first()
            raise Conflict(
                f"该申请当前状态为「{STATUS_LABELS[current['status']]}」，不能{transition.verb}。可能已被他人处理，请刷新后查看。"
            )
        staff = actor.role != "enterprise"
        await ApplicationEvent(
            application=application_id,
            actor=actor.id,
            actor_label=f"{actor.institution_name} · {actor.username}" if staff else (actor.enterprise_name or actor.username),
            from_status=row["status"],
            to_status=transition.to_status,
            note=note,
            created_at=moment,
        ).save()
        if staff:
            detail = {"from": row["status"], "to": transition.to_status, **({"note": note} if note else {})}
            await audit.record(actor, f"application.{transition.action}", "loan_application", application_id, detail, ip)
        await _tell_enterprise(application_id, *message)


def _staff_scope(actor: CurrentUser):
    """Institution staff see their own institution's applications; admins see all (read only)."""
    if actor.role == "admin":
        return LoanApplication.id.is_not_null()
    if actor.role == "institution" and actor.institution_id:
        return LoanApplication.institution == actor.institution_id
    raise NotFound("该申请不存在")


def _deciding_scope(actor: CurrentUser):
    if actor.role != "institution" or not actor.institution_id:
        raise Forbidden("只有该产品所属机构的工作人员可以处理申请")
    return _staff_scope(actor)


async def _summary(application_id: int) -> dict:
    return await LoanApplication.select(
        LoanApplication.number, LoanApplication.product.name.as_alias("product_name"), LoanApplication.amount
    ).where(LoanApplication.id == application_id).first() or {}


async def accept(actor: CurrentUser, application_id: int, ip: str = "") -> None:
    scope = _deciding_scope(actor)
    info = await _summary(application_id)
    await _transition(
        actor, application_id, scope, TRANSITIONS["accept"], {LoanApplication.accepted_at: now()}, "",
        ("融资申请已受理", f"{actor.institution_name}已受理您的融资申请 {info.get('number', '')}（{info.get('product_name', '')}），正在审核中。"),
        ip,
    )


async def approve(actor: CurrentUser, application_id: int, values: Mapping[str, str], ip: str = "") -> None:
    scope = _deciding_scope(actor)
    errors: dict[str, str] = {}
    approved_amount = forms.decimal(values, "approved_amount", "批准金额", errors, minimum=Decimal(0), maximum=Decimal("10000000"))
    rate = forms.decimal(values, "approved_rate", "年利率", errors, minimum=Decimal(0), maximum=MAX_RATE, allow_zero=True)
    term = forms.integer(values, "approved_term_months", "批准期限", errors, minimum=1, maximum=600)
    if errors:
        raise ValidationFailed(errors)
    info = await _summary(application_id)
    note = f"批准金额 {_wan(approved_amount)} 万元，年利率 {_wan(rate)}%，期限 {term} 个月"
    await _transition(
        actor, application_id, scope, TRANSITIONS["approve"],
        {
            LoanApplication.approved_amount: approved_amount,
            LoanApplication.approved_rate: rate,
            LoanApplication.approved_term_months: term,
            LoanApplication.decided_at: now(),
        },
        note,
        ("融资申请审批通过", f"您的融资申请 {info.get('number', '')}（{info.get('product_name', '')}）已审批通过：{note}。"),
        ip,
    )


async def decline(actor: CurrentUser, application_id: int, values: Mapping[str, str], ip: str = "") -> None:
    scope = _deciding_scope(actor)
    errors: dict[str, str] = {}
    reason = forms.text(values, "reason", "未通过原因", errors, max_length=500)
    if errors:
        raise ValidationFailed(errors)
    info = await _summary(application_id)
    await _transition(
        actor, application_id, scope, TRANSITIONS["decline"],
        {LoanApplication.decline_reason: reason, LoanApplication.decided_at: now()},
        reason,
        ("融资申请未通过", f"您的融资申请 {info.get('number', '')}（{info.get('product_name', '')}）未通过。原因：{reason}"),
        ip,
    )


async def disburse(actor: CurrentUser, application_id: int, values: Mapping[str, str], ip: str = "") -> None:
    scope = _deciding_scope(actor)
    current = await LoanApplication.select(LoanApplication.approved_amount, LoanApplication.decided_at).where(
        (LoanApplication.id == application_id) & scope
    ).first()
    if current is None:
        raise NotFound("该申请不存在")
    errors: dict[str, str] = {}
    amount = forms.decimal(values, "disbursed_amount", "放款金额", errors, minimum=Decimal(0), maximum=Decimal("10000000"))
    if amount is not None and current["approved_amount"] is not None and amount > current["approved_amount"]:
        errors["disbursed_amount"] = f"放款金额不能超过批准金额（{_wan(current['approved_amount'])}万元）"
    on = forms.day(values, "disbursed_on", "放款日期", errors)
    today = now().astimezone(CHINA_TIME).date()
    if on is not None and on > today:
        errors["disbursed_on"] = "放款日期不能晚于今天"
    elif on is not None and current["decided_at"] and on < current["decided_at"].astimezone(CHINA_TIME).date():
        errors["disbursed_on"] = "放款日期不能早于审批通过日期"
    if errors:
        raise ValidationFailed(errors)
    info = await _summary(application_id)
    note = f"放款金额 {_wan(amount)} 万元，放款日期 {on.isoformat()}"
    await _transition(
        actor, application_id, scope, TRANSITIONS["disburse"],
        {LoanApplication.disbursed_amount: amount, LoanApplication.disbursed_on: on},
        note,
        ("融资申请已放款", f"您的融资申请 {info.get('number', '')}（{info.get('product_name', '')}）已放款：{note}。"),
        ip,
    )


async def withdraw(actor: CurrentUser, application_id: int, ip: str = "") -> None:
    """撤回 by the enterprise while 待受理 or 审核中; another enterprise's application is NotFound."""
    if actor.role != "enterprise" or not actor.enterprise_id:
        raise NotFound("该申请不存在")
    info = await _summary(application_id)
    await _transition(
        actor, application_id, LoanApplication.enterprise == actor.enterprise_id, TRANSITIONS["withdraw"], {}, "",
        ("融资申请已撤回", f"您已撤回融资申请 {info.get('number', '')}（{info.get('product_name', '')}）。"),
        ip,
    )


# --- reading ---------------------------------------------------------------------------------------

def _list_columns():
    return (
        *LoanApplication.all_columns(exclude=[LoanApplication.open_key]),
        LoanApplication.product.name.as_alias("product_name"),
        LoanApplication.institution.name.as_alias("institution_name"),
        LoanApplication.enterprise.name.as_alias("enterprise_name"),
    )


async def _events_by_application(application_ids: list[int]) -> dict[int, list[dict]]:
    timeline: dict[int, list[dict]] = {application_id: [] for application_id in application_ids}
    if not application_ids:
        return timeline
    rows = await ApplicationEvent.select().where(ApplicationEvent.application.is_in(application_ids)).order_by(ApplicationEvent.id)
    for row in rows:
        row["to_label"] = STATUS_LABELS[row["to_status"]]
        row["from_label"] = STATUS_LABELS.get(row["from_status"], "")
        timeline[row["application"]].append(row)
    return timeline


async def for_enterprise(actor: CurrentUser) -> list[dict]:
    """我的申请 / 我的订单: the enterprise's applications, newest first, each with its timeline."""
    rows = await LoanApplication.select(*_list_columns()).where(LoanApplication.enterprise == actor.enterprise_id).order_by(
        LoanApplication.id, ascending=False
    )
    timeline = await _events_by_application([row["id"] for row in rows])
    moment = now()
    for row in rows:
        _decorate(row, moment)
        row["events"] = timeline[row["id"]]
    return rows


@dataclass
class Queue:
    items: list[dict]
    total: int
    page: int
    pages: int
    overdue: int


async def queue(actor: CurrentUser, *, status: str = "", q: str = "", overdue_only: bool = False, institution: int | None = None, page: int = 1) -> Queue:
    """The staff queue (申请受理); admins see every institution's and may filter by one."""
    scope = _staff_scope(actor)
    moment = now()
    condition = scope
    if status in STATUS_LABELS:
        condition &= LoanApplication.status == status
    if q:
        condition &= (
            contains(LoanApplication.number, q) | contains(LoanApplication.enterprise.name, q) | contains(LoanApplication.product.name, q)
        )
    if overdue_only:
        condition &= (LoanApplication.status == "submitted") & (LoanApplication.respond_by <= moment)
    if institution and actor.role == "admin":
        condition &= LoanApplication.institution == institution
    total = await LoanApplication.count().where(condition)
    pages = max(1, math.ceil(total / QUEUE_PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = await (
        LoanApplication.select(*_list_columns())
        .where(condition)
        .order_by(LoanApplication.id, ascending=False)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
        .limit(QUEUE_PAGE_SIZE)
    )
    overdue = await LoanApplication.count().where(scope & (LoanApplication.status == "submitted") & (LoanApplication.respond_by <= moment))
    for row in rows:
        _decorate(row, moment)
    return Queue(items=rows, total=total, page=page, pages=pages, overdue=overdue)


async def for_staff(actor: CurrentUser, application_id: int) -> dict:
    """One application with its applicant and timeline; another institution's is NotFound."""
    row = await LoanApplication.select(
        *_list_columns(),
        LoanApplication.enterprise.credit_code.as_alias("credit_code"),
        LoanApplication.enterprise.address.as_alias("enterprise_address"),
        LoanApplication.enterprise.cert_status.as_alias("cert_status"),
        LoanApplication.product.min_amount.as_alias("product_min_amount"),
        LoanApplication.product.max_amount.as_alias("product_max_amount"),
        LoanApplication.consent.created_at.as_alias("consent_at"),
        LoanApplication.consent.revoked_at.as_alias("consent_revoked_at"),
    ).where((LoanApplication.id == application_id) & _staff_scope(actor)).first()
    if row is None:
        raise NotFound("该申请不存在")
    _decorate(row, now())
    row["events"] = (await _events_by_application([application_id]))[application_id]
    # the certified facts and documents, only with the enterprise's consent for this application,
    # and not once the enterprise revoked it in 信用记录
    row["consented"] = row["consent"] is not None and row["consent_revoked_at"] is None
    facts = await certification.certified_facts(row["enterprise"]) if row["consented"] else None
    row["certification"] = await certification.load_draft(facts.row) if facts else None
    return row


async def totals() -> tuple[int, Decimal]:
    """Applications received and the amount approved (审批通过 and 已放款), for the home page."""
    count = await LoanApplication.count()
    row = await LoanApplication.select(Sum(LoanApplication.approved_amount, alias="total")).where(
        LoanApplication.status.is_in(["approved", "disbursed"])
    ).first()
    return count, Decimal(str(row["total"] or 0))
