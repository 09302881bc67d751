"""Live search and lookup on the local registry, on the test database's engine (SQLite or PostgreSQL)."""

from dataclasses import replace
from decimal import Decimal
from datetime import date

from tests.registry.helpers import entry, renamed
from xqr.services.registry import SEARCH_LIMIT, get_registry, save_entries


async def search(query: str, limit: int = SEARCH_LIMIT) -> list[str]:
    return [found.name for found in await get_registry().search(query, limit)]


async def test_exact_name_comes_first_then_prefixes_then_substrings_active_first_within_each(db):
    rows = [
        entry("株洲湘江科技有限公司", "吊销，未注销"),
        entry("长沙湘江科技有限公司", "在业"),
        entry("湘江科技发展有限公司", "注销"),
        entry("湘江科技有限公司", "存续"),
        entry("湘江科技", "迁出"),
        entry("长沙岳麓科技有限公司"),
    ]
    await save_entries(rows)

    assert await search("湘江科技") == [
        "湘江科技",
        "湘江科技有限公司",
        "湘江科技发展有限公司",
        "长沙湘江科技有限公司",
        "株洲湘江科技有限公司",
    ]


async def test_two_characters_are_enough_anywhere_in_the_name(db):
    await save_entries([entry("长沙麓谷软件有限公司"), entry("湖南湘江新区建设有限公司"), entry("株洲湘江物流有限公司", "注销"),
                        entry("岳阳洞庭湖渔业有限公司"), entry("湖南企业湘江")])

    found = await search("湘江")
    assert set(found[:2]) == {"湖南湘江新区建设有限公司", "湖南企业湘江"}
    assert found[2:] == ["株洲湘江物流有限公司"]
    assert await search("麓谷") == ["长沙麓谷软件有限公司"]
    assert await search("渔业") == ["岳阳洞庭湖渔业有限公司"]


async def test_two_character_matches_rank_prefixes_before_substrings(db):
    await save_entries([entry("湖南长沙贸易有限公司"), entry("长沙贸易有限公司", "注销"), entry("长沙食品有限公司")])

    assert await search("长沙") == ["长沙食品有限公司", "长沙贸易有限公司", "湖南长沙贸易有限公司"]


async def test_at_most_ten_results_active_ones_first(db):
    inactive = [entry(f"星城{i:02d}注销贸易有限公司", "注销") for i in range(8)]
    active = [entry(f"湖南星城{i:02d}商贸有限公司", "存续") for i in range(8)]
    await save_entries(inactive + active)

    found = await get_registry().search("星城")
    assert len(found) == SEARCH_LIMIT
    # prefix tier (all inactive) before the substring tier (all active): ranking by match first
    assert [f.name for f in found[:8]] == sorted(e.name for e in inactive)
    assert all(f.is_active for f in found[8:])
    assert len(await search("星城", limit=3)) == 3


async def test_active_statuses_come_first_among_substring_matches(db):
    names = {"湖南九华注销机械有限公司": "注销", "湖南九华存续机械有限公司": "存续", "湖南九华吊销机械有限公司": "吊销", "湖南九华在业机械有限公司": "在业"}
    await save_entries([entry(name, status) for name, status in names.items()])

    found = await get_registry().search("九华")
    assert [f.status for f in found[:2]] != [] and {f.status for f in found[:2]} == {"存续", "在业"}
    assert {f.status for f in found[2:]} == {"注销", "吊销"}


async def test_credit_code_prefix_finds_the_enterprise_whatever_the_case(db):
    target = entry("长沙代码查询测试有限公司", division="430105")
    other = entry("株洲代码查询测试有限公司", division="430202")
    await save_entries([target, other])

    assert await search(target.credit_code[:12]) == [target.name]
    assert await search(target.credit_code[:12].lower()) == [target.name]
    assert await search(target.credit_code) == [target.name]
    assert set(await search("9143")) == {target.name, other.name}


async def test_no_match_and_too_short_queries_give_nothing(db):
    await save_entries([entry("长沙麓谷软件有限公司")])

    assert await search("不存在的企业名称") == []
    assert await search("沪上") == []
    assert await search("长") == []
    assert await search("  ") == []
    assert await search("") == []


async def test_brackets_and_latin_letters_match_as_typed(db):
    await save_entries([entry("长沙（湘江）贸易商行"), entry("湖南ABC智能科技有限公司")])

    assert await search("(湘江)") == ["长沙（湘江）贸易商行"]
    assert await search("（湘") == ["长沙（湘江）贸易商行"]
    assert await search("abc智能") == ["湖南ABC智能科技有限公司"]
    assert await search("bc") == ["湖南ABC智能科技有限公司"]


async def test_a_renamed_enterprise_is_found_by_its_new_name_only(db):
    original = entry("长沙旧名字贸易有限公司")
    await save_entries([original])
    await save_entries([renamed(original, "长沙新招牌食品有限公司")])

    assert await search("旧名") == []
    assert await search("旧名字贸易") == []
    assert await search("招牌") == ["长沙新招牌食品有限公司"]
    assert await search("新招牌食品") == ["长沙新招牌食品有限公司"]


async def test_lookup_by_exact_credit_code_returns_every_fact(db):
    facts = entry(
        "湖南事实齐全科技有限公司",
        address="湖南省长沙市岳麓区麓谷大道 1 号",
        enterprise_type="有限责任公司（自然人投资或控股）",
        established_on=date(2018, 6, 1),
        registered_capital=Decimal("1234.5"),
        industry_code="65",
        legal_representative="王湘",
        business_scope="软件开发",
    )
    await save_entries([facts])

    found = await get_registry().lookup(facts.credit_code.lower())
    assert found is not None and found.updated_at is not None
    assert replace(found, updated_at=None) == facts
    assert found.division_name == "长沙市岳麓区"
    assert found.industry_name == "软件和信息技术服务业"
    assert await get_registry().lookup(facts.credit_code[:17] + "0") is None
    assert await get_registry().lookup("") is None


async def test_a_status_change_moves_the_enterprise_behind_the_active_ones(db):
    first, second = entry("湖南状态甲贸易有限公司"), entry("湖南状态乙贸易有限公司")
    await save_entries([first, second])

    await save_entries([replace(first, status="注销")])

    assert await search("状态") == [second.name, first.name]
    await save_entries([replace(first, status="存续"), replace(second, status="吊销")])
    assert await search("状态") == [first.name, second.name]
