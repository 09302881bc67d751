"""产品查询: the matching rules (pure) and the page."""

from datetime import date
from decimal import Decimal

import pytest

from xqr.services.demo import seed_demo
from xqr.services.product_matching import (
    EnterpriseProfile,
    ProductTerms,
    age_fit,
    industry_fit,
    match,
    parse_amount,
    rank,
    region_fit,
)
from xqr.tables.catalogue import Product

from tests.support.account_data import approve_enterprise
from tests.support.demand_data import enterprise_user
from tests.support.web import text_of

TODAY = date(2026, 11, 28)
YUELU = "430104"  # 长沙市岳麓区
LIUYANG = "430181"  # 浏阳市 (a county-level city of 长沙)
YUEYANG_LOUQU = "430602"  # 岳阳市岳阳楼区
YUEYANG_COUNTY = "430621"  # 岳阳县


@pytest.mark.parametrize(
    "region, division, expected",
    [
        ("湖南省全域", YUELU, (True, False)),
        ("长沙市", YUELU, (True, True)),
        ("长沙市", YUEYANG_LOUQU, (False, False)),
        ("长沙市、株洲市、湘潭市", YUELU, (True, True)),
        ("长沙市、岳阳市", YUEYANG_LOUQU, (True, True)),
        ("长株潭都市圈", YUELU, (True, True)),
        ("长株潭都市圈", YUEYANG_LOUQU, (False, False)),
        ("湖南省内县域", LIUYANG, (True, True)),
        ("湖南省内县域", YUELU, (False, False)),
        ("浏阳市", LIUYANG, (True, True)),
        ("浏阳市", YUELU, (False, False)),
        ("全国", YUELU, (None, False)),
        ("", YUELU, (None, False)),
        ("湖南省全域", "", (None, False)),
    ],
)
def test_a_product_region_is_read_against_the_enterprise_division(region, division, expected):
    assert region_fit(region, division) == expected


@pytest.mark.parametrize(
    "target, industry, expected",
    [
        ("科技型中小企业", "65", (True, "科技型中小企业")),
        ("科技型中小企业", "I", (True, "科技型中小企业")),
        ("科技型中小企业", "01", (False, "科技型中小企业")),
        ("高新技术企业、专精特新中小企业", "73", (True, "高新技术企业")),
        ("家庭农场、农民专业合作社、涉农小微企业", "01", (True, "家庭农场")),
        ("家庭农场、农民专业合作社、涉农小微企业", "65", (False, "家庭农场、农民专业合作社、涉农小微企业")),
        # one generic alternative makes the product open to every industry
        ("县域小微企业、个体工商户、新型农业经营主体", "65", (None, "")),
        ("县域小微企业、个体工商户、新型农业经营主体", "02", (True, "新型农业经营主体")),
        ("工程机械产业链上下游小微企业", "35", (True, "工程机械产业链上下游小微企业")),
        ("小微企业、个体工商户", "65", (None, "")),
        ("科技型中小企业", "", (None, "")),
        ("科技型中小企业", "651", (True, "科技型中小企业")),
    ],
)
def test_a_product_target_is_read_against_the_enterprise_industry(target, industry, expected):
    assert industry_fit(target, industry) == expected


def test_an_age_requirement_in_the_target_is_checked():
    target = "纳税信用A/B级、连续纳税满2年的小微企业"
    assert age_fit(target, date(2018, 6, 1), TODAY) == (True, 2)
    assert age_fit(target, date(2025, 6, 1), TODAY) == (False, 2)
    assert age_fit(target, date(2024, 11, 29), TODAY) == (False, 2)  # one day short
    assert age_fit(target, date(2024, 11, 28), TODAY) == (True, 2)
    assert age_fit(target, None, TODAY) == (None, 0)
    assert age_fit("小微企业", date(2025, 6, 1), TODAY) == (None, 0)


PROFILE = EnterpriseProfile(division_code=YUELU, industry_code="65", established_on=date(2018, 6, 1), wanted_amount=Decimal(200))


def terms(region="湖南省全域", target="小微企业", low="1", high="300") -> ProductTerms:
    return ProductTerms(region, target, Decimal(low), Decimal(high))


def test_a_fitting_product_gives_each_reason():
    fit = match(terms(region="长沙市", target="科技型中小企业", low="50", high="1000"), PROFILE, TODAY)
    assert fit.reasons == ["地区匹配（长沙市）", "行业匹配（科技型中小企业）", "额度匹配（50-1000万元）"]
    assert fit.misfits == [] and fit.recommended


@pytest.mark.parametrize(
    "product, misfit",
    [
        (terms(region="岳阳市"), "地区不符（办理区域：岳阳市）"),
        (terms(target="家庭农场、涉农小微企业"), "行业不符（适用对象：家庭农场、涉农小微企业）"),
        (terms(low="500", high="3000"), "额度不符（500-3000万元）"),
    ],
)
def test_one_contradicting_fact_keeps_a_product_out_of_recommendations(product, misfit):
    fit = match(product, PROFILE, TODAY)
    assert misfit in fit.misfits
    assert not fit.recommended


def test_without_an_amount_the_amount_is_no_criterion():
    fit = match(terms(low="500", high="3000"), EnterpriseProfile(division_code=YUELU, industry_code="65"), TODAY)
    assert fit.reasons == ["地区匹配（湖南省全域）"] and fit.recommended


def test_recommendations_come_best_first_and_the_rest_keep_their_order():
    products = [
        {"id": 1, "region": "湖南省全域", "target": "小微企业", "min_amount": Decimal(1), "max_amount": Decimal(300), "min_rate": Decimal("3.5")},
        {"id": 2, "region": "岳阳市", "target": "小微企业", "min_amount": Decimal(1), "max_amount": Decimal(300), "min_rate": Decimal("3.0")},
        {"id": 3, "region": "长沙市", "target": "科技型中小企业", "min_amount": Decimal(10), "max_amount": Decimal(1000), "min_rate": Decimal("3.3")},
        {"id": 4, "region": "湖南省全域", "target": "小微企业", "min_amount": Decimal(1), "max_amount": Decimal(300), "min_rate": Decimal("3.1")},
        {"id": 5, "region": "全国", "target": "持票企业", "min_amount": Decimal(1000), "max_amount": Decimal(5000), "min_rate": Decimal("1.0")},
    ]
    recommended, others = rank(products, PROFILE, TODAY)
    assert [r.product["id"] for r in recommended] == [3, 4, 1]  # best fit, then the same score by lower rate
    assert [r.product["id"] for r in others] == [2, 5]
    nothing, everything = rank(products, None, TODAY)
    assert nothing == [] and [r.product["id"] for r in everything] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("raw, problem", [("abc", "请输入数字金额"), ("0", "须大于0"), ("-5", "须大于0"), ("1e9", "不超过"), ("NaN", "须大于0")])
def test_a_bad_amount_is_explained(raw, problem):
    value, message = parse_amount(raw)
    assert value is None and problem in message


def test_a_good_amount_is_read():
    assert parse_amount(" 200.5 ") == (Decimal("200.5"), None)
    assert parse_amount("") == (None, None)


# ---------------------------------------------------------------- the page


def card_of(text: str, name: str) -> str:
    """The text of one product card (cards end with 查看详情)."""
    return next(card for card in text.split("查看详情") if name in card)


async def test_a_certified_enterprise_sees_recommendations_with_their_reasons(db, login_as):
    await seed_demo()
    await approve_enterprise()
    client = await login_as("demo_qiye")
    response = await client.get("/my/products?amount=200")
    assert response.status_code == 200
    text = text_of(response)
    recommended, others = text.split("为您推荐", 1)[1].split("其他产品", 1)
    # 中银湘科知产贷 is for 长沙市 科技型中小企业, 50-1000万元: everything fits the demo enterprise (长沙, 软件业)
    card = card_of(recommended, "中银湘科知产贷(示例)")
    assert "地区匹配（长沙市）" in card and "行业匹配（科技型中小企业）" in card and "额度匹配（50-1000万元）" in card
    # 浏阳特色产业贷 is for 浏阳市 only; 中银湘科... comes before 经营快贷 (province-wide, no industry)
    assert "地区不符（办理区域：浏阳市）" in card_of(others, "浏阳特色产业贷(示例)")
    assert recommended.index("中银湘科知产贷(示例)") < recommended.index("经营快贷")
    product = await Product.select(Product.id).where(Product.name == "中银湘科知产贷(示例)").first()
    assert f'href="/products/{product["id"]}"' in response.text


async def test_a_bad_amount_is_refused_beside_its_field_and_the_page_still_lists_products(db, login_as):
    await seed_demo()
    await approve_enterprise()
    client = await login_as("demo_qiye")
    response = await client.get("/my/products?amount=abc")
    assert response.status_code == 422
    assert 'id="e-amount"' in response.text and 'value="abc"' in response.text
    assert "经营快贷" in text_of(response)


async def test_an_uncertified_enterprise_is_asked_to_certify_and_sees_every_product(db, login_as):
    await seed_demo()
    await enterprise_user("new_qiye", "株洲新注册科技有限公司", "430202", 11, certified=False)
    client = await login_as("new_qiye")
    response = await client.get("/my/products")
    assert response.status_code == 200
    text = text_of(response)
    assert "立即认证" in text and "全部产品" in text and 'id="recommended-title"' not in response.text
    assert text.count("查看详情") == await Product.count()


@pytest.mark.parametrize("username", ["demo_shenhe", "demo_gsyh", "demo_admin"])
async def test_staff_cannot_open_product_matching(db, login_as, username):
    await seed_demo()
    client = await login_as(username)
    assert (await client.get("/my/products")).status_code == 403


async def test_the_amount_defaults_to_the_open_demand(db, login_as):
    from tests.support.demand_data import certify, demand_form
    from xqr.services import demands

    await seed_demo()
    await approve_enterprise()
    poster = await certify()
    await demands.post_demand(poster, demand_form(amount="150"))
    client = await login_as("demo_qiye")
    response = await client.get("/my/products")
    assert 'value="150"' in response.text
    assert "额度匹配" in text_of(response)


async def test_each_enterprise_is_matched_on_its_own_facts(db, login_as):
    await seed_demo()
    await enterprise_user("yueyang_qiye", "岳阳县示范农业有限公司", YUEYANG_COUNTY, 7)
    await approve_enterprise("yueyang_qiye", division_code=YUEYANG_COUNTY, industry_code="01")
    client = await login_as("yueyang_qiye")
    text = text_of(await client.get("/my/products"))
    recommended, others = text.split("为您推荐", 1)[1].split("其他产品", 1)
    card = card_of(recommended, "农银湘农兴业贷(示例)")
    assert "地区匹配（湖南省内县域）" in card and "行业匹配（家庭农场）" in card
    assert "地区不符（办理区域：长沙市）" in card_of(others, "中银湘科知产贷(示例)")
    assert "行业不符" in card_of(others, "广湘外贸贷(示例)")
