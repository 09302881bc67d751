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


async def seed_statistics() -> None:
    """Several enterprises in two prefectures and statuses, demands, takes and outcomes."""
    await seed_demo()
    await certify()
    statuses = ["certified", "pending", "rejected", "uncertified", "certified"]
    for n, status in enumerate(statuses):
        division = "430102" if n % 2 else "430202"
        person = await enterprise_user(f"corp{n}", f"统计企业{n}", division, 100 + n, certified=True)
        await Enterprise.update({Enterprise.cert_status: status}).where(Enterprise.id == person.enterprise_id)
        if status == "certified":
            demand_id = await demands.post_demand(await user(f"corp{n}"), demand_form(amount=str(100 * (n + 1))))
            await demands.take_demand(await user("demo_gsyh"), demand_id)
            await demands.record_outcome(await user("demo_gsyh"), demand_id, {"outcome": "granted", "granted_amount": str(50 * (n + 1))})
    poster = await user("demo_qiye")
    open_id = await demands.post_demand(poster, demand_form())
    await demands.take_demand(await user("demo_csyh"), open_id)
    closed_id = await demands.post_demand(poster, demand_form())
    await demands.close_demand(poster, closed_id)
    await institution_staff("third_bank", "湖南银行")
    await seed_applications()


async def seed_applications() -> None:
    """Applications to two institutions in every state the statistics count, one of them overdue."""
    from decimal import Decimal

    from xqr.services import applications
    from xqr.tables.applications import LoanApplication
    from xqr.tables.catalogue import Product

    async def apply(username: str, institution: str, amount: Decimal) -> int:
        product = await Product.select().where(Product.institution.name == institution).order_by(Product.id).first()
        values = {
            "amount": str(max(amount, product["min_amount"])), "term_months": str(product["min_term_months"]),
            "purpose": "采购原材料", "contact_name": "王经理", "contact_phone": "13812345678", "consent": "yes",
        }
        return (await applications.apply(await user(username), product["id"], values, response_days=3)).id

    gsyh, csyh = await user("demo_gsyh"), await user("demo_csyh")
    today = demands.today().isoformat()
    first = await apply("demo_qiye", "中国工商银行", Decimal(50))
    await applications.accept(gsyh, first)
    await applications.approve(gsyh, first, {"approved_amount": "40", "approved_rate": "3.5", "approved_term_months": "6"})
    await applications.disburse(gsyh, first, {"disbursed_amount": "40", "disbursed_on": today})
    second = await apply("demo_qiye", "长沙银行", Decimal(80))
    await applications.accept(csyh, second)
    await applications.decline(csyh, second, {"reason": "经营年限不足"})
    third = await apply("corp0", "中国工商银行", Decimal(30))
    await applications.accept(gsyh, third)
    late = await apply("corp4", "长沙银行", Decimal(20))
    await LoanApplication.update({LoanApplication.respond_by: datetime.now(timezone.utc) - timedelta(hours=1)}).where(LoanApplication.id == late)


@pytest.fixture
def settings(settings):
    """No background outbox loop: several clients share one app in these tests, and each would start its own."""
    import dataclasses

    return dataclasses.replace(settings, outbox_interval_seconds=0)


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost takes ~0.5 s a hash here; these tests create many accounts.

    Hashes made this way still verify with the production hasher (parameters travel in the hash).
    """
    from argon2 import PasswordHasher

    from xqr.services import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def stay(web):
    """A test client that shows the 303 itself instead of following it."""
    web.raw.follow_redirects = False
    return web


def browser_page_as(page, live_server: str, username: str):
    """A new browser context at the same size as `page`, logged in as `username` by its session cookie."""
    from tests.support.browser import VIEWPORTS, run
    from tests.support.web import session_token
    from xqr.web.sessions import COOKIE_NAME

    context = page.context.browser.new_context(base_url=live_server, locale="zh-CN", **VIEWPORTS[page.viewport_name])
    context.set_default_timeout(10_000)
    context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token(username)), "url": live_server}])
    other = context.new_page()
    other.viewport_name = page.viewport_name
    other.console_errors = []
    other.on("console", lambda message: other.console_errors.append(message.text) if message.type == "error" else None)
    return other
