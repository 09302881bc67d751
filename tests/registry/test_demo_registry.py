"""The demo data's registry: generated enterprises, the demo enterprise's own row, the showcase names."""

from xqr.services.demo import (
    DEMO_ENTERPRISE_ADDRESS,
    DEMO_ENTERPRISE_CODE,
    DEMO_ENTERPRISE_NAME,
    demo_registry_count,
    demo_registry_entries,
    seed_demo,
)
from xqr.services.identity_codes import credit_code_problem
from xqr.services.registry import get_registry
from xqr.tables.registry import RegistryEnterprise


async def test_the_demo_registry_loads_once_with_the_demo_enterprise_complete(db):
    await seed_demo()
    await seed_demo()

    showcase = demo_registry_entries()
    assert await RegistryEnterprise.count() == demo_registry_count() + len(showcase)
    demo = await get_registry().lookup(DEMO_ENTERPRISE_CODE)
    assert (demo.name, demo.address, demo.division_name) == (DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_ADDRESS, "长沙市岳麓区")
    for fact in ("status", "enterprise_type", "established_on", "registered_capital", "authority", "industry_code",
                 "legal_representative", "business_scope"):
        assert getattr(demo, fact), fact
    assert (await get_registry().search(DEMO_ENTERPRISE_NAME))[0].credit_code == DEMO_ENTERPRISE_CODE
    assert DEMO_ENTERPRISE_CODE in {found.credit_code for found in await get_registry().search("湘企示范")}


def test_showcase_rows_have_valid_distinct_codes():
    codes = [entry.credit_code for entry in demo_registry_entries()]
    assert len(set(codes)) == len(codes)
    assert all(credit_code_problem(code) is None for code in codes)
