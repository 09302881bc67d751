"""The admin console in a real browser: the dashboard's figures of the seeded data, charts drawn."""

import re

from playwright.sync_api import expect

from tests.support.browser import run, screenshot
from tests.support.demand_data import fast_password_hashing, seed_statistics  # noqa: F401
from tests.support.web import session_token
from xqr.tables.accounts import Enterprise
from xqr.tables.demands import DemandResponse
from xqr.web.sessions import COOKIE_NAME


def test_an_admin_opens_the_dashboard_and_sees_the_seeded_figures(page, live_server):
    run(seed_statistics())
    registered = run(Enterprise.count().run())
    certified = run(Enterprise.count().where(Enterprise.cert_status == "certified").run())
    granted = run(DemandResponse.count().where(DemandResponse.outcome == "granted").run())
    page.context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token("demo_admin")), "url": live_server}])
    page.goto("/admin")
    expect(page.get_by_role("heading", name="数据统计")).to_be_visible()
    funnel = page.locator("table[data-stat=funnel]")
    expect(funnel.get_by_role("row", name="已注册")).to_contain_text(str(registered))
    expect(funnel.get_by_role("row", name="已认证")).to_contain_text(str(certified))
    outcomes = page.locator("table[data-stat=demand_outcomes]")
    expect(outcomes.get_by_role("row", name="已授信")).to_contain_text(str(granted))
    charts = page.locator("[data-chart-for] canvas")
    expect(charts.first).to_be_visible()
    assert charts.count() == page.locator("[data-chart-for]").count()
    expect(page.get_by_role("link", name=re.compile("导出CSV.*注册与认证漏斗"))).to_have_attribute("href", "/admin/stats/funnel.csv")
    if page.viewport_name == "phone":
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "admin-dashboard")
    assert page.console_errors == []


def test_an_admin_creates_disables_and_resets_a_staff_account(page, live_server):
    from xqr.services.demo import seed_demo

    run(seed_demo())
    page.context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token("demo_admin")), "url": live_server}])
    page.goto("/admin/users")
    page.get_by_label("角色", exact=True).select_option(label="机构人员")
    page.get_by_label("所属金融机构（机构人员必选）").select_option(label="长沙银行")
    page.get_by_label("登录账号").fill("csyh_new")
    page.get_by_label("手机号码").fill("13722223333")
    page.get_by_label("初始密码").fill("weak")
    page.get_by_label("确认密码").fill("weak")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_text("登录密码须为8-20位")).to_be_visible()
    expect(page.get_by_label("登录账号")).to_have_value("csyh_new")
    page.get_by_label("初始密码").fill("Start@2026")
    page.get_by_label("确认密码").fill("Start@2026")
    page.get_by_role("button", name="创建账号").click()
    expect(page.get_by_text("已创建账号 csyh_new")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="csyh_new")
    expect(row).to_contain_text("长沙银行")
    row.get_by_role("button", name="停用 csyh_new").click()
    expect(page.get_by_text("账号已停用，其登录会话已全部结束")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="csyh_new")).to_contain_text("已停用")
    page.get_by_role("row").filter(has_text="csyh_new").get_by_role("button", name="重置密码 csyh_new").click()
    expect(page.locator(".temporary-password code")).to_have_text(re.compile(r"^\S{12}$"))
    page.reload()
    expect(page.locator(".temporary-password")).to_have_count(0)
    screenshot(page, "admin-users")
    assert [e for e in page.console_errors if "422" not in e] == []
