"""Accounts: creating users, loading who is logged in."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from xqr.db import is_unique_violation, write_transaction
from xqr.services.errors import ValidationFailed
from xqr.services.passwords import hash_password, password_problem
from xqr.tables.accounts import User
from xqr.tables.catalogue import Institution
from xqr.tables.messaging import Message
from xqr.web.current_user import ROLE_LABELS, CurrentUser

USERNAME_RULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,19}$")
MOBILE_RULE = re.compile(r"^1[3-9]\d{9}$")


def username_problem(username: str) -> str | None:
    if not USERNAME_RULE.match(username):
        return "登录账号须以字母开头，由4-20位字母、数字或下划线组成"
    return None


def phone_problem(phone: str) -> str | None:
    if not MOBILE_RULE.match(phone):
        return "请输入11位手机号码"
    return None


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


async def username_taken(username: str) -> bool:
    return await User.exists().where(User.username_key == username.lower())


async def create_user(
    *,
    username: str,
    phone: str,
    password: str,
    role: str,
    enterprise_id: int | None = None,
    institution_name: str | None = None,
) -> int:
    """Create an account; raises ValidationFailed with a message per bad field."""
    errors: dict[str, str] = {}
    if role not in ROLE_LABELS:
        errors["role"] = "角色须为 enterprise、reviewer、institution 或 admin"
    if problem := username_problem(username):
        errors["username"] = problem
    if problem := phone_problem(phone):
        errors["phone"] = problem
    if problem := password_problem(password):
        errors["password"] = problem
    institution_id = None
    if role == "institution":
        institution = await Institution.select(Institution.id).where(Institution.name == (institution_name or "")).first()
        if institution is None:
            errors["institution"] = f"找不到金融机构：{institution_name or '（未填写）'}"
        else:
            institution_id = institution["id"]
    if not errors and await username_taken(username):
        errors["username"] = "该登录账号已被使用"
    if errors:
        raise ValidationFailed(errors)
    user = User(
        username=username,
        username_key=username.lower(),
        phone=phone,
        password_hash=hash_password(password),
        role=role,
        enterprise=enterprise_id,
        institution=institution_id,
        created_at=datetime.now(timezone.utc),
    )
    try:
        async with write_transaction():
            await user.save()
    except Exception as error:
        if is_unique_violation(error):
            raise ValidationFailed({"username": "该登录账号已被使用"}) from error
        raise
    return user.id


async def load_current_user(user_id: int) -> CurrentUser | None:
    row = await User.select(
        User.id,
        User.username,
        User.role,
        User.phone,
        User.is_active,
        User.must_change_password,
        User.enterprise.id,
        User.enterprise.name,
        User.enterprise.cert_status,
        User.institution.id,
        User.institution.name,
    ).where(User.id == user_id).first()
    if row is None or not row["is_active"]:
        return None
    unread = await Message.count().where((Message.recipient == user_id) & (Message.is_read.eq(False)))
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        phone=row["phone"],
        enterprise_id=row["enterprise.id"],
        enterprise_name=row["enterprise.name"] or "",
        cert_status=row["enterprise.cert_status"] or "",
        institution_id=row["institution.id"],
        institution_name=row["institution.name"] or "",
        unread_messages=unread,
        must_change_password=row["must_change_password"],
    )
