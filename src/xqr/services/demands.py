"""需求管理: enterprises post financing demands, institutions take them (at most 3), admins dispatch.

Taking the last slot is a race: the slot is claimed by a conditional update of
Demand.taken_count (`... WHERE taken_count < 3`), and DemandResponse.pair_key is
unique per (demand, institution), both in one transaction, so neither a fourth
institution nor a second take by the same one can slip through on SQLite or
PostgreSQL.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from xqr.db import is_unique_violation, write_transaction
from xqr.services import audit
from xqr.services import reference
from xqr.services.certification import certified_facts
from xqr.services.data_shares import has_active_share
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.services.outbox import post_message, queue_mail
from xqr.services.users import phone_problem
from xqr.settings import get_settings
from xqr.tables.accounts import Enterprise, User
from xqr.tables.catalogue import Institution
from xqr.tables.demands import Demand, DemandResponse
from xqr.web.current_user import CurrentUser
from xqr.web.templating import amount as amount_text
from xqr.services.consents import record_consent
from xqr.services.notification_prefs import wants

logger = logging.getLogger("xqr.demands")

MAX_RESPONSES = 3
MAX_AMOUNT = Decimal(100000)  # 万元 (10 亿元)
MAX_RATE = Decimal(36)
MAX_TERM_MONTHS = 360
MAX_VALIDITY_DAYS = 180
CONSENT_DOCUMENT = "demand_share"
CONSENT_VERSION = "1.0"
CONSENT_TEXT = "我同意接单的金融机构查看本企业的认证信息及本需求的联系方式，用于融资对接"
CHINA_TIME = timezone(timedelta(hours=8))
EMAIL_RULE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

GUARANTEES = ["信用", "保证", "抵押", "质押", "担保公司担保"]
STATUS_LABELS = {"open": "对接中", "closed": "已关闭", "expired": "已过期"}
OUTCOME_LABELS = {"none": "已接单", "contacted": "已联系", "granted": "已授信", "refused": "未授信"}
RECORDABLE_OUTCOMES = ("contacted", "granted", "refused")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """Validity dates are Beijing dates."""
    return now().astimezone(CHINA_TIME).date()


# ---------------------------------------------------------------- regions and industries


def region_choices() -> list[tuple[str, str]]:
    """(4-digit prefix, name) of Hunan's 14 prefecture-level divisions, for region filters."""
    return [(city.code[:4], city.name) for city in reference.cities()]


def industry_choices() -> list[tuple[str, str]]:
    """(letter, name) of the GB/T 4754 sections (门类)."""
    return [(section.code, section.name) for section in reference.industry_sections()]


def section_of(industry_code: str) -> str:
    """The section letter of a certified 行业分类 (a letter or a division such as 65)."""
    code = (industry_code or "").strip().upper()
    if code[:1].isalpha():
        return code[:1]
    industry = reference.industries().get(code[:2])
    return industry.section or "" if industry else ""


def region_of_credit_code(credit_code: str) -> str:
    """Positions 3-8 of a 统一社会信用代码 are the registering authority's division code (GB 32100)."""
    code = credit_code[2:8]
    return code if code[:4] + "00" in reference.divisions() else ""


async def enterprise_region_and_industry(enterprise_id: int) -> tuple[str, str]:
    """From the approved certification when there is one (注册区域, 行业分类), else the credit code's division."""
    facts = await certified_facts(enterprise_id)
    if facts and facts.row["division_code"]:
        return facts.row["division_code"], section_of(facts.row["industry_code"])
    enterprise = await Enterprise.select(Enterprise.credit_code).where(Enterprise.id == enterprise_id).first()
    return region_of_credit_code(enterprise["credit_code"]), ""


async def form_defaults(user: CurrentUser) -> dict[str, str]:
    """A new demand's form pre-filled from the certification: 所属行业 and the contact person."""
    if user.enterprise_id is None:
        return {}
    _, industry = await enterprise_region_and_industry(user.enterprise_id)
    facts = await certified_facts(user.enterprise_id)
    row = facts.row if facts else {}
    return {
        "industry": industry,
        "contact_name": row.get("contact_name", ""),
        "contact_phone": row.get("contact_phone") or user.phone,
        "contact_email": row.get("contact_email", ""),
    }


# ---------------------------------------------------------------- the form


@dataclass(frozen=True)
class DemandInput:
    amount: Decimal
    term_months: int
    purpose: str
    guarantee: str
    max_rate: Decimal
    expires_on: date
    contact_name: str
    contact_phone: str
    contact_email: str
    industry: str


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() else None


def parse_demand_form(form: dict[str, str], *, posting: bool) -> DemandInput:
    """The demand form's values, or ValidationFailed with a message per bad field."""
    errors: dict[str, str] = {}
    field = lambda name: (form.get(name) or "").strip()  # noqa: E731

    amount = _decimal(field("amount"))
    if amount is None:
        errors["amount"] = "请输入融资金额（万元），如 300"
    elif not Decimal(0) < amount <= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = f"融资金额须大于0且不超过{MAX_AMOUNT}万元，最多两位小数"

    term = field("term_months")
    if not term.isdigit() or not 1 <= int(term) <= MAX_TERM_MONTHS:
        errors["term_months"] = f"期限须为1-{MAX_TERM_MONTHS}之间的整数（月）"

    purpose = field("purpose")
    if not 2 <= len(purpose) <= 500:
        errors["purpose"] = "请填写资金用途（2-500字）"

    if field("guarantee") not in GUARANTEES:
        errors["guarantee"] = "请选择可提供的担保方式"

    rate = _decimal(field("max_rate"))
    if rate is None:
        errors["max_rate"] = "请输入可接受的最高年利率（%），如 6.5"
    elif not Decimal(0) < rate <= MAX_RATE or rate != rate.quantize(Decimal("0.01")):
        errors["max_rate"] = f"最高利率须大于0且不超过{MAX_RATE}%，最多两位小数"

    expires_on: date | None = None
    try:
        expires_on = date.fromisoformat(field("expires_on"))
    except ValueError:
        errors["expires_on"] = "请选择有效期（截止日期）"
    if expires_on and not today() < expires_on <= today() + timedelta(days=MAX_VALIDITY_DAYS):
        errors["expires_on"] = f"有效期须在今天之后，且不超过{MAX_VALIDITY_DAYS}天"

    contact_name = field("contact_name")
    if not 1 <= len(contact_name) <= 30:
        errors["contact_name"] = "请填写联系人（30字以内）"
    contact_phone = field("contact_phone")
    if problem := phone_problem(contact_phone):
        errors["contact_phone"] = problem
    contact_email = field("contact_email")
    if contact_email and (len(contact_email) > 120 or not EMAIL_RULE.match(contact_email)):
        errors["contact_email"] = "邮箱格式不正确"

    if field("industry") not in dict(industry_choices()):
        errors["industry"] = "请选择所属行业"

    if posting and form.get("consent") != "yes":
        errors["consent"] = "请勾选同意授权后再发布"

    if errors:
        raise ValidationFailed(errors)
    return DemandInput(
        amount=amount,  # type: ignore[arg-type]
        term_months=int(term),
        purpose=purpose,
        guarantee=field("guarantee"),
        max_rate=rate,  # type: ignore[arg-type]
        expires_on=expires_on,  # type: ignore[arg-type]
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        industry=field("industry"),
    )


def form_values(demand: dict[str, Any]) -> dict[str, str]:
    """A stored demand as the edit form shows it."""
    keys = ("amount", "term_months", "purpose", "guarantee", "max_rate", "contact_name", "contact_phone", "contact_email", "industry")
    values = {key: amount_text(demand[key]) if isinstance(demand[key], Decimal) else str(demand[key]) for key in keys}
    values["expires_on"] = demand["expires_on"].isoformat()
    return values


# ---------------------------------------------------------------- enterprise side


def _require_certified(user: CurrentUser) -> int:
    if user.role != "enterprise" or user.enterprise_id is None:
        raise Forbidden("只有企业账号可以发布融资需求")
    if not user.is_certified:
        raise Forbidden("企业认证通过后才能发布融资需求")
    return user.enterprise_id


async def post_demand(user: CurrentUser, form: dict[str, str], *, ip: str = "", user_agent: str = "") -> int:
    enterprise_id = _require_certified(user)
    values = parse_demand_form(form, posting=True)
    region_code, _ = await enterprise_region_and_industry(enterprise_id)
    moment = now()
    async with write_transaction():
        demand = Demand(
            enterprise=enterprise_id,
            posted_by=user.id,
            region_code=region_code,
            created_at=moment,
            updated_at=moment,
            **values.__dict__,
        )
        await demand.save()
        consent_id = await record_consent(
            CONSENT_DOCUMENT, CONSENT_VERSION, user_id=user.id, subject=f"demand:{demand.id}", ip=ip, user_agent=user_agent
        )
        await Demand.update({Demand.consent: consent_id}).where(Demand.id == demand.id)
    return demand.id


async def own_demand(user: CurrentUser, demand_id: int) -> dict[str, Any]:
    """The enterprise's own demand; another enterprise's is 'not found' (its existence is not revealed)."""
    row = await Demand.select().where((Demand.id == demand_id) & (Demand.enterprise == (user.enterprise_id or -1))).first()
    if row is None:
        raise NotFound("该需求不存在")
    return _decorate(row)


async def edit_demand(user: CurrentUser, demand_id: int, form: dict[str, str]) -> None:
    _require_certified(user)
    await own_demand(user, demand_id)
    values = parse_demand_form(form, posting=False)
    async with write_transaction():
        changed = await Demand.update({**{getattr(Demand, k): v for k, v in values.__dict__.items()}, Demand.updated_at: now()}).where(
            (Demand.id == demand_id) & (Demand.status == "open")
        ).returning(Demand.id)
    if not changed:
        raise Conflict("需求已关闭或已过期，不能修改")


async def close_demand(user: CurrentUser, demand_id: int) -> None:
    await own_demand(user, demand_id)
    async with write_transaction():
        changed = await Demand.update({Demand.status: "closed", Demand.closed_at: now(), Demand.updated_at: now()}).where(
            (Demand.id == demand_id) & (Demand.status == "open")
        ).returning(Demand.id)
    if not changed:
        raise Conflict("需求已关闭或已过期")


async def own_demands(user: CurrentUser) -> list[dict[str, Any]]:
    rows = await Demand.select().where(Demand.enterprise == (user.enterprise_id or -1)).order_by(Demand.id, ascending=False)
    return [_decorate(row) for row in rows]


async def responses_of(demand_id: int) -> list[dict[str, Any]]:
    """Each institution's response, taken ones first; dispatches not yet taken show as 已派单."""
    rows = await DemandResponse.select(
        DemandResponse.all_columns(), DemandResponse.institution.name.as_alias("institution_name")
    ).where(DemandResponse.demand == demand_id).order_by(DemandResponse.id)
    for row in rows:
        row["outcome_label"] = OUTCOME_LABELS[row["outcome"]] if row["taken_at"] else "已派单，待接单"
    return rows


def _decorate(row: dict[str, Any]) -> dict[str, Any]:
    """Labels the pages need; a demand past its 有效期 reads as expired before the periodic job marks it."""
    if row["status"] == "open" and row["expires_on"] < today():
        row["status"] = "expired"
    row["status_label"] = STATUS_LABELS[row["status"]]
    row["region_name"] = reference.division_name(row["region_code"])
    row["industry_name"] = reference.industry_name(row["industry"])
    row["is_open"] = row["status"] == "open"
    return row


# ---------------------------------------------------------------- institution side


@dataclass(frozen=True)
class HallFilter:
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    max_term: int | None = None
    guarantee: str = ""
    region: str = ""  #: 4-digit prefecture prefix
    industry: str = ""


def parse_hall_filter(query: dict[str, str]) -> tuple[HallFilter, dict[str, str]]:
    """Filters from the query string; a bad value is reported and ignored instead of failing the page."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in ("min_amount", "max_amount"):
        raw = (query.get(name) or "").strip()
        if raw:
            number = _decimal(raw)
            if number is None or number < 0:
                errors[name] = "请输入不小于0的金额（万元）"
            else:
                values[name] = number
    raw_term = (query.get("max_term") or "").strip()
    if raw_term:
        if raw_term.isdigit() and int(raw_term) > 0:
            values["max_term"] = int(raw_term)
        else:
            errors["max_term"] = "请输入正整数（月）"
    for name in ("guarantee", "region", "industry"):
        values[name] = (query.get(name) or "").strip()
    return HallFilter(**values), errors


def _require_institution(user: CurrentUser) -> int:
    if user.role != "institution" or user.institution_id is None:
        raise Forbidden("只有金融机构人员可以接单")
    return user.institution_id


async def hall(user: CurrentUser, filters: HallFilter) -> list[dict[str, Any]]:
    """Open demands with a free slot, plus those this institution took; dispatched to it first."""
    institution_id = _require_institution(user)
    mine = {
        row["demand"]: row
        for row in await DemandResponse.select().where(DemandResponse.institution == institution_id)
    }
    query = Demand.select().where(
        (Demand.status == "open") & (Demand.expires_on >= today())
    )
    if filters.min_amount is not None:
        query = query.where(Demand.amount >= filters.min_amount)
    if filters.max_amount is not None:
        query = query.where(Demand.amount <= filters.max_amount)
    if filters.max_term is not None:
        query = query.where(Demand.term_months <= filters.max_term)
    if filters.guarantee:
        query = query.where(Demand.guarantee == filters.guarantee)
    if filters.region:
        query = query.where(Demand.region_code.like(f"{filters.region}%"))
    if filters.industry:
        query = query.where(Demand.industry == filters.industry)
    rows = await query.order_by(Demand.id, ascending=False)
    result = []
    for row in rows:
        response = mine.get(row["id"])
        if row["taken_count"] >= MAX_RESPONSES and not (response and response["taken_at"]):
            continue
        row = _decorate(row)
        row["response"] = response
        row["dispatched_to_me"] = bool(response and response["dispatched"] and not response["taken_at"])
        row["taken_by_me"] = bool(response and response["taken_at"])
        row["slots_left"] = MAX_RESPONSES - row["taken_count"]
        result.append(row)
    result.sort(key=lambda r: not r["dispatched_to_me"])  # stable: newest first within each group
    return result


async def taken_by_institution(user: CurrentUser) -> list[dict[str, Any]]:
    """The demands this institution took, newest take first, with their outcome."""
    institution_id = _require_institution(user)
    rows = await DemandResponse.select(
        DemandResponse.all_columns(),
        DemandResponse.demand.all_columns(),
        DemandResponse.demand.enterprise.name.as_alias("enterprise_name"),
    ).where((DemandResponse.institution == institution_id) & DemandResponse.taken_at.is_not_null()).order_by(
        DemandResponse.taken_at, ascending=False
    )
    for row in rows:
        row["outcome_label"] = OUTCOME_LABELS[row["outcome"]]
    return rows


async def demand_for_institution(user: CurrentUser, demand_id: int) -> dict[str, Any]:
    """A demand as institution staff see it: open ones to all; the enterprise's facts only once taken."""
    institution_id = _require_institution(user)
    row = await Demand.select().where(Demand.id == demand_id).first()
    response = await DemandResponse.select().where(
        (DemandResponse.demand == demand_id) & (DemandResponse.institution == institution_id)
    ).first()
    if row is None:
        raise NotFound("该需求不存在")
    row = _decorate(row)
    if not row["is_open"] and response is None:
        raise NotFound("该需求不存在")
    if response:
        response["outcome_label"] = OUTCOME_LABELS[response["outcome"]]
    row["response"] = response
    row["taken_by_me"] = bool(response and response["taken_at"])
    row["slots_left"] = MAX_RESPONSES - row["taken_count"]
    # Taking the demand is not enough: the enterprise may have revoked its authorization since.
    shared = row["taken_by_me"] and await has_active_share(row["enterprise"], institution_id)
    row["enterprise_facts"] = await _shared_facts(row["enterprise"]) if shared else None
    return row


async def _shared_facts(enterprise_id: int) -> dict[str, Any]:
    """What the enterprise consented to show a taking institution: its certified facts (认证信息)."""
    facts = await certified_facts(enterprise_id)
    if facts is None:
        # Certified before the certification records existed (demo data): the account's own facts.
        enterprise = await Enterprise.select(Enterprise.name, Enterprise.credit_code, Enterprise.address).where(
            Enterprise.id == enterprise_id
        ).first()
        return {"企业名称": enterprise["name"], "统一社会信用代码": enterprise["credit_code"], "企业注册地址": enterprise["address"]}
    return {
        label: value
        for label, value in (
            ("企业名称", facts.value("enterprise_name")),
            ("统一社会信用代码", facts.value("credit_code")),
            ("登记状态", facts.value("reg_status")),
            ("注册区域", reference.division_name(facts.value("division_code"))),
            ("企业注册地址", facts.value("address")),
            ("企业类型", facts.value("enterprise_type")),
            ("成立日期", facts.value("established_on")),
            ("注册资本(万元)", facts.value("registered_capital")),
            ("行业分类", reference.industry_name(facts.value("industry_code"))),
            ("法人代表", facts.value("legal_representative")),
            ("营业范围", facts.value("business_scope")),
        )
        if value
    }


async def _enterprise_users(enterprise_id: int) -> list[int]:
    rows = await User.select(User.id).where((User.enterprise == enterprise_id) & User.is_active.eq(True))
    return [row["id"] for row in rows]


async def _tell_enterprise(demand: dict[str, Any], title: str, body: str, mail_template: str, context: dict[str, Any]) -> None:
    link = f"/my/demands/{demand['id']}"
    for user_id in await _enterprise_users(demand["enterprise"]):
        await post_message(user_id, title, body, link)
    if demand["contact_email"] and await wants(demand["posted_by"], "mail", "demand"):
        context = {"demand": demand, "link": get_settings().base_url + link, **context}
        await queue_mail(demand["contact_email"], mail_template, context)


async def take_demand(user: CurrentUser, demand_id: int, *, ip: str = "") -> None:
    """接单: claim one of the 3 slots for this institution."""
    institution_id = _require_institution(user)
    pair_key = f"{demand_id}:{institution_id}"
    moment = now()
    try:
        async with write_transaction():
            existing = await DemandResponse.select().where(DemandResponse.pair_key == pair_key).first()
            if existing and existing["taken_at"]:
                raise Conflict("贵机构已接过此需求")
            claimed = await Demand.update({Demand.taken_count: Demand.taken_count + 1, Demand.updated_at: moment}).where(
                (Demand.id == demand_id)
                & (Demand.status == "open")
                & (Demand.expires_on >= today())
                & (Demand.taken_count < MAX_RESPONSES)
            ).returning(Demand.id)
            if not claimed:
                await _explain_refused_take(demand_id)
            if existing:
                # A dispatched response becomes a take, once: the taken_at condition guards double clicks.
                updated = await DemandResponse.update(
                    {DemandResponse.taken_at: moment, DemandResponse.staff: user.id}
                ).where((DemandResponse.id == existing["id"]) & DemandResponse.taken_at.is_null()).returning(DemandResponse.id)
                if not updated:
                    raise Conflict("贵机构已接过此需求")
            else:
                await DemandResponse(
                    demand=demand_id, institution=institution_id, pair_key=pair_key, staff=user.id, taken_at=moment
                ).save()
            demand = await Demand.select().where(Demand.id == demand_id).first()
            await _tell_enterprise(
                demand,
                f"{user.institution_name}已接单您的融资需求",
                f"{user.institution_name}已接单您发布的融资需求（{demand['amount']:f}万元，{demand['term_months']}个月），将与您联系。",
                "demand_taken",
                {"institution_name": user.institution_name},
            )
            await audit.record(user, "demand.take", "demand", demand_id, {"institution": user.institution_name}, ip)
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("贵机构已接过此需求") from error
        raise


async def _explain_refused_take(demand_id: int) -> None:
    row = await Demand.select(Demand.status, Demand.expires_on, Demand.taken_count).where(Demand.id == demand_id).first()
    if row is None:
        raise NotFound("该需求不存在")
    if row["status"] == "closed":
        raise Conflict("该需求已关闭，不能接单")
    if row["status"] == "expired" or row["expires_on"] < today():
        raise Conflict("该需求已过期，不能接单")
    raise Conflict(f"该需求已有{MAX_RESPONSES}家机构接单，不能再接")


async def record_outcome(user: CurrentUser, demand_id: int, form: dict[str, str], *, ip: str = "") -> None:
    """已联系 / 已授信 (amount) / 未授信 (reason), on a demand this institution took."""
    institution_id = _require_institution(user)
    outcome = (form.get("outcome") or "").strip()
    errors: dict[str, str] = {}
    granted: Decimal | None = None
    reason = ""
    if outcome not in RECORDABLE_OUTCOMES:
        errors["outcome"] = "请选择对接结果"
    if outcome == "granted":
        granted = _decimal(form.get("granted_amount") or "")
        if granted is None or not Decimal(0) < granted <= MAX_AMOUNT or granted != granted.quantize(Decimal("0.01")):
            errors["granted_amount"] = f"请输入授信金额（万元），大于0且不超过{MAX_AMOUNT}，最多两位小数"
            granted = None
    if outcome == "refused":
        reason = (form.get("refusal_reason") or "").strip()
        if not 2 <= len(reason) <= 200:
            errors["refusal_reason"] = "请填写未授信原因（2-200字）"
    response = await DemandResponse.select().where(
        (DemandResponse.demand == demand_id) & (DemandResponse.institution == institution_id) & DemandResponse.taken_at.is_not_null()
    ).first()
    if response is None:
        raise NotFound("贵机构未接此需求")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await DemandResponse.update(
            {
                DemandResponse.outcome: outcome,
                DemandResponse.granted_amount: granted,
                DemandResponse.refusal_reason: reason,
                DemandResponse.outcome_at: now(),
            }
        ).where(DemandResponse.id == response["id"])
        demand = await Demand.select().where(Demand.id == demand_id).first()
        label = OUTCOME_LABELS[outcome]
        detail = {"contacted": "", "granted": f"，授信金额{granted:f}万元" if granted else "", "refused": f"，原因：{reason}"}[outcome]
        await _tell_enterprise(
            demand,
            f"{user.institution_name}更新了对接结果：{label}",
            f"您的融资需求（{demand['amount']:f}万元）对接结果：{label}{detail}。",
            "demand_outcome",
            {"institution_name": user.institution_name, "outcome_label": label, "detail": detail},
        )
        await audit.record(
            user, "demand.outcome", "demand", demand_id,
            {"outcome": outcome, "granted_amount": f"{granted:f}" if granted else "", "reason": reason}, ip,
        )


# ---------------------------------------------------------------- admins: untaken demands and dispatch


def working_days_before(moment: datetime, days: int) -> datetime:
    """The moment `days` working days (Monday-Friday, Beijing) before `moment`; public holidays are not known."""
    local = moment.astimezone(CHINA_TIME)
    counted = 0
    while counted < days:
        local -= timedelta(days=1)
        if local.weekday() < 5:
            counted += 1
    return local.astimezone(timezone.utc)


async def flagged_demands(untaken_working_days: int, moment: datetime | None = None) -> list[dict[str, Any]]:
    """Open demands nobody took within the working days allowed, oldest first, with any dispatches."""
    cutoff = working_days_before(moment or now(), untaken_working_days)
    rows = await Demand.select(Demand.all_columns(), Demand.enterprise.name.as_alias("enterprise_name")).where(
        (Demand.status == "open") & (Demand.expires_on >= today()) & (Demand.taken_count == 0) & (Demand.created_at <= cutoff)
    ).order_by(Demand.created_at)
    for row in rows:
        _decorate(row)
        row["responses"] = await responses_of(row["id"])
    return rows


async def active_institutions() -> list[dict[str, Any]]:
    return await Institution.select(Institution.id, Institution.name).where(Institution.is_active.eq(True)).order_by(Institution.name)


async def dispatch_demand(admin: CurrentUser, demand_id: int, institution_raw: str, *, ip: str = "") -> None:
    """派单: send an open demand to one institution; its staff see it first in the hall."""
    if admin.role != "admin":
        raise Forbidden("只有管理员可以派单")
    if not institution_raw.isdigit():
        raise ValidationFailed({"institution": "请选择金融机构"})
    institution = await Institution.select().where(
        (Institution.id == int(institution_raw)) & Institution.is_active.eq(True)
    ).first()
    if institution is None:
        raise ValidationFailed({"institution": "请选择金融机构"})
    demand = await Demand.select().where(Demand.id == demand_id).first()
    if demand is None:
        raise NotFound("该需求不存在")
    if demand["status"] != "open" or demand["expires_on"] < today():
        raise Conflict("该需求已关闭或已过期，不能派单")
    if demand["taken_count"] >= MAX_RESPONSES:
        raise Conflict(f"该需求已有{MAX_RESPONSES}家机构接单")
    moment = now()
    try:
        async with write_transaction():
            await DemandResponse(
                demand=demand_id,
                institution=institution["id"],
                pair_key=f"{demand_id}:{institution['id']}",
                dispatched=True,
                dispatched_by=admin.id,
                dispatched_at=moment,
            ).save()
            staff = await User.select(User.id).where(
                (User.institution == institution["id"]) & (User.role == "institution") & User.is_active.eq(True)
            )
            for member in staff:
                await post_message(
                    member["id"],
                    "平台向贵机构派发了一条融资需求",
                    f"融资金额{demand['amount']:f}万元，期限{demand['term_months']}个月，请尽快在需求大厅接单。",
                    f"/bank/demands/{demand_id}",
                )
            await audit.record(admin, "demand.dispatch", "demand", demand_id, {"institution": institution["name"]}, ip)
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(f"该需求已派给或已被{institution['name']}接单") from error
        raise


# ---------------------------------------------------------------- the periodic check


@dataclass(frozen=True)
class ReminderReport:
    expired: int
    expiry_reminders: int
    flagged: int


#: how often each app process looks for demands to flag or remind about (the work is idempotent)
REMINDER_INTERVAL_SECONDS = 600


async def run_reminder_loop(untaken_working_days: int, expiry_notice_days: int) -> None:
    """run_reminders every few minutes for as long as the app runs; an error waits for the next round."""
    while True:
        try:
            await run_reminders(untaken_working_days, expiry_notice_days)
        except Exception:  # the loop must outlive a bad round; the log keeps the detail
            logger.exception("demand reminders failed")
        await asyncio.sleep(REMINDER_INTERVAL_SECONDS)


async def run_reminders(untaken_working_days: int, expiry_notice_days: int, moment: datetime | None = None) -> ReminderReport:
    """Mark expired demands, warn enterprises before expiry, tell admins about untaken ones.

    Idempotent: each demand is reminded and flagged at most once (expiry_reminded_at,
    flagged_at are set by a conditional update in the same transaction as the messages).
    """
    moment = moment or now()
    local_today = moment.astimezone(CHINA_TIME).date()
    async with write_transaction():
        expired = await Demand.update({Demand.status: "expired", Demand.updated_at: moment}).where(
            (Demand.status == "open") & (Demand.expires_on < local_today)
        ).returning(Demand.id)

    reminded = 0
    due = await Demand.select(Demand.id).where(
        (Demand.status == "open")
        & Demand.expiry_reminded_at.is_null()
        & (Demand.expires_on <= local_today + timedelta(days=expiry_notice_days))
    )
    for row in due:
        async with write_transaction():
            claimed = await Demand.update({Demand.expiry_reminded_at: moment}).where(
                (Demand.id == row["id"]) & Demand.expiry_reminded_at.is_null()
            ).returning(Demand.id)
            if not claimed:
                continue
            demand = await Demand.select().where(Demand.id == row["id"]).first()
            await _tell_enterprise(
                demand,
                "您的融资需求即将到期",
                f"您发布的融资需求（{demand['amount']:f}万元）将于{demand['expires_on']:%Y-%m-%d}到期，如仍需融资可修改有效期。",
                "demand_expiring",
                {},
            )
            reminded += 1

    flagged = 0
    cutoff = working_days_before(moment, untaken_working_days)
    untaken = await Demand.select(Demand.id).where(
        (Demand.status == "open") & (Demand.taken_count == 0) & Demand.flagged_at.is_null() & (Demand.created_at <= cutoff)
    )
    admins = await User.select(User.id).where((User.role == "admin") & User.is_active.eq(True))
    for row in untaken:
        async with write_transaction():
            claimed = await Demand.update({Demand.flagged_at: moment}).where(
                (Demand.id == row["id"]) & Demand.flagged_at.is_null()
            ).returning(Demand.id)
            if not claimed:
                continue
            for admin in admins:
                await post_message(
                    admin["id"],
                    "有融资需求超过期限无人接单",
                    f"需求编号{row['id']}在{untaken_working_days}个工作日内无机构接单，请派单。",
                    "/admin/demands",
                )
            flagged += 1
    return ReminderReport(expired=len(expired), expiry_reminders=reminded, flagged=flagged)
