"""The home page in a real browser, at a PC size and a phone size."""

import re

from playwright.sync_api import expect

from tests.support.browser import run, screenshot
from xqr.services.demo import read_sample_products, seed_demo


def test_home_shows_brand_figures_and_the_navigation_for_the_size(page):
    run(seed_demo())
    products = read_sample_products()
    page.goto("/")

    expect(page.get_by_role("link", name=re.compile("湘企融")).first).to_be_visible()
    figures = page.get_by_role("region", name="平台实时数据")
    expect(figures.get_by_text("入驻金融机构")).to_be_visible()
    expect(figures.locator(".figure").filter(has_text="入驻金融机构").locator(".figure-value")).to_have_text(str(len({p["institution"] for p in products})))
    expect(figures.locator(".figure").filter(has_text="上架融资产品").locator(".figure-value")).to_have_text(str(len(products)))
    expect(page.get_by_text("咨询联系电话")).to_be_visible()

    main_nav = page.get_by_role("navigation", name="主导航")
    tab_bar = page.get_by_role("navigation", name="底部导航")
    if page.viewport_name == "desktop":
        expect(main_nav.get_by_role("link", name="融资超市")).to_be_visible()
        expect(page.get_by_role("link", name="登录")).to_be_visible()
        expect(tab_bar).to_be_hidden()
    else:
        expect(tab_bar).to_be_visible()
        for label in ("首页", "产品", "我的"):
            expect(tab_bar.get_by_role("link", name=label)).to_be_visible()
        expect(main_nav).to_be_hidden()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert page.console_errors == []
    screenshot(page, "home")
