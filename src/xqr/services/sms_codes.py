"""SMS verification codes: sending under rate limits, checking, single use.

Numbers from shared security requirements §3.2 (NIST SP 800-63B, OWASP ASVS 2.7,
Aliyun's default flow control): 6 digits, 5-minute life, 5 wrong tries, 60 s between
sends to one phone, at most 10 a day to one phone. Per IP we allow more, because an
office or a mobile carrier's NAT puts many people behind one address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from xqr.db import write_transaction
from xqr.services.errors import ValidationFailed
from xqr.services.outbox import enqueue_sms_code
from xqr.services.users import phone_problem
from xqr.settings import get_settings
from xqr.tables.verification import SmsCode

CODE_LIFETIME = timedelta(minutes=5)
MAX_WRONG_ATTEMPTS = 5
#: between two codes for the same purpose to one phone
RESEND_INTERVAL = timedelta(seconds=60)
DAILY_CAP_PER_PHONE = 10
DAILY_CAP_PER_IP = 30
CAP_WINDOW = timedelta(hours=24)

PURPOSES = {
    "register": "注册",
    "login": "登录",
    "reset_password": "找回密码",
    "change_phone": "更换手机号码",
}


def _now() -> datetime:
    return datetime.now(timezone.utc)


def code_hash(phone: str, purpose: str, code: str) -> str:
    """Keyed hash: six digits are too few for a plain or slow hash to protect them."""
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"{phone}:{purpose}:{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SentCode:
    #: seconds until another code may be sent to the phone
    wait_seconds: int


class CooldownActive(ValidationFailed):
    """A code went to this phone less than RESEND_INTERVAL ago."""

    def __init__(self, wait_seconds: int) -> None:
        super().__init__({"code": f"验证码已发送，请{wait_seconds}秒后再重新获取"})
        self.wait_seconds = wait_seconds


async def seconds_until_resend(phone: str, purpose: str) -> int:
    """How long the phone must wait before the next code for this purpose (0: may send now).

    Per purpose, so that someone who has just registered can log in at once; the daily caps
    per phone and per IP still bound what one phone can be sent.
    """
    last = (
        await SmsCode.select(SmsCode.created_at)
        .where((SmsCode.phone == phone) & (SmsCode.purpose == purpose))
        .order_by(SmsCode.id, ascending=False)
        .first()
    )
    if last is None:
        return 0
    remaining = last["created_at"] + RESEND_INTERVAL - _now()
    return max(0, int(remaining.total_seconds() + 0.999))


async def send_code(phone: str, purpose: str, ip: str, *, deliver: bool = True) -> SentCode:
    """Issue a code for (phone, purpose) and queue its SMS, within the send limits.

    deliver=False records the send without an SMS: password recovery uses it when the
    account and phone do not match, so that the limits (and the answers) are the same
    whether or not they do.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown SMS code purpose {purpose!r}")
    if problem := phone_problem(phone):
        raise ValidationFailed({"phone": problem})
    code = f"{secrets.randbelow(10**6):06d}"
    async with write_transaction():
        wait = await seconds_until_resend(phone, purpose)
        if wait:
            raise CooldownActive(wait)
        since = _now() - CAP_WINDOW
        if await SmsCode.count().where((SmsCode.phone == phone) & (SmsCode.created_at > since)) >= DAILY_CAP_PER_PHONE:
            raise ValidationFailed({"code": "该手机号码今日获取验证码次数已达上限，请明天再试"})
        if ip and await SmsCode.count().where((SmsCode.ip == ip) & (SmsCode.created_at > since)) >= DAILY_CAP_PER_IP:
            raise ValidationFailed({"code": "获取验证码过于频繁，请明天再试"})
        moment = _now()
        await SmsCode(
            phone=phone,
            purpose=purpose,
            code_hash=code_hash(phone, purpose, code) if deliver else secrets.token_hex(32),
            expires_at=moment + CODE_LIFETIME,
            created_at=moment,
            ip=ip,
        ).save()
        if deliver:
            # enqueue_sms_code carries the template parameters (code, minutes) the delivery loop and
            # the production SMS template need; a bare enqueue_sms row fails delivery.
            await enqueue_sms_code(phone, code, int(CODE_LIFETIME.total_seconds() // 60))
    return SentCode(wait_seconds=int(RESEND_INTERVAL.total_seconds()))


async def verify_code(phone: str, purpose: str, code: str) -> int:
    """Check a typed code against the latest one for (phone, purpose); returns its id.

    A wrong code is counted at once (in its own transaction, so a failing form cannot
    roll the count back). The code is not spent here: the caller spends it with
    consume_code in the transaction that acts on it, so a form refused for another
    field keeps its code.
    """
    code = code.strip()
    if not code:
        raise ValidationFailed({"code": "请输入验证码"})
    async with write_transaction():
        row = (
            await SmsCode.select()
            .where((SmsCode.phone == phone) & (SmsCode.purpose == purpose))
            .order_by(SmsCode.id, ascending=False)
            .first()
        )
        problem = _problem_with(row)
        if problem is None and not hmac.compare_digest(row["code_hash"], code_hash(phone, purpose, code)):
            await SmsCode.update({SmsCode.attempts: SmsCode.attempts + 1}).where(SmsCode.id == row["id"])
            left = MAX_WRONG_ATTEMPTS - row["attempts"] - 1
            problem = f"验证码不正确，还可尝试{left}次" if left else "验证码错误次数过多，请重新获取"
    # Raised after the commit: raising inside would roll the counted try back.
    if problem is not None:
        raise ValidationFailed({"code": problem})
    return row["id"]


def _problem_with(row: dict | None) -> str | None:
    """Why the latest code cannot be used at all, whatever is typed."""
    if row is None:
        return "请先获取验证码"
    if row["used_at"] is not None:
        return "验证码已使用，请重新获取"
    if row["attempts"] >= MAX_WRONG_ATTEMPTS:
        return "验证码错误次数过多，请重新获取"
    if row["expires_at"] <= _now():
        return "验证码已过期，请重新获取"
    return None


async def consume_code(code_id: int) -> None:
    """Spend a verified code, in the caller's transaction; a second spender is refused."""
    spent = await SmsCode.update({SmsCode.used_at: _now()}).where((SmsCode.id == code_id) & SmsCode.used_at.is_null()).returning(SmsCode.id)
    if not spent:
        raise ValidationFailed({"code": "验证码已使用，请重新获取"})
