"""Set-up shared by the demand, admin and browser tests: enterprises, staff, demands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from stdnum.cn import uscc

from xqr.services import demands
from xqr.services.demo import DEMO_PASSWORD, seed_demo
from xqr.services.users import create_user, load_current_user
from xqr.tables.accounts import Enterprise, User
from xqr.tables.catalogue import Institution
from xqr.web.current_user import CurrentUser


def credit_code(division: str, serial: int) -> str:
    """A valid 统一社会信用代码 registered in `division` (6 digits)."""
    first = f"91{division}MA{serial:07d}"[:17]
    return first + uscc.calc_check_digit(first)


def demand_form(**changes: str) -> dict[str, str]:
    values = {
        "amount": "300",
        "term_months": "12",
        "purpose": "采购原材料，补充流动资金",
        "guarantee": "信用",
        "max_rate": "6.5",
        "expires_on": (demands.today() + timedelta(days=30)).isoformat(),
        "industry": "C",
        "contact_name": "李经理",
        "contact_phone": "13900001111",
        "contact_email": "li@example.com",
        "consent": "yes",
    }
    values.update(changes)
    return values


async def user(username: str) -> CurrentUser:
    row = await User.select(User.id).where(User.username_key == username.lower()).first()
    return await load_current_user(row["id"])


async def certify(username: str = "demo_qiye") -> CurrentUser:
    current = await user(username)
    await Enterprise.update({Enterprise.cert_status: "certified"}).where(Enterprise.id == current.enterprise_id)
    return await user(username)


async def enterprise_user(username: str, name: str, division: str, serial: int, *, certified: bool = True) -> CurrentUser:
    row = Enterprise(
        name=name,
        credit_code=credit_code(division, serial),
        cert_status="certified" if certified else "uncertified",
        created_at=datetime.now(timezone.utc),
    )
    await row.save()
    await create_user(username=username, phone=f"139{serial:08d}"[:11], password=DEMO_PASSWORD, role="enterprise", enterprise_id=row.id)
    return await user(username)


async def institution_staff(username: str, institution_name: str) -> CurrentUser:
    if not await Institution.exists().where(Institution.name == institution_name):
        await Institution(name=institution_name, created_at=datetime.now(timezone.utc)).save()
    await create_user(username=username, phone="13700000000", password=DEMO_PASSWORD, role="institution", institution_name=institution_name)
    return await user(username)


async def seeded_with_demand(**changes: str) -> tuple[CurrentUser, int]:
    """The demo data, demo_qiye certified, and one demand posted by it."""
    await seed_demo()
    poster = await certify()
    return poster, await demands.post_demand(poster, demand_form(**changes))


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost takes ~0.5 s a hash here; these tests create many accounts.

    Hashes made this way still verify with the production hasher (parameters travel in the hash).
    """
    from argon2 import PasswordHasher

    from xqr.services import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
