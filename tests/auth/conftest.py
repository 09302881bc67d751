"""Helpers for the registration and login tests: registry rows, codes read from the outbox, counts."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from xqr.services.identity_codes import credit_code_check_character
from xqr.services.registry import RegistryEntry, save_entries
from xqr.tables.accounts import Consent, Enterprise, User, WebSession
from xqr.tables.messaging import Message, Outbox
from xqr.tables.verification import SmsCode

CODE_IN_SMS = re.compile(r"验证码为(\d{6})")


def credit_code(serial: int) -> str:
    """A credit code that passes GB 32100, registered in 长沙市岳麓区."""
    first_17 = f"91430104MA{serial:07d}"
    return first_17 + credit_code_check_character(first_17)


async def add_registry_entry(name: str, serial: int, address: str = "湖南省长沙市岳麓区麓山南路1号", status: str = "存续") -> RegistryEntry:
    entry = RegistryEntry(credit_code=credit_code(serial), name=name, status=status, division_code="430104", address=address)
    await save_entries([entry])
    return entry


async def last_code(phone: str) -> str:
    """The code in the newest SMS to this phone, as the user reads it."""
    row = await Outbox.select(Outbox.body_text).where((Outbox.channel == "sms") & (Outbox.recipient == phone)).order_by(Outbox.id, ascending=False).first()
    assert row is not None, f"no SMS to {phone}"
    return CODE_IN_SMS.search(row["body_text"]).group(1)


async def sms_count(phone: str | None = None) -> int:
    query = Outbox.count().where(Outbox.channel == "sms")
    return await (query.where(Outbox.recipient == phone) if phone else query)


async def pass_cooldown(phone: str) -> None:
    """Move this phone's codes 61 s into the past, as if the user had waited."""
    for row in await SmsCode.select(SmsCode.id, SmsCode.created_at).where(SmsCode.phone == phone):
        await SmsCode.update({SmsCode.created_at: row["created_at"] - timedelta(seconds=61)}).where(SmsCode.id == row["id"])


async def expire_codes(phone: str) -> None:
    await SmsCode.update({SmsCode.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(SmsCode.phone == phone)


async def saved_counts() -> dict[str, int]:
    """What registration writes: nothing of it may exist after a refused form."""
    return {
        "enterprises": await Enterprise.count(),
        "users": await User.count(),
        "consents": await Consent.count(),
        "messages": await Message.count(),
        "spent codes": await SmsCode.count().where(SmsCode.used_at.is_not_null()),
    }


async def sessions_of(username: str) -> int:
    user = await User.select(User.id).where(User.username_key == username.lower()).first()
    return await WebSession.count().where(WebSession.user == user["id"])


@pytest.fixture
async def demo(db):
    """The demo institutions and accounts only: the rest of the demo (a big registry) is not needed here."""
    from xqr.services.demo import _seed_accounts, _seed_catalogue

    await _seed_catalogue()
    await _seed_accounts()
