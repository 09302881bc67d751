"""Enterprise certification (企业认证), the enterprise's side.

A request is `draft → submitted → approved | returned | refused`. The draft is saved field by field
as the user types; 企业检索 fills the registry facts; 提交 records the consent to 《企业授权委托书》
and puts the enterprise 审核中. After 退回修改 the next request starts as a copy of the returned one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from xqr.db import write_transaction
from xqr.services import reference
from xqr.services.data_shares import has_active_share
from xqr.services.errors import Conflict, NotFound, ValidationFailed
from xqr.services.identity_codes import (
    credit_code_problem,
    mask_resident_id,
    normalize_credit_code,
    normalize_resident_id,
    resident_id_problem,
)
from xqr.services.consents import record_consent
from xqr.services.registry import get_registry
from xqr.services.sealing import seal, unseal
from xqr.services.uploads import StoredUpload, UploadSource, discard, store_upload
from xqr.services.users import phone_problem
from xqr.storage import Storage
from xqr.tables.accounts import Enterprise
from xqr.tables.certification import (
    CertificationDocument,
    CertificationItemResult,
    CertificationRequest,
)

AUTHORIZATION_LETTER = "authorization_letter"
#: the version of 《企业授权委托书》 a consent refers to; bump it when the letter's text changes
AUTHORIZATION_LETTER_VERSION = "2026-11"

STATUS_LABELS = {
    "draft": "待提交",
    "submitted": "待审核",
    "approved": "已通过",
    "returned": "退回修改",
    "refused": "不予通过",
}

#: registry facts, in the manual's order
FACT_LABELS = {
    "reg_status": "登记状态",
    "division_code": "注册区域",
    "address": "注册地址",
    "enterprise_type": "企业类型",
    "established_on": "成立日期",
    "registered_capital": "注册资本(万元)",
    "authority": "登记机关",
    "industry_code": "行业分类",
    "legal_representative": "法人代表",
    "business_scope": "营业范围",
}
#: what the user completes
PERSON_LABELS = {
    "legal_id": "法人代表身份证号",
    "legal_phone": "法人代表联系电话",
    "contact_name": "联系人",
    "contact_phone": "联系人电话",
    "contact_title": "联系人职务",
    "contact_email": "联系人邮箱",
}
DOCUMENT_LABELS = {"business_license": "营业执照", AUTHORIZATION_LETTER: "企业授权书"}
#: what a reviewer judges item by item, and the fields each item covers
REVIEW_ITEMS = {
    "facts": ("企业登记信息", tuple(FACT_LABELS)),
    "legal": ("法人代表信息", ("legal_id", "legal_phone")),
    "contact": ("联系人信息", ("contact_name", "contact_phone", "contact_title", "contact_email")),
    "business_license": ("营业执照", ()),
    AUTHORIZATION_LETTER: ("企业授权书", ()),
}
#: the registry entry's attribute behind each fact
REGISTRY_ATTRIBUTES = {
    "reg_status": "status",
    "division_code": "division_code",
    "address": "address",
    "enterprise_type": "enterprise_type",
    "established_on": "established_on",
    "registered_capital": "registered_capital",
    "authority": "authority",
    "industry_code": "industry_code",
    "legal_representative": "legal_representative",
    "business_scope": "business_scope",
}

EMAIL_RULE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
TEXT_LIMITS = {
    "address": 300,
    "authority": 100,
    "legal_representative": 60,
    "business_scope": 2000,
    "contact_name": 40,
    "contact_title": 40,
    "contact_email": 120,
}
MAX_CAPITAL = Decimal("100000000")  # 万元: a trillion yuan is no SME


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Draft:
    """A request as the form shows it."""

    row: dict[str, Any]
    documents: dict[str, dict] = field(default_factory=dict)
    #: item → [(reason, note)] from the returned request this one continues
    failed_items: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def registry_fields(self) -> set[str]:
        return registry_fields_of(self.row)

    def value(self, name: str) -> str:
        if name == "legal_id":
            return self.row["legal_id_masked"]
        value = self.row.get(name)
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value.isoformat() if isinstance(value, date) else str(value)

    def field_problem(self, name: str) -> str | None:
        """The failed item's reasons beside a field of a returned request."""
        for item, (_, names) in REVIEW_ITEMS.items():
            if name in names and item in self.failed_items:
                return "；".join(_reason_text(r, n) for r, n in self.failed_items[item])
        return None


def _reason_text(reason: str, note: str) -> str:
    return f"{reason}：{note}" if note else reason


def registry_fields_of(row: dict) -> set[str]:
    """The facts of a request that came from the registry (Piccolo hands JSON columns back as text)."""
    value = row["registry_fields"]
    return set(json.loads(value) if isinstance(value, str) else value or [])


# ---------------------------------------------------------------- validation


def _clean_fact(name: str, raw: str) -> tuple[Any, str | None]:
    """The stored value of a fact the user typed, or why it is refused."""
    value = raw.strip()
    label = FACT_LABELS[name]
    if not value:
        return ("" if name not in {"established_on", "registered_capital"} else None), None
    if name == "reg_status":
        return (value, None) if value in reference.REGISTRATION_STATUSES else (None, "请从列表中选择登记状态")
    if name == "division_code":
        division = reference.divisions().get(value)
        if division is None or division.level != "county":
            return None, "请选择注册区域（市、区县）"
        return value, None
    if name == "enterprise_type":
        return (value, None) if value in reference.ENTERPRISE_TYPES else (None, "请从列表中选择企业类型")
    if name == "industry_code":
        return (value, None) if value in reference.industries() else (None, "请从列表中选择行业分类")
    if name == "established_on":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return None, "请输入正确的成立日期"
        if day > date.today() or day.year < 1949:
            return None, "成立日期应在1949年至今天之间"
        return day, None
    if name == "registered_capital":
        try:
            capital = Decimal(value.replace(",", ""))
        except InvalidOperation:
            return None, "注册资本请填写数字（单位：万元）"
        if not capital.is_finite() or capital <= 0 or capital > MAX_CAPITAL or capital.as_tuple().exponent < -4:
            return None, "注册资本应为大于0的数字（单位：万元，最多4位小数）"
        return capital, None
    if len(value) > TEXT_LIMITS[name]:
        return None, f"{label}不能超过{TEXT_LIMITS[name]}个字"
    return value, None


def _clean_person(name: str, raw: str) -> tuple[Any, str | None]:
    value = raw.strip()
    if not value:
        return "", None
    if name == "legal_id":
        problem = resident_id_problem(value)
        return (None, problem) if problem else (normalize_resident_id(value), None)
    if name in {"legal_phone", "contact_phone"}:
        problem = phone_problem(value)
        return (None, problem) if problem else (value, None)
    if name == "contact_email":
        if len(value) > TEXT_LIMITS[name] or not EMAIL_RULE.match(value):
            return None, "请输入正确的邮箱地址"
        return value, None
    if len(value) > TEXT_LIMITS[name]:
        return None, f"{PERSON_LABELS[name]}不能超过{TEXT_LIMITS[name]}个字"
    return value, None


def completeness_problems(draft: Draft) -> dict[str, str]:
    """What 提交 still needs."""
    errors: dict[str, str] = {}
    row = draft.row
    if not row["credit_code"]:
        errors["credit_code"] = "请输入统一社会信用代码并点击企业检索"
    for name, label in FACT_LABELS.items():
        if row[name] in (None, ""):
            errors[name] = f"请填写{label}" if name not in {"reg_status", "division_code", "enterprise_type", "industry_code"} else f"请选择{label}"
    if not row["legal_id_sealed"]:
        errors["legal_id"] = "请输入法人代表身份证号"
    for name, label in PERSON_LABELS.items():
        if name != "legal_id" and not row[name]:
            errors[name] = f"请填写{label}"
    for kind, label in DOCUMENT_LABELS.items():
        if kind not in draft.documents:
            errors[kind] = f"请上传{label}"
    return errors


# ---------------------------------------------------------------- reading


async def _documents(request_id: int) -> dict[str, dict]:
    rows = await CertificationDocument.select().where(CertificationDocument.request == request_id)
    return {row["kind"]: row for row in rows}


async def _failed_items(request_id: int | None) -> dict[str, list[tuple[str, str]]]:
    if request_id is None:
        return {}
    rows = await CertificationItemResult.select().where(CertificationItemResult.request == request_id).order_by(CertificationItemResult.id)
    failed: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        failed.setdefault(row["item"], []).append((row["reason"], row["note"]))
    return failed


async def latest_request(enterprise_id: int) -> dict | None:
    return await (
        CertificationRequest.select()
        .where(CertificationRequest.enterprise == enterprise_id)
        .order_by(CertificationRequest.id, ascending=False)
        .first()
    )


async def load_draft(row: dict) -> Draft:
    return Draft(row, await _documents(row["id"]), await _failed_items(row["previous_id"]))


async def history(enterprise_id: int) -> list[dict]:
    """Every request of the enterprise but drafts, newest first."""
    return await (
        CertificationRequest.select(
            CertificationRequest.id,
            CertificationRequest.status,
            CertificationRequest.submitted_at,
            CertificationRequest.decided_at,
            CertificationRequest.decision_reason,
            CertificationRequest.reviewer.username,
        )
        .where((CertificationRequest.enterprise == enterprise_id) & (CertificationRequest.status != "draft"))
        .order_by(CertificationRequest.id, ascending=False)
    )


async def certified_facts(enterprise_id: int) -> Draft | None:
    """The approved request behind 已认证, for 我的企业."""
    row = await (
        CertificationRequest.select()
        .where((CertificationRequest.enterprise == enterprise_id) & (CertificationRequest.status == "approved"))
        .order_by(CertificationRequest.id, ascending=False)
        .first()
    )
    return Draft(row) if row else None


def revealed_id_number(row: dict) -> str:
    """The whole 法人代表身份证号, for the review page only."""
    return unseal(row["legal_id_sealed"]) if row["legal_id_sealed"] else ""


# ---------------------------------------------------------------- the draft


_COPIED = (
    "credit_code",
    "enterprise_name",
    *FACT_LABELS,
    "registry_fields",
    "registry_matched",
    "legal_id_sealed",
    "legal_id_masked",
    "legal_phone",
    "contact_name",
    "contact_phone",
    "contact_title",
    "contact_email",
)


async def open_draft(enterprise_id: int, user_id: int) -> Draft | None:
    """The draft to edit, started if needed; None while a request is under review or decided for good."""
    async with write_transaction():
        latest = await latest_request(enterprise_id)
        if latest is not None and latest["status"] in {"submitted", "approved", "refused"}:
            return None
        if latest is not None and latest["status"] == "draft":
            return await load_draft(latest)
        moment = _now()
        if latest is None:
            enterprise = await Enterprise.select().where(Enterprise.id == enterprise_id).first()
            if enterprise is None:
                raise NotFound("企业不存在")
            values: dict[str, Any] = {"credit_code": enterprise["credit_code"], "enterprise_name": enterprise["name"]}
            previous_id = None
        else:
            values = {name: latest[name] for name in _COPIED}
            previous_id = latest["id"]
        row = CertificationRequest(
            enterprise=enterprise_id,
            applicant=user_id,
            previous_id=previous_id,
            created_at=moment,
            updated_at=moment,
            **values,
        )
        await row.save()
        if latest is not None:
            await _carry_documents(latest["id"], row.id)
        saved = await CertificationRequest.select().where(CertificationRequest.id == row.id).first()
        return await load_draft(saved)


async def _carry_documents(from_request: int, to_request: int) -> None:
    """Files the reviewer did not fault come along to the new request (sharing the stored object)."""
    failed = await _failed_items(from_request)
    for document in (await _documents(from_request)).values():
        if document["kind"] in failed:
            continue
        copy = {k: v for k, v in document.items() if k not in {"id", "request"}}
        await CertificationDocument(request=to_request, **copy).save()


async def _editable_draft(enterprise_id: int) -> dict:
    latest = await latest_request(enterprise_id)
    if latest is None or latest["status"] != "draft":
        raise Conflict("认证资料已提交，不能再修改")
    return latest


async def save_fields(enterprise_id: int, form: dict[str, str]) -> dict[str, str]:
    """Save the fields in `form` that are valid; return the messages of those that are not.

    Facts that came from the registry are not the user's to change and are ignored.
    """
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    async with write_transaction():
        draft = await _editable_draft(enterprise_id)
        from_registry = registry_fields_of(draft)
        for name, raw in form.items():
            if name in FACT_LABELS and name not in from_registry:
                value, problem = _clean_fact(name, raw)
            elif name == "legal_id" and not raw.strip():
                continue  # the number is never sent back to the browser: empty means unchanged
            elif name in PERSON_LABELS:
                value, problem = _clean_person(name, raw)
            else:
                continue
            if problem:
                errors[name] = problem
            elif name == "legal_id":
                if draft["legal_id_sealed"] and unseal(draft["legal_id_sealed"]) == value:
                    continue  # the same number again: keep the ciphertext (and updated_at) as it is
                changes["legal_id_sealed"] = seal(value)
                changes["legal_id_masked"] = mask_resident_id(value)
            else:
                changes[name] = value
        if changes:
            changes["updated_at"] = _now()
            await CertificationRequest.update(changes).where(CertificationRequest.id == draft["id"])
    return errors


async def search_registry(enterprise_id: int, credit_code: str) -> bool:
    """企业检索: fill the facts from the registry; False when the registry does not know the code."""
    code = normalize_credit_code(credit_code)
    if problem := credit_code_problem(code):
        raise ValidationFailed({"credit_code": problem})
    enterprise = await Enterprise.select(Enterprise.credit_code).where(Enterprise.id == enterprise_id).first()
    if enterprise is None or enterprise["credit_code"] != code:
        raise ValidationFailed({"credit_code": "统一社会信用代码与注册时填写的不一致，请核对"})
    entry = await get_registry().lookup(code)
    async with write_transaction():
        draft = await _editable_draft(enterprise_id)
        changes: dict[str, Any] = {"credit_code": code, "updated_at": _now()}
        if entry is None:
            # Facts an earlier search filled are no longer vouched for: the user types them now.
            for name in registry_fields_of(draft):
                changes[name] = None if name in {"established_on", "registered_capital"} else ""
            changes.update(registry_fields=[], registry_matched=False)
        else:
            filled = []
            for name, attribute in REGISTRY_ATTRIBUTES.items():
                value = getattr(entry, attribute)
                if value not in (None, ""):
                    changes[name] = value
                    filled.append(name)
            changes.update(enterprise_name=entry.name, registry_fields=filled, registry_matched=True)
        await CertificationRequest.update(changes).where(CertificationRequest.id == draft["id"])
    return entry is not None


async def upload_document(storage: Storage, enterprise_id: int, kind: str, source: UploadSource, *, max_bytes: int) -> None:
    """Store a checked file as the draft's 营业执照 or 企业授权书, replacing the one before."""
    if kind not in DOCUMENT_LABELS:
        raise NotFound("没有这种材料")
    await _editable_draft(enterprise_id)
    stored = await store_upload(storage, source, max_bytes=max_bytes, prefix="certification")
    try:
        async with write_transaction():
            draft = await _editable_draft(enterprise_id)
            replaced = await CertificationDocument.select().where(
                (CertificationDocument.request == draft["id"]) & (CertificationDocument.kind == kind)
            )
            await CertificationDocument.delete().where(
                (CertificationDocument.request == draft["id"]) & (CertificationDocument.kind == kind)
            )
            await document_row(draft["id"], kind, stored).save()
    except BaseException:
        await discard(storage, stored)
        raise
    await _delete_unshared(storage, replaced)


def document_row(request_id: int, kind: str, stored: StoredUpload) -> CertificationDocument:
    return CertificationDocument(
        request=request_id,
        kind=kind,
        storage_key=stored.key,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        page_count=stored.page_count,
        preview_key=stored.preview_key,
        created_at=_now(),
    )


async def delete_document(storage: Storage, enterprise_id: int, kind: str) -> None:
    async with write_transaction():
        draft = await _editable_draft(enterprise_id)
        where = (CertificationDocument.request == draft["id"]) & (CertificationDocument.kind == kind)
        removed = await CertificationDocument.select().where(where)
        await CertificationDocument.delete().where(where)
    await _delete_unshared(storage, removed)


async def _delete_unshared(storage: Storage, documents: list[dict]) -> None:
    """Remove stored objects no request points at any more (history keeps the ones it shares)."""
    for document in documents:
        if not await CertificationDocument.exists().where(CertificationDocument.storage_key == document["storage_key"]):
            await storage.delete(document["storage_key"])
            if document["preview_key"]:
                await storage.delete(document["preview_key"])


async def submit(enterprise_id: int, user_id: int, *, consented: bool, ip: str, user_agent: str) -> None:
    """提交: every field complete and valid, consent recorded, the enterprise 审核中."""
    async with write_transaction():
        row = await _editable_draft(enterprise_id)
        draft = await load_draft(row)
        errors = completeness_problems(draft)
        if not consented:
            errors["consent"] = "请阅读并同意《企业授权委托书》"
        if errors:
            raise ValidationFailed(errors)
        moment = _now()
        consent_id = await record_consent(
            AUTHORIZATION_LETTER, AUTHORIZATION_LETTER_VERSION, user_id=user_id, subject=f"certification:{row['id']}", ip=ip, user_agent=user_agent
        )
        updated = await (
            CertificationRequest.update(
                {
                    CertificationRequest.status: "submitted",
                    CertificationRequest.consent: consent_id,
                    CertificationRequest.submitted_at: moment,
                    CertificationRequest.updated_at: moment,
                }
            )
            .where((CertificationRequest.id == row["id"]) & (CertificationRequest.status == "draft"))
            .returning(CertificationRequest.id)
        )
        if not updated:
            raise Conflict("认证资料已提交，请勿重复提交")
        await Enterprise.update({Enterprise.cert_status: "pending"}).where(Enterprise.id == enterprise_id)


# ---------------------------------------------------------------- files


async def document_for(user, document_id: int, *, preview: bool = False) -> tuple[str, str, str]:
    """(storage key, content type, file name) of a document this user may see; NotFound otherwise.

    The enterprise sees its own; reviewers and admins see all; an institution sees those of an enterprise
    that authorized it and has not revoked that; nobody else learns the file exists.
    """
    row = await CertificationDocument.select(
        CertificationDocument.all_columns(),
        CertificationDocument.request.enterprise.as_alias("enterprise_id"),
    ).where(CertificationDocument.id == document_id).first()
    allowed = row is not None and (
        user.role in {"reviewer", "admin"}
        or (user.role == "enterprise" and user.enterprise_id == row["enterprise_id"])
        or (user.role == "institution" and await has_active_share(row["enterprise_id"], user.institution_id))
    )
    if not allowed:
        raise NotFound("文件不存在")
    if preview:
        if not row["preview_key"]:
            raise NotFound("没有预览图")
        return row["preview_key"], "image/png", row["original_name"]
    return row["storage_key"], row["content_type"], row["original_name"]
