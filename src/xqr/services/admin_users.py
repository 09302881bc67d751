"""用户管理 for admins: list and search accounts, create staff, disable / enable, reset passwords."""

from __future__ import annotations

import secrets
import string
from typing import Any

from xqr.db import write_transaction
from xqr.services import audit
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.services.passwords import hash_password, password_problem
from xqr.services.users import create_user, mask_phone
from xqr.tables.accounts import User
from xqr.web.current_user import ROLE_LABELS, CurrentUser
from xqr.web.sessions import end_all_for_user

STAFF_ROLES = ("reviewer", "institution", "admin")
PAGE_SIZE = 50


def _require_admin(actor: CurrentUser) -> None:
    if actor.role != "admin":
        raise Forbidden("只有管理员可以管理用户")


async def list_users(actor: CurrentUser, search: str = "", role: str = "") -> list[dict[str, Any]]:
    """Accounts matching a username / phone / organisation fragment and a role, newest first."""
    _require_admin(actor)
    query = User.select(
        User.id, User.username, User.phone, User.role, User.is_active, User.must_change_password,
        User.created_at, User.last_login_at,
        User.enterprise.name.as_alias("enterprise_name"), User.institution.name.as_alias("institution_name"),
    )
    text = search.strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(
            User.username_key.like(f"%{text.lower()}%") | User.phone.like(pattern)
            | User.enterprise.name.like(pattern) | User.institution.name.like(pattern)
        )
    if role in ROLE_LABELS:
        query = query.where(User.role == role)
    rows = await query.order_by(User.id, ascending=False).limit(PAGE_SIZE)
    for row in rows:
        row["role_label"] = ROLE_LABELS[row["role"]]
        row["phone_masked"] = mask_phone(row["phone"])
        row["organisation"] = row["enterprise_name"] or row["institution_name"] or ""
    return rows


async def create_staff(actor: CurrentUser, form: dict[str, str], *, ip: str = "") -> int:
    """A reviewer, institution staff (bound to an institution) or admin account."""
    _require_admin(actor)
    role = (form.get("role") or "").strip()
    if role not in STAFF_ROLES:
        raise ValidationFailed({"role": "请选择角色：审核员、机构人员或管理员"})
    if (form.get("password") or "") != (form.get("password_confirm") or ""):
        raise ValidationFailed({"password_confirm": "两次输入的密码不一致"})
    institution = (form.get("institution") or "").strip() if role == "institution" else None
    user_id = await create_user(
        username=(form.get("username") or "").strip(),
        phone=(form.get("phone") or "").strip(),
        password=form.get("password") or "",
        role=role,
        institution_name=institution,
    )
    async with write_transaction():
        # A new staff account chooses its own password at first login.
        await User.update({User.must_change_password: True}).where(User.id == user_id)
        await audit.record(actor, "user.create", "user", user_id, {"username": form.get("username"), "role": role, "institution": institution or ""}, ip)
    return user_id


async def _target(actor: CurrentUser, user_id: int) -> dict[str, Any]:
    _require_admin(actor)
    row = await User.select(User.id, User.username, User.phone, User.is_active).where(User.id == user_id).first()
    if row is None:
        raise NotFound("该用户不存在")
    return row


async def set_active(actor: CurrentUser, user_id: int, active: bool, *, ip: str = "") -> None:
    """停用 ends every session of the account at once; 启用 lets it log in again."""
    target = await _target(actor, user_id)
    if target["id"] == actor.id and not active:
        raise Conflict("不能停用自己的账号")
    async with write_transaction():
        changed = await User.update({User.is_active: active}).where(
            (User.id == user_id) & (User.is_active == (not active))
        ).returning(User.id)
        if not changed:
            raise Conflict("该账号已启用" if active else "该账号已停用")
        if not active:
            await end_all_for_user(user_id)
        await audit.record(actor, "user.enable" if active else "user.disable", "user", user_id, {"username": target["username"]}, ip)


def temporary_password() -> str:
    """12 characters meeting the 登录密码 rule: letters, digits and a special character."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(10)) + secrets.choice("@#%*!") + secrets.choice(string.digits)
        if password_problem(candidate) is None:
            return candidate


async def reset_password(actor: CurrentUser, user_id: int, *, ip: str = "") -> str:
    """A temporary password, returned once for the admin to hand over; the user must change it at next login.

    The account's sessions end, so whoever had them must log in with the new password.
    """
    target = await _target(actor, user_id)
    password = temporary_password()
    async with write_transaction():
        await User.update(
            {User.password_hash: hash_password(password), User.must_change_password: True, User.failed_logins: 0, User.locked_until: None}
        ).where(User.id == user_id)
        await end_all_for_user(user_id)
        await audit.record(actor, "user.reset_password", "user", user_id, {"username": target["username"]}, ip)
    return password
