"""Demo data: institutions and sample products, and one account per role. Idempotent."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from xqr.db import write_transaction
from xqr.services.users import create_user, username_taken
from xqr.tables.accounts import Enterprise, User
from xqr.tables.catalogue import Institution, Product

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PRODUCTS_FILE = DATA_DIR / "loan_products_sample.csv"
DEMO_PASSWORD = "Demo@2026"
DEMO_ENTERPRISE_NAME = "湖南湘企示范科技有限公司"
#: synthetic, passes GB 32100 (registered in 长沙市岳麓区)
DEMO_ENTERPRISE_CODE = "91430104MA4T7K2C4C"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    phone: str
    role: str
    label: str
    institution: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("demo_qiye", "13800000001", "enterprise", f"企业管理员（{DEMO_ENTERPRISE_NAME}）"),
    DemoAccount("demo_shenhe", "13800000002", "reviewer", "平台审核员"),
    DemoAccount("demo_gsyh", "13800000003", "institution", "机构人员（中国工商银行）", "中国工商银行"),
    DemoAccount("demo_csyh", "13800000004", "institution", "机构人员（长沙银行）", "长沙银行"),
    DemoAccount("demo_admin", "13800000005", "admin", "平台管理员"),
]


def _now() -> datetime:
    return datetime.now(timezone.utc)


def read_sample_products() -> list[dict[str, str]]:
    with PRODUCTS_FILE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


async def _seed_catalogue() -> None:
    rows = read_sample_products()
    async with write_transaction():
        for name in sorted({row["institution"] for row in rows}):
            if not await Institution.exists().where(Institution.name == name):
                await Institution(name=name, created_at=_now()).save()
        institutions = {r["name"]: r["id"] for r in await Institution.select(Institution.id, Institution.name)}
        for row in rows:
            institution_id = institutions[row["institution"]]
            if await Product.exists().where((Product.institution == institution_id) & (Product.name == row["product_name"])):
                continue
            await Product(
                institution=institution_id,
                name=row["product_name"],
                product_type=row["product_type"],
                min_amount=Decimal(row["min_amount_wan"]),
                max_amount=Decimal(row["max_amount_wan"]),
                min_rate=Decimal(row["min_rate_pct"]),
                max_rate=Decimal(row["max_rate_pct"]),
                min_term_months=int(row["min_term_months"]),
                max_term_months=int(row["max_term_months"]),
                guarantee=row["guarantee"],
                repayment=row["repayment"],
                target=row["target"],
                region=row["region"],
                description=row["description"],
                is_sample=True,
                created_at=_now(),
                updated_at=_now(),
            ).save()


async def _seed_accounts() -> None:
    enterprise = await Enterprise.select(Enterprise.id).where(Enterprise.credit_code == DEMO_ENTERPRISE_CODE).first()
    if enterprise is None:
        row = Enterprise(
            name=DEMO_ENTERPRISE_NAME,
            credit_code=DEMO_ENTERPRISE_CODE,
            address="湖南省长沙市岳麓区麓谷大道 658 号",
            created_at=_now(),
        )
        await row.save()
        enterprise_id = row.id
    else:
        enterprise_id = enterprise["id"]
    for account in DEMO_ACCOUNTS:
        if await username_taken(account.username):
            continue
        await create_user(
            username=account.username,
            phone=account.phone,
            password=DEMO_PASSWORD,
            role=account.role,
            enterprise_id=enterprise_id if account.role == "enterprise" else None,
            institution_name=account.institution,
        )


async def _seed_certification() -> None:
    from xqr.services.demo_certification import seed_certified_demo_enterprise

    await seed_certified_demo_enterprise()


# Later features append their own idempotent steps (registry rows, certification...).
SEED_STEPS = [_seed_catalogue, _seed_accounts, _seed_certification]


async def seed_demo() -> None:
    for step in SEED_STEPS:
        await step()


async def demo_loaded() -> bool:
    return await User.exists().where(User.username_key == DEMO_ACCOUNTS[-1].username)


def print_demo_accounts() -> None:
    print("演示账号（密码均为 %s，登录短信验证码见 /dev/outbox）：" % DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        print(f"  {account.username:<12} {account.label}  手机 {account.phone}")
