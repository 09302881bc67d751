"""Login in two steps (password, then an SMS code to the registered phone), lockout, password recovery.

Nothing here tells a stranger whether an account exists: a wrong password and an
unknown account get the same answer, unknown accounts lock after the same number of
failures as real ones, and password recovery answers the same whether or not the
account and phone match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from xqr.db import write_transaction
from xqr.services.errors import ValidationFailed
from xqr.services.outbox import post_message
from xqr.services.passwords import hash_password, password_problem, verify_password
from xqr.services.sms_codes import CooldownActive, consume_code, send_code, seconds_until_resend, verify_code
from xqr.services.users import mask_phone, phone_problem
from xqr.tables.accounts import User
from xqr.tables.verification import LoginEvent
from xqr.web import sessions

#: 等保 practice and ASVS 2.2.1: lock after 5 consecutive failures, for 15 minutes
LOCKOUT_THRESHOLD = 5
LOCKOUT_DURATION = timedelta(minutes=15)
#: failed attempts from one address, over all accounts, before it must wait (credential stuffing)
IP_FAILURE_CAP = 30

WRONG_CREDENTIALS = "登录账号或登录密码不正确"
LOCKED = "登录失败次数过多，账号已临时锁定，请15分钟后再试"
IP_THROTTLED = "登录尝试过于频繁，请15分钟后再试"
INACTIVE = "该账号已停用，如有疑问请联系平台管理员"

# verify_password against this when the account does not exist, so both answers take as long.
_DUMMY_HASH = hash_password("not-a-real-password-1!")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Client:
    """Where a request came from, for the login history and the per-IP limits."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class PasswordAccepted:
    user_id: int
    masked_phone: str
    #: seconds until another code may be requested
    wait_seconds: int
    #: False when the code sent a moment ago still stands
    sent: bool = True


@dataclass(frozen=True)
class LoggedIn:
    user_id: int
    must_change_password: bool


async def _record(username_key: str, user_id: int | None, client: Client, reason: str) -> None:
    await LoginEvent(
        user=user_id,
        username_key=username_key[:40],
        success=reason == "ok",
        reason=reason,
        ip=client.ip,
        user_agent=client.user_agent[:300],
        created_at=_now(),
    ).save()


async def _recent_failures(column, value: str) -> int:
    since = _now() - LOCKOUT_DURATION
    return await LoginEvent.count().where((column == value) & LoginEvent.success.eq(False) & (LoginEvent.created_at > since))


async def check_password(username: str, password: str, client: Client) -> PasswordAccepted:
    """Step 1: the password is right, so send a login code to the account's registered phone."""
    key = username.strip().lower()
    errors = {}
    if not key:
        errors["username"] = "请输入登录账号"
    if not password:
        errors["password"] = "请输入登录密码"
    if errors:
        raise ValidationFailed(errors)
    if client.ip and await _recent_failures(LoginEvent.ip, client.ip) >= IP_FAILURE_CAP:
        raise ValidationFailed({"__all__": IP_THROTTLED})
    user = await User.select(User.id, User.phone, User.password_hash, User.is_active, User.locked_until).where(User.username_key == key).first()
    if user is None:
        verify_password(_DUMMY_HASH, password)
        locked = await _recent_failures(LoginEvent.username_key, key) >= LOCKOUT_THRESHOLD
        await _record(key, None, client, "locked" if locked else "password")
        raise ValidationFailed({"__all__": LOCKED if locked else WRONG_CREDENTIALS})
    if user["locked_until"] is not None and user["locked_until"] > _now():
        await _record(key, user["id"], client, "locked")
        raise ValidationFailed({"__all__": LOCKED})
    if not verify_password(user["password_hash"], password):
        async with write_transaction():
            await _record(key, user["id"], client, "password")
            await User.update({User.failed_logins: User.failed_logins + 1}).where(User.id == user["id"])
            # The lock takes the count back to zero: after it ends, five more tries.
            await User.update({User.failed_logins: 0, User.locked_until: _now() + LOCKOUT_DURATION}).where(
                (User.id == user["id"]) & (User.failed_logins >= LOCKOUT_THRESHOLD)
            )
        raise ValidationFailed({"__all__": WRONG_CREDENTIALS})
    if not user["is_active"]:
        await _record(key, user["id"], client, "inactive")
        raise ValidationFailed({"__all__": INACTIVE})
    await User.update({User.failed_logins: 0}).where(User.id == user["id"])
    try:
        wait, sent = (await send_code(user["phone"], "login", client.ip)).wait_seconds, True
    except CooldownActive as cooling:
        # A code went out moments ago (the user came back to step 1): that code is still good.
        wait, sent = cooling.wait_seconds, False
    return PasswordAccepted(user_id=user["id"], masked_phone=mask_phone(user["phone"]), wait_seconds=wait, sent=sent)


async def _phone_of(user_id: int) -> str:
    user = await User.select(User.phone).where(User.id == user_id).first()
    if user is None:
        raise ValidationFailed({"__all__": "请重新输入登录账号和登录密码"})
    return user["phone"]


async def resend_login_code(user_id: int, client: Client) -> int:
    """Another login code to the account whose password was accepted; returns the wait in seconds."""
    return (await send_code(await _phone_of(user_id), "login", client.ip)).wait_seconds


async def login_code_wait(user_id: int) -> tuple[str, int]:
    """The masked registered phone and the seconds until another login code may be sent."""
    phone = await _phone_of(user_id)
    return mask_phone(phone), await seconds_until_resend(phone, "login")


async def complete_login(user_id: int, code: str, client: Client) -> LoggedIn:
    """Step 2: the SMS code. The caller then starts the session (sessions.login)."""
    user = await User.select(User.id, User.username_key, User.phone, User.is_active, User.must_change_password).where(User.id == user_id).first()
    if user is None or not user["is_active"]:
        raise ValidationFailed({"__all__": INACTIVE if user else "请重新输入登录账号和登录密码"})
    try:
        code_id = await verify_code(user["phone"], "login", code)
    except ValidationFailed:
        await _record(user["username_key"], user_id, client, "code")
        raise
    async with write_transaction():
        await consume_code(code_id)
        await User.update({User.last_login_at: _now(), User.failed_logins: 0, User.locked_until: None}).where(User.id == user_id)
        await _record(user["username_key"], user_id, client, "ok")
    return LoggedIn(user_id=user_id, must_change_password=user["must_change_password"])


async def recent_logins(user_id: int, limit: int = 10) -> list[dict]:
    """The account's last successful logins, newest first (我的管理 shows them)."""
    return await (
        LoginEvent.select(LoginEvent.created_at, LoginEvent.ip, LoginEvent.user_agent)
        .where((LoginEvent.user == user_id) & LoginEvent.success.eq(True))
        .order_by(LoginEvent.id, ascending=False)
        .limit(limit)
    )


# --- password recovery and change -------------------------------------------------------

RESET_CODE_SENT = "若登录账号与手机号码匹配，验证码将发送至该手机"
RESET_MISMATCH = "登录账号、手机号码或验证码不正确"


def _account_and_phone(username: str, phone: str) -> tuple[str, dict[str, str]]:
    """The account key, and what is wrong with the account and phone as typed."""
    key = username.strip().lower()
    errors = {}
    if not key:
        errors["username"] = "请输入登录账号"
    if problem := phone_problem(phone):
        errors["phone"] = problem
    return key, errors


async def _active_account_with_phone(key: str, phone: str) -> dict | None:
    return await User.select(User.id).where((User.username_key == key) & (User.phone == phone) & User.is_active.eq(True)).first()


async def send_reset_code(username: str, phone: str, client: Client) -> int:
    """A recovery code to the phone if it is the account's registered phone; returns the wait in seconds."""
    key, errors = _account_and_phone(username, phone)
    if errors:
        raise ValidationFailed(errors)
    user = await _active_account_with_phone(key, phone)
    return (await send_code(phone, "reset_password", client.ip, deliver=user is not None)).wait_seconds


def _new_password_errors(password: str, confirm: str) -> dict[str, str]:
    if problem := password_problem(password):
        return {"password": problem}
    if confirm != password:
        return {"password_confirm": "两次输入的密码不一致"}
    return {}


async def reset_password(username: str, phone: str, code: str, password: str, password_confirm: str) -> int:
    """Set a new password after proving the registered phone; every session of the account ends."""
    key, errors = _account_and_phone(username, phone)
    errors.update(_new_password_errors(password, password_confirm))
    if "phone" not in errors:
        try:
            code_id = await verify_code(phone, "reset_password", code)
        except ValidationFailed as failure:
            errors.update(failure.errors)
    if errors:
        raise ValidationFailed(errors)
    user = await _active_account_with_phone(key, phone)
    if user is None:
        raise ValidationFailed({"code": RESET_MISMATCH})
    async with write_transaction():
        await consume_code(code_id)
        await User.update(
            {User.password_hash: hash_password(password), User.failed_logins: 0, User.locked_until: None, User.must_change_password: False}
        ).where(User.id == user["id"])
        await sessions.end_all_for_user(user["id"])
        await post_message(user["id"], "您的登录密码已重置", "您通过手机验证码重置了登录密码，所有设备上的登录已退出。如非本人操作，请立即联系平台。")
    return user["id"]


async def change_password(user_id: int, current: str, password: str, password_confirm: str, keep_session_id: int | None) -> None:
    """A new password chosen by the logged-in user; the other sessions of the account end."""
    user = await User.select(User.password_hash).where(User.id == user_id).first()
    errors = {}
    if user is None or not verify_password(user["password_hash"], current):
        errors["current_password"] = "当前密码不正确"
    errors.update(_new_password_errors(password, password_confirm))
    if not errors and password == current:
        errors["password"] = "新密码不能与当前密码相同"
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await User.update({User.password_hash: hash_password(password), User.must_change_password: False}).where(User.id == user_id)
        await sessions.end_all_for_user(user_id, except_session_id=keep_session_id)
