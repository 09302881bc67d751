"""The manual's 企业注册 and 登录 in a real browser, at a PC size and a phone size."""

import re

from playwright.sync_api import Page, expect

from tests.auth.conftest import add_registry_entry
from tests.support.browser import agree_to_privacy_guide, run, screenshot
from xqr.services.demo import DEMO_PASSWORD, _seed_accounts, _seed_catalogue

CODE_IN_SMS = re.compile(r"验证码为(\d{6})")


def code_from_outbox(page: Page, phone: str) -> str:
    """Open /dev/outbox in another tab, as a developer reads the SMS the platform sent."""
    outbox = page.context.new_page()
    outbox.goto("/dev/outbox")
    text = outbox.locator(f'.outbox-row[data-recipient="{phone}"] .outbox-text').first.inner_text()
    outbox.close()
    return CODE_IN_SMS.search(text).group(1)


def log_out(page: Page) -> None:
    if page.viewport_name == "desktop":
        page.get_by_role("banner").get_by_role("button", name="退出登录").click()
    else:
        expect(page.get_by_role("banner").get_by_role("button", name="退出登录")).to_be_hidden()
        page.get_by_role("navigation", name="底部导航").get_by_role("link", name="我的").click()
        page.get_by_role("main").get_by_role("button", name="退出登录").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_text("您已安全退出登录")).to_be_visible()


def log_in(page: Page, username: str, password: str, phone: str) -> None:
    page.get_by_label("登录账号").fill(username)
    page.get_by_label("登录密码").fill(password)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text(f"{phone[:3]}****{phone[-4:]}")).to_be_visible()
    page.get_by_label("验证码").fill(code_from_outbox(page, phone))
    page.get_by_role("button", name="登录", exact=True).click()


def test_an_enterprise_registers_from_a_registry_pick_then_logs_in_with_an_sms_code(page: Page):
    entry = run(add_registry_entry("长沙湘江示范机械制造有限公司", 1, address="湖南省长沙市岳麓区示范路88号"))
    run(add_registry_entry("长沙湘江示范物流有限公司", 2, address="湖南省长沙市开福区示范路9号"))
    phone = "13912345678" if page.viewport_name == "desktop" else "13912345679"
    page.goto("/register")
    agree_to_privacy_guide(page)

    name = page.get_by_label("企业名称")
    name.press_sequentially("湘江示范机械", delay=30)
    option = page.get_by_role("option", name=re.compile(entry.name))
    expect(option).to_be_visible()
    expect(name).to_have_attribute("aria-expanded", "true")
    if page.viewport_name == "desktop":
        # Keyboard: ArrowDown highlights the first match, Enter picks it.
        name.press("ArrowDown")
        expect(name).to_have_attribute("aria-activedescendant", "registry-option-0")
        name.press("Enter")
    else:
        option.tap()
    expect(page.get_by_role("listbox", name="匹配的企业")).to_be_hidden()
    expect(name).to_have_value(entry.name)
    expect(page.get_by_label("统一社会信用代码")).to_have_value(entry.credit_code)
    expect(page.get_by_label("统一社会信用代码")).not_to_be_editable()
    expect(page.get_by_label("企业注册地址")).to_have_value(entry.address)
    expect(page.get_by_role("button", name="手动填写")).to_be_visible()

    page.get_by_label("登录账号").fill("xiangjiang01")
    page.get_by_label("手机号码").fill(phone)
    page.get_by_label("登录密码").fill("Qiye#2026a")
    page.get_by_label("确认密码").fill("Qiye#2026a")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text(f"验证码已发送至 {phone[:3]}****{phone[-4:]}")).to_be_visible()
    counting = page.locator(".code-send")
    expect(counting).to_be_disabled()
    expect(counting).to_have_text(re.compile(r"\d+秒后重新获取"))
    page.get_by_label("验证码").fill(code_from_outbox(page, phone))
    page.get_by_label("我已阅读并同意《平台用户协议》").check()
    screenshot(page, "register-filled")
    page.get_by_role("button", name="注册", exact=True).click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("注册成功，请登录")).to_be_visible()
    log_in(page, "xiangjiang01", "Qiye#2026a", phone)
    expect(page).to_have_url(re.compile(r"/my/enterprise$"))
    expect(page.get_by_role("link", name="立即认证")).to_be_visible()
    screenshot(page, "registered-enterprise")
    log_out(page)
    assert page.console_errors == []


def test_typing_an_enterprise_the_registry_does_not_know_offers_manual_entry(page: Page):
    run(add_registry_entry("长沙湘江示范机械制造有限公司", 1))
    page.goto("/register")
    agree_to_privacy_guide(page)
    name = page.get_by_label("企业名称")
    name.press_sequentially("不存在的企业", delay=30)
    expect(page.get_by_text("未找到匹配的企业（可手动填写）")).to_be_visible()
    name.press("Escape")
    expect(page.get_by_text("未找到匹配的企业（可手动填写）")).to_be_hidden()
    expect(page.get_by_label("统一社会信用代码")).to_be_editable()
    expect(page.get_by_label("企业注册地址")).to_be_editable()
    assert page.console_errors == []


def test_a_user_who_forgot_the_password_resets_it_with_an_sms_code_and_logs_in(page: Page):
    run(_seed_catalogue())
    run(_seed_accounts())
    page.goto("/login")
    agree_to_privacy_guide(page)
    page.get_by_role("link", name="忘记密码").click()
    page.get_by_label("登录账号").fill("demo_qiye")
    page.get_by_label("手机号码").fill("13800000001")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("若登录账号与手机号码匹配，验证码将发送至该手机")).to_be_visible()
    page.get_by_label("验证码").fill(code_from_outbox(page, "13800000001"))
    page.get_by_label("新密码").fill("Xin#Mima2026")
    page.get_by_label("确认密码").fill("Xin#Mima2026")
    page.get_by_role("button", name="重置密码").click()

    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("密码已重置，请使用新密码登录")).to_be_visible()
    page.get_by_label("登录账号").fill("demo_qiye")
    page.get_by_label("登录密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("登录账号或登录密码不正确")).to_be_visible()
    log_in(page, "demo_qiye", "Xin#Mima2026", "13800000001")
    expect(page).to_have_url(re.compile(r"/my/enterprise$"))
    expect(page.get_by_role("link", name="立即认证")).to_be_visible()
    # The refused old password answered 422 on purpose; the browser logs that, nothing else may appear.
    assert [error for error in page.console_errors if "422" not in error] == []


def test_a_reviewer_logs_in_with_the_demo_account_shortcut_and_lands_on_the_review_page(page: Page):
    run(_seed_catalogue())
    run(_seed_accounts())
    page.goto("/login")
    agree_to_privacy_guide(page)
    page.get_by_text("演示账号").click()
    page.get_by_role("button", name="填入demo_shenhe").click()
    expect(page.get_by_label("登录账号")).to_have_value("demo_shenhe")
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("138****0002")).to_be_visible()
    page.get_by_label("验证码").fill(code_from_outbox(page, "13800000002"))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page).to_have_url(re.compile(r"/review/certifications$"))
    assert page.console_errors == []
