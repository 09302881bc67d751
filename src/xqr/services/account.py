"""我的管理: changing the phone number, the login history and the consents a user gave."""

from __future__ import annotations

import re

from xqr.db import write_transaction
from xqr.services import audit
from xqr.services.errors import ValidationFailed
from xqr.services.login import Client, recent_logins
from xqr.services.outbox import post_message
from xqr.services.sms_codes import consume_code, send_code, verify_code
from xqr.services.users import mask_phone, phone_problem
from xqr.tables.accounts import Consent, User
from xqr.web.current_user import CurrentUser

PURPOSE = "change_phone"
CONSENT_LABELS = {
    "user_agreement": "《平台用户协议》",
    "privacy_guide": "《个人信息保护指引》",
    "authorization_letter": "《企业授权委托书》",
    "application_share": "融资申请信息共享授权",
    "demand_share": "融资需求信息共享授权",
}

# ---------------------------------------------------------------- change phone


async def _current_phone(user_id: int) -> str:
    return (await User.select(User.phone).where(User.id == user_id).first())["phone"]


def _new_phone_problem(new_phone: str, current: str) -> str | None:
    if problem := phone_problem(new_phone):
        return problem
    if new_phone == current:
        return "新手机号码不能与当前手机号码相同"
    return None


def _renamed(failure: ValidationFailed, field: str) -> ValidationFailed:
    """sms_codes reports its problems under "code"; this form has two code fields."""
    return ValidationFailed({field if key == "code" else key: message for key, message in failure.errors.items()})


async def send_old_phone_code(user_id: int, client: Client) -> int:
    """A change_phone code to the phone on the account; returns the wait before another."""
    try:
        return (await send_code(await _current_phone(user_id), PURPOSE, client.ip)).wait_seconds
    except ValidationFailed as failure:
        raise _renamed(failure, "old_code") from failure


async def send_new_phone_code(user_id: int, new_phone: str, client: Client) -> int:
    """A change_phone code to the new number, proving the user holds it."""
    new_phone = new_phone.strip()
    if problem := _new_phone_problem(new_phone, await _current_phone(user_id)):
        raise ValidationFailed({"new_phone": problem})
    try:
        return (await send_code(new_phone, PURPOSE, client.ip)).wait_seconds
    except ValidationFailed as failure:
        raise _renamed(failure, "new_code") from failure


async def change_phone(actor: CurrentUser, new_phone: str, old_code: str, new_code: str, client: Client) -> None:
    """Replace the account's phone once both the old and the new number proved themselves by code."""
    new_phone = new_phone.strip()
    current = await _current_phone(actor.id)
    errors: dict[str, str] = {}
    if problem := _new_phone_problem(new_phone, current):
        errors["new_phone"] = problem
    code_ids = []
    for phone, code, field in ((current, old_code, "old_code"), (new_phone, new_code, "new_code")):
        if field == "new_code" and "new_phone" in errors:
            continue
        try:
            code_ids.append(await verify_code(phone, PURPOSE, code))
        except ValidationFailed as failure:
            errors.update(_renamed(failure, field).errors)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        for code_id in code_ids:
            await consume_code(code_id)
        await User.update({User.phone: new_phone}).where(User.id == actor.id)
        await post_message(
            actor.id,
            "您的手机号码已更换",
            f"登录手机号码已由 {mask_phone(current)} 更换为 {mask_phone(new_phone)}，今后的登录验证码将发送至新号码。如非本人操作，请立即联系平台。",
            "/my/settings",
        )
        await audit.record(actor, "account.change_phone", "user", actor.id, {"from": mask_phone(current), "to": mask_phone(new_phone)}, client.ip)


# ---------------------------------------------------------------- login history

_BROWSERS = (
    ("MicroMessenger", "微信"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android 手机"),
    (re.compile(r"Windows NT"), "Windows 电脑"),
    (re.compile(r"Mac OS X|Macintosh"), "Mac 电脑"),
    (re.compile(r"CrOS"), "Chromebook"),
    (re.compile(r"Linux"), "Linux 电脑"),
)


def device_name(user_agent: str) -> str:
    """A readable device from a User-Agent: "iPhone · 微信", "Windows 电脑 · Edge"."""
    system = next((name for rule, name in _SYSTEMS if rule.search(user_agent or "")), "")
    browser = next((name for marker, name in _BROWSERS if marker in (user_agent or "")), "")
    return " · ".join(part for part in (system, browser) if part) or "未知设备"


async def login_history(user_id: int, limit: int = 10) -> list[dict]:
    rows = await recent_logins(user_id, limit)
    for row in rows:
        row["device"] = device_name(row["user_agent"])
    return rows


# ---------------------------------------------------------------- consents


async def consents_of(user_id: int) -> list[dict]:
    """Every consent the user gave, newest first, with the document's name."""
    rows = await Consent.select(
        Consent.id, Consent.document, Consent.version, Consent.subject, Consent.ip, Consent.created_at, Consent.revoked_at
    ).where(Consent.user == user_id).order_by(Consent.id, ascending=False)
    for row in rows:
        row["label"] = CONSENT_LABELS.get(row["document"], row["document"])
    return rows
