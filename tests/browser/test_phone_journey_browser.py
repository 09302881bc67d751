"""The manual's 方式二 移动端操作流程 on a phone (390×844), end to end: 个人信息保护指引 → 注册 → 登录 with an
SMS code → 企业认证 with the simulated face check → the reviewer approves (on a PC) → 融资超市 → 立即申请 → 我的订单."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_register_login_browser import code_from_outbox, log_in
from tests.certification.support import PERSON, pdf_bytes, png_bytes, register_demo_enterprise
from tests.support.browser import VIEWPORTS, agree_to_privacy_guide, run, screenshot
from tests.support.web import session_token_for
from xqr.services.demo import _seed_catalogue, read_sample_products
from xqr.services.users import create_user
from xqr.tables.certification import CertificationRequest
from xqr.web import sessions

PHONE = "13912340001"
PASSWORD = "Qiye#2026a"


def test_the_phone_journey_from_the_privacy_guide_to_my_orders(phone_page, live_server, chromium_browser):
    page = phone_page
    entry = run(register_demo_enterprise())
    run(_seed_catalogue())
    run(create_user(username="shenhe01", phone="13700000001", password="Shen#2026a", role="reviewer"))
    product = read_sample_products()[0]

    # 首页 → 业务办理 → 个人信息保护指引 → 同意 → 注册
    page.goto("/")
    page.get_by_role("link", name="业务办理").click()
    agree_to_privacy_guide(page)
    expect(page).to_have_url(re.compile(r"/register$"))
    name = page.get_by_label("企业名称")
    name.press_sequentially(entry.name[2:6], delay=30)
    page.get_by_role("option", name=re.compile(entry.name)).tap()
    expect(page.get_by_label("统一社会信用代码")).to_have_value(entry.credit_code)
    page.get_by_label("登录账号").fill("shifan01")
    page.get_by_label("手机号码").fill(PHONE)
    page.get_by_label("登录密码").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="发送验证码").click()
    page.get_by_label("验证码").fill(code_from_outbox(page, PHONE))
    page.get_by_label("我已阅读并同意《平台用户协议》").check()
    page.get_by_role("button", name="注册", exact=True).click()

    # 登录 with an SMS code
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, "shifan01", PASSWORD, PHONE)
    expect(page).to_have_url(re.compile(r"/my/enterprise$"))

    # 企业认证: 企业检索, the missing facts, the two documents, 提交
    page.goto("/my/certification")
    page.get_by_role("button", name="企业检索").click()
    expect(page.get_by_label("法人代表", exact=True)).to_have_value(entry.legal_representative)
    labels = {"legal_id": "法人代表身份证号", "legal_phone": "法人代表联系电话", "contact_name": "联系人", "contact_phone": "联系人电话", "contact_title": "联系人职务", "contact_email": "联系人邮箱"}
    for field, label in labels.items():
        box = page.get_by_label(label, exact=True)
        box.fill(PERSON[field])
        box.blur()
        expect(page.locator(f"#field-{field}")).not_to_have_class(re.compile("htmx-request"))
    page.set_input_files("#file-business_license", files=[{"name": "营业执照.png", "mimeType": "image/png", "buffer": png_bytes()}])
    expect(page.locator("#doc-business_license figure")).to_be_visible()
    page.set_input_files("#file-authorization_letter", files=[{"name": "企业授权书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}])
    expect(page.locator("#doc-authorization_letter figure")).to_be_visible()
    page.get_by_label("我已阅读并同意《企业授权委托书》").check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_text("审核中").first).to_be_visible()

    # 快速人脸认证 of the legal representative (simulated)
    page.get_by_role("link", name="快速人脸认证").click()
    page.get_by_role("link", name="开始认证").click()
    page.get_by_label("阅读并同意《人脸识别授权书》").check()
    page.get_by_role("button", name="确认授权").click()
    page.get_by_role("link", name="开始人脸认证").click()
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.get_by_role("heading", name="人脸认证通过")).to_be_visible()
    screenshot(page, "journey-face-passed")

    # The reviewer approves on a PC
    request_id = run(CertificationRequest.select(CertificationRequest.id).first().run())["id"]
    reviewer = chromium_browser.new_context(base_url=live_server, locale="zh-CN", **VIEWPORTS["desktop"])
    reviewer.add_cookies([{"name": sessions.COOKIE_NAME, "value": run(session_token_for("shenhe01")), "url": live_server}])
    desk = reviewer.new_page()
    desk.goto(f"/review/certifications/{request_id}")
    expect(desk.get_by_text(re.compile(r"人脸核验\s*已通过")).first).to_be_visible()
    desk.get_by_role("button", name="认领").click()
    desk.get_by_role("button", name="通过", exact=True).click()
    reviewer.close()
    page.goto("/my/enterprise")
    expect(page.get_by_role("main").get_by_text("已认证", exact=True)).to_be_visible()

    # 融资超市 → 查看详情 → 立即申请
    page.goto("/products")
    page.get_by_label("产品或机构名称").fill(product["product_name"])
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name=f"查看详情：{product['product_name']}").click()
    page.get_by_role("link", name="立即申请").click()
    page.get_by_label("申请金额(万元)").fill(product["min_amount_wan"])
    page.get_by_label("申请期限(月)").fill(product["min_term_months"])
    page.get_by_label("资金用途").fill("采购原材料")
    page.get_by_label("联系人", exact=True).fill("李四")
    page.get_by_label("联系电话").fill(PHONE)
    page.get_by_label(re.compile("为办理本次申请查看本企业的认证信息")).check()
    page.get_by_role("button", name="立即申请").click()

    # 我的 → 我的订单 shows it
    page.get_by_role("navigation", name="底部导航").get_by_role("link", name="我的").click()
    page.get_by_role("link", name="我的订单").click()
    expect(page.get_by_text(product["product_name"]).first).to_be_visible()
    screenshot(page, "journey-my-orders")
