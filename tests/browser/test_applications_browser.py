"""融资超市 to 审批通过 in a real browser, at a PC size and a phone size."""

import re
from playwright.sync_api import expect

from tests.applications.conftest import actor, certify, good_application, product_of
from tests.browser.test_register_login_browser import log_in
from tests.support.browser import agree_to_privacy_guide, run, screenshot
from tests.support.web import session_token_for
from xqr.services import applications
from xqr.services.demo import DEMO_PASSWORD, seed_demo


def _log_in_as(page, username: str) -> None:
    from xqr.web.sessions import COOKIE_NAME

    page.context.clear_cookies()
    origin = re.match(r"https?://[^/]+", page.url).group(0)  # the page has opened the site already
    page.context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token_for(username)), "url": origin}])


def _set_up() -> None:
    run(seed_demo())
    run(certify("demo_qiye"))


def test_a_certified_enterprise_finds_a_bank_product_applies_and_sees_the_approval(page):
    _set_up()
    page.goto("/")
    _log_in_as(page, "demo_qiye")
    page.goto("/products")
    page.get_by_label("产品或机构名称").fill("长沙银行")
    results = page.locator("#results")
    expect(results.get_by_text(re.compile(r"共 \d+ 款产品，搜索「长沙银行」"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/products\?q=%E9%95%BF%E6%B2%99%E9%93%B6%E8%A1%8C"))
    first_card = results.locator(".product-card").first
    expect(first_card.get_by_text("长沙银行")).to_be_visible()
    product_name = first_card.get_by_role("heading").inner_text().replace("示例数据", "").strip()
    first_card.get_by_role("link", name=re.compile("查看详情")).click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(product_name)))).to_be_visible()
    page.get_by_role("link", name="立即申请").click()

    product = run(product_of_named(product_name))
    page.get_by_label("申请金额(万元)").fill(str(product["min_amount"]))
    page.get_by_label("申请期限(月)").fill(str(product["min_term_months"]))
    page.get_by_label("资金用途").fill("采购原材料")
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label(re.compile("我同意长沙银行")).check()
    page.get_by_role("button", name="立即申请").click()
    expect(page.get_by_role("heading", name="我的申请")).to_be_visible()
    expect(page.get_by_text("待受理").first).to_be_visible()
    screenshot(page, "applications-submitted")

    _log_in_as(page, "demo_csyh")
    page.goto("/bank/applications")
    page.get_by_role("link", name=re.compile(r"XQR-\d{4}-\d{6}")).first.click()
    page.get_by_role("button", name="受理").click()
    expect(page.get_by_text("已受理该申请。")).to_be_visible()
    page.get_by_label("年利率(%)").fill("3.85")
    page.get_by_role("button", name="审批通过").click()
    expect(page.get_by_text("已审批通过。")).to_be_visible()

    _log_in_as(page, "demo_qiye")
    page.goto("/my/orders" if page.viewport_name == "phone" else "/my/applications")
    expect(page.get_by_text("审批通过").first).to_be_visible()
    if page.viewport_name == "phone":
        page.get_by_text("办理进度").first.click()
    timeline = page.get_by_role("list", name="办理进度").first
    for step in ("提交申请", "审核中", "审批通过"):
        expect(timeline.get_by_text(step).first).to_be_visible()
    expect(timeline.get_by_text(re.compile("年利率 3.85%"))).to_be_visible()
    screenshot(page, "applications-approved")
    page.goto("/my/messages")
    expect(page.get_by_text("融资申请审批通过").first).to_be_visible()
    assert page.console_errors == []


async def product_of_named(name: str) -> dict:
    from xqr.tables.catalogue import Product

    return await Product.select().where(Product.name == name).first()


def test_the_enterprise_withdraws_an_application_it_no_longer_needs(page):
    _set_up()

    async def apply() -> str:
        product = await product_of("中国工商银行")
        applied = await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)
        return applied.number

    number = run(apply())
    page.goto("/")
    _log_in_as(page, "demo_qiye")
    page.goto("/my/orders" if page.viewport_name == "phone" else "/my/applications")
    page.get_by_role("button", name=f"撤回申请 {number}").click()
    expect(page.get_by_text("申请已撤回。")).to_be_visible()
    expect(page.get_by_text("已撤回").first).to_be_visible()
    expect(page.get_by_role("button", name=f"撤回申请 {number}")).to_have_count(0)
    assert page.console_errors == []


def test_a_visitor_who_clicks_apply_is_sent_to_log_in_and_then_back(page):
    _set_up()
    product = run(product_of("中国工商银行"))
    page.goto(f"/products/{product['id']}")
    page.get_by_role("link", name="立即申请").click()
    agree_to_privacy_guide(page)
    expect(page).to_have_url(re.compile(rf"/login\?next=/products/{product['id']}/apply$"))
    log_in(page, "demo_qiye", DEMO_PASSWORD, "13800000001")
    expect(page).to_have_url(re.compile(rf"/products/{product['id']}/apply$"))
    expect(page.get_by_label("申请金额(万元)")).to_be_visible()
    expect(page.get_by_role("button", name="立即申请")).to_be_visible()
