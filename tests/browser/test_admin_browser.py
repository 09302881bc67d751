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
