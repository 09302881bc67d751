"""Shared set-up for the application tests: the demo data, a certified enterprise, actors as services see them."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from xqr.services.demo import seed_demo
from xqr.services.users import create_user, load_current_user
from xqr.tables.accounts import Enterprise, User
from xqr.tables.catalogue import Product


@pytest.fixture
def settings(settings):
    """No background outbox loop: several clients share one app here, and each would start its own."""
    return dataclasses.replace(settings, outbox_interval_seconds=0)


@pytest.fixture
async def demo(db):
    await seed_demo()


async def certify(username: str) -> None:
    """Stands in for an approved certification request (branch `certification`)."""
    user = await User.select(User.enterprise).where(User.username_key == username).first()
    await Enterprise.update({Enterprise.cert_status: "certified"}).where(Enterprise.id == user["enterprise"])


async def actor(username: str):
    user = await User.select(User.id).where(User.username_key == username).first()
    return await load_current_user(user["id"])


async def second_enterprise(username: str = "qiye_two", certified: bool = True):
    """Another enterprise with its own account holder."""
    row = Enterprise(name="长沙另一家科技有限公司", credit_code="91430100MA4L0AAA1X", cert_status="certified" if certified else "uncertified", created_at=datetime.now(timezone.utc))
    await row.save()
    await create_user(username=username, phone="13900000009", password="Demo@2026x", role="enterprise", enterprise_id=row.id)
    return await actor(username)


async def product_of(institution_name: str, index: int = 0) -> dict:
    rows = await Product.select(*Product.all_columns()).where(Product.institution.name == institution_name).order_by(Product.id)
    return rows[index]


def good_application(product: dict, **changes) -> dict[str, str]:
    values = {
        "amount": str(product["min_amount"]),
        "term_months": str(product["min_term_months"]),
        "purpose": "采购原材料",
        "contact_name": "王经理",
        "contact_phone": "13812345678",
        "remark": "",
        "consent": "yes",
    }
    values.update(changes)
    return values
