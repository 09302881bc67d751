"""Demo data: institutions and sample products, and one account per role. Idempotent."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from xqr.db import write_transaction
from xqr.services.registry import RegistryEntry, save_entries
from xqr.services.registry_generate import authority_name, generate_entries, make_credit_code
from xqr.services.users import create_user, username_taken
from xqr.tables.accounts import Enterprise, User
from xqr.tables.catalogue import Institution, Product
from xqr.tables.registry import RegistryEnterprise

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PRODUCTS_FILE = DATA_DIR / "loan_products_sample.csv"
DEMO_PASSWORD = "Demo@2026"
DEMO_ENTERPRISE_NAME = "湖南湘企示范科技有限公司"
#: synthetic, passes GB 32100 (registered in 长沙市岳麓区)
DEMO_ENTERPRISE_CODE = "91430104MA4T7K2C4C"
DEMO_ENTERPRISE_ADDRESS = "湖南省长沙市岳麓区麓谷大道 658 号"
def demo_registry_count() -> int:
    """Synthetic registry rows behind the demo's live search (deterministic: the same on every machine).

    XQR_DEMO_REGISTRY_COUNT lowers it where 20,000 rows would only cost time (the test suite).
    """
    return int(os.environ.get("XQR_DEMO_REGISTRY_COUNT", "20000"))


DEMO_REGISTRY_SEED = 2026


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
            address=DEMO_ENTERPRISE_ADDRESS,
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


def _showcase(body: str, name: str, division: str, industry: str, status: str = "存续", **facts) -> RegistryEntry:
    """A hand-made registry row whose name makes the live search worth showing (fictional, valid code)."""
    category = "93" if name.endswith("合作社") else "91"
    return RegistryEntry(
        credit_code=make_credit_code(category, division, body),
        name=name,
        status=status,
        division_code=division,
        authority=authority_name(division),
        industry_code=industry,
        **{"enterprise_type": "有限责任公司（自然人投资或控股）", **facts},
    )


def demo_registry_entries() -> list[RegistryEntry]:
    """The demo enterprise's own registry row and a handful of 长沙 names for the live-search demo."""
    return [
        RegistryEntry(
            credit_code=DEMO_ENTERPRISE_CODE,
            name=DEMO_ENTERPRISE_NAME,
            status="存续",
            division_code="430104",
            address=DEMO_ENTERPRISE_ADDRESS,
            enterprise_type="有限责任公司（自然人投资或控股）",
            established_on=date(2019, 3, 18),
            registered_capital=Decimal("1000"),
            authority="长沙市岳麓区市场监督管理局",
            industry_code="65",
            legal_representative="李湘平",
            business_scope="软件开发；信息系统集成服务；数据处理和存储支持服务；人工智能应用软件开发。"
            "（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
        ),
        _showcase("MA4D8K1P", "湖南湘企示范物流有限公司", "430111", "54", address="湖南省长沙市雨花区万家丽路 88 号"),
        _showcase("MA4E2L7Q", "长沙麓谷云计算科技有限公司", "430104", "65", address="湖南省长沙市岳麓区麓谷大道 627 号"),
        _showcase("MA4F3M8R", "长沙星城湘菜餐饮管理有限公司", "430102", "62", "在业", address="湖南省长沙市芙蓉区五一大道 318 号"),
        _showcase("MA4G4N9T", "长沙湘江机械制造有限公司", "430112", "34", address="湖南省长沙市望城区金星北路 1 号"),
        _showcase("MA4H5P0U", "长沙湘江机械制造有限公司岳麓分公司", "430104", "34",
                  address="湖南省长沙市岳麓区桐梓坡路 96 号", enterprise_type="有限责任公司分公司（自然人投资或控股）"),
        _showcase("MA4J6Q1W", "长沙橘洲文化传媒有限公司", "430104", "86", address="湖南省长沙市岳麓区潇湘中路 28 号"),
        _showcase("MA4K7R2X", "长沙天心茶业有限公司", "430103", "15", "注销", address="湖南省长沙市天心区书院路 66 号"),
        _showcase("MA4L8T3Y", "长沙芙蓉湘绣工艺品有限公司", "430102", "24", address="湖南省长沙市芙蓉区解放中路 128 号"),
        _showcase("MA4M9U4A", "长沙浏阳河食品有限公司", "430181", "14", address="湖南省长沙市浏阳市金沙北路 9 号"),
        _showcase("MA4N0W5B", "长沙县星沙汽车零部件有限公司", "430121", "36", "吊销，未注销", address="湖南省长沙市长沙县开元东路 18 号"),
        _showcase("MA4P1X6C", "宁乡市金洲蔬菜种植专业合作社", "430182", "01",
                  address="湖南省长沙市宁乡市金洲镇关山村", enterprise_type="农民专业合作社"),
    ]


async def _seed_registry() -> None:
    if await RegistryEnterprise.exists().where(RegistryEnterprise.credit_code == DEMO_ENTERPRISE_CODE):
        return
    batch: list[RegistryEntry] = []
    for entry in generate_entries(demo_registry_count(), DEMO_REGISTRY_SEED):
        batch.append(entry)
        if len(batch) == 2000:
            await save_entries(batch)
            batch.clear()
    # Last, so that the check above only passes once everything is in.
    await save_entries(batch + demo_registry_entries())


async def _seed_certification() -> None:
    from xqr.services.demo_certification import seed_certified_demo_enterprise

    await seed_certified_demo_enterprise()


# Later features append their own idempotent steps (registry rows, certification...).
SEED_STEPS = [_seed_catalogue, _seed_accounts, _seed_registry, _seed_certification]


async def seed_demo() -> None:
    for step in SEED_STEPS:
        await step()


async def demo_loaded() -> bool:
    return await User.exists().where(User.username_key == DEMO_ACCOUNTS[-1].username)


def print_demo_accounts() -> None:
    print("演示账号（密码均为 %s，登录短信验证码见 /dev/outbox）：" % DEMO_PASSWORD)
    for account in DEMO_ACCOUNTS:
        print(f"  {account.username:<12} {account.label}  手机 {account.phone}")
