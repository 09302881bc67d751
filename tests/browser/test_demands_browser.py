"""需求管理 in a real browser: post, take by several institutions, outcomes, the fourth refused, dispatch."""

import re
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.support.browser import run, screenshot
from tests.support.demand_data import browser_page_as, certify, institution_staff, seeded_with_demand
from tests.support.demand_data import fast_password_hashing  # noqa: F401
from tests.support.web import session_token
from xqr.services import demands
from xqr.services.demo import seed_demo
from xqr.tables.demands import Demand
from xqr.web.sessions import COOKIE_NAME


def log_in(page, live_server: str, username: str) -> None:
    page.context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token(username)), "url": live_server}])


def test_an_enterprise_posts_a_demand_that_institutions_take_up_to_three(page, live_server):
    async def setup():
        await seed_demo()
        await certify()
        await institution_staff("hnyh_staff", "湖南银行")
        await institution_staff("zsyh_staff", "招商银行")

    run(setup())
    log_in(page, live_server, "demo_qiye")
    page.goto("/my/demands")
    page.get_by_role("link", name="发布需求").click()
    page.get_by_label("融资金额（万元）").fill("abc")
    page.get_by_role("button", name="发布需求").click()
    expect(page.get_by_text("请输入融资金额（万元），如 300")).to_be_visible()
    page.get_by_label("融资金额（万元）").fill("360")
    page.get_by_label("期限（月）").fill("12")
    page.get_by_label("资金用途").fill("采购原材料，补充流动资金")
    page.get_by_label("可提供的担保方式").select_option("信用")
    page.get_by_label("可接受的最高利率（年化%）").fill("6.5")
    page.get_by_label("有效期至").fill((demands.today() + timedelta(days=30)).isoformat())
    page.get_by_label("所属行业").select_option("C")
    page.get_by_label("联系人", exact=True).fill("李经理")
    page.get_by_label(re.compile("^我同意接单的金融机构")).check()
    page.get_by_role("button", name="发布需求").click()
    expect(page.get_by_role("heading", name="融资需求 360万元")).to_be_visible()
    expect(page.get_by_text("暂无金融机构接单")).to_be_visible()
    demand_url = page.url

    gsyh = browser_page_as(page, live_server, "demo_gsyh")
    gsyh.goto("/bank/demands")
    gsyh.get_by_role("button", name="接单 360万元").click()
    expect(gsyh.get_by_text("接单成功，请尽快联系企业")).to_be_visible()
    expect(gsyh.get_by_text("湖南湘企示范科技有限公司")).to_be_visible()
    gsyh.get_by_label("对接结果").select_option("granted")
    gsyh.get_by_label("授信金额（万元，已授信时填写）").fill("300")
    gsyh.get_by_role("button", name="保存结果").click()
    expect(gsyh.get_by_text("对接结果已记录")).to_be_visible()

    csyh = browser_page_as(page, live_server, "demo_csyh")
    csyh.goto("/bank/demands")
    csyh.get_by_role("button", name="接单 360万元").click()
    expect(csyh.get_by_text("接单成功，请尽快联系企业")).to_be_visible()

    page.goto(demand_url)
    responses = page.locator(".response")
    expect(responses).to_have_count(2)
    expect(responses.filter(has_text="中国工商银行")).to_contain_text("已授信")
    expect(responses.filter(has_text="中国工商银行")).to_contain_text("300万元")
    expect(responses.filter(has_text="长沙银行")).to_contain_text("已接单")
    screenshot(page, "demand-responses")

    third = browser_page_as(page, live_server, "hnyh_staff")
    third.goto("/bank/demands")
    third.get_by_role("button", name="接单 360万元").click()
    expect(third.get_by_text("接单成功，请尽快联系企业")).to_be_visible()

    fourth = browser_page_as(page, live_server, "zsyh_staff")
    fourth.goto("/bank/demands")
    expect(fourth.get_by_text("暂无符合条件的融资需求")).to_be_visible()
    expect(fourth.get_by_role("button", name=re.compile("^接单"))).to_have_count(0)
    demand_id = demand_url.rstrip("/").rsplit("/", 1)[1]
    fourth.goto(f"/bank/demands/{demand_id}")
    expect(fourth.get_by_text("该需求已不能接单")).to_be_visible()
    for other in (gsyh, csyh, third, fourth):
        assert other.console_errors == []
        other.context.close()
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The deliberately bad amount answered 422, which the browser logs; nothing else may fail.
    assert [e for e in page.console_errors if "422" not in e] == []


def test_an_admin_dispatches_an_untaken_demand_and_the_institution_sees_it_first(page, live_server):
    async def setup():
        _, demand_id = await seeded_with_demand(amount="880")
        await Demand.update({Demand.created_at: datetime.now(timezone.utc) - timedelta(days=8)}).where(Demand.id == demand_id)

    run(setup())
    log_in(page, live_server, "demo_admin")
    page.goto("/admin/demands")
    page.get_by_label("派给金融机构（湖南湘企示范科技有限公司）").select_option(label="长沙银行")
    page.get_by_role("button", name=re.compile("^派单")).click()
    expect(page.get_by_text("已派单，该机构人员将收到通知")).to_be_visible()
    expect(page.get_by_text("已派给：长沙银行")).to_be_visible()
    screenshot(page, "admin-dispatch")

    bank = browser_page_as(page, live_server, "demo_csyh")
    bank.goto("/bank/demands")
    first = bank.locator(".demand-card").first
    expect(first).to_contain_text("平台派单")
    expect(first).to_contain_text("880万元")
    first.get_by_role("button", name=re.compile("^接单")).click()
    expect(bank.get_by_text("接单成功，请尽快联系企业")).to_be_visible()
    bank.context.close()
    assert page.console_errors == []
