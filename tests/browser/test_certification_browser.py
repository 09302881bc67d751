"""企业认证 in a real browser: fill through 企业检索, upload, submit; a reviewer returns it; fix, resubmit, approved."""

import re

from playwright.sync_api import expect

from tests.certification.support import PERSON, pdf_bytes, png_bytes, register_demo_enterprise, seed_uncertified_demo
from tests.support.browser import run, screenshot
from tests.support.web import session_token_for
from xqr.services.certification import PERSON_LABELS
from xqr.tables.messaging import Outbox
from xqr.web.sessions import COOKIE_NAME

def log_in(context, base_url: str, username: str) -> None:
    context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token_for(username)), "url": base_url}])


def upload(page, label: str, name: str, data: bytes, mime: str) -> None:
    group = page.get_by_role("group", name=label)
    group.get_by_label("点击上传").set_input_files({"name": name, "mimeType": mime, "buffer": data})


def reviewer_decides(reviewer, outcome: str, reason: str | None = None) -> None:
    reviewer.goto("/review/certifications")
    reviewer.get_by_role("link", name="湖南湘企示范科技有限公司").click()
    reviewer.get_by_role("button", name="认领").click()
    if reason:
        reviewer.get_by_label("营业执照问题").select_option(reason)
    reviewer.get_by_role("button", name=outcome, exact=True).click()
    expect(reviewer.locator(".status").first).to_have_text("已通过" if outcome == "通过" else outcome)


def test_an_enterprise_is_certified_after_one_return(page, live_server):
    run(seed_uncertified_demo())
    run(register_demo_enterprise())
    log_in(page.context, live_server, "demo_qiye")

    page.goto("/my/enterprise")
    page.get_by_role("link", name="立即认证").click()
    expect(page.get_by_label("统一社会信用代码")).to_have_value("91430104MA4T7K2C4C")
    page.get_by_role("button", name="企业检索").click()
    expect(page.get_by_label("法人代表", exact=True)).to_have_value("张三")
    expect(page.get_by_text("来自登记信息").first).to_be_visible()
    for name, label in PERSON_LABELS.items():
        field = page.get_by_label(label, exact=True)
        field.fill(PERSON[name])
        field.press("Tab")
    expect(page.get_by_label("联系人邮箱")).to_have_value(PERSON["contact_email"])

    upload(page, "营业执照", "营业执照.png", png_bytes(color="#777777"), "image/png")
    expect(page.get_by_role("img", name=re.compile("营业执照预览"))).to_be_visible()
    upload(page, "企业授权书", "企业授权书.pdf", pdf_bytes(), "application/pdf")
    expect(page.get_by_text("共 1 页")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("企业授权书预览"))).to_be_visible()
    page.get_by_role("group", name="营业执照").get_by_role("button", name="删除").click()
    expect(page.get_by_role("group", name="营业执照").get_by_text("点击上传")).to_be_visible()
    upload(page, "营业执照", "营业执照2.png", png_bytes(color="#888888"), "image/png")
    expect(page.get_by_role("img", name=re.compile("营业执照预览"))).to_be_visible()
    screenshot(page, "certification-form")

    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("审核中")).to_be_visible()

    reviewer = page.context.browser.new_context(base_url=live_server, locale="zh-CN", viewport=page.viewport_size)
    log_in(reviewer, live_server, "demo_shenhe")
    review_page = reviewer.new_page()
    reviewer_decides(review_page, "退回修改", "图片模糊")

    page.goto("/my/messages")
    page.get_by_role("link", name=re.compile("企业认证被退回修改")).click()
    expect(page.get_by_text("营业执照：图片模糊")).to_be_visible()
    page.get_by_role("link", name="去修改认证资料").click()
    expect(page.get_by_text("退回原因：图片模糊")).to_be_visible()
    upload(page, "营业执照", "营业执照-清晰.png", png_bytes(color="#222222"), "image/png")
    expect(page.get_by_role("img", name=re.compile("营业执照预览"))).to_be_visible()
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_text("审核中")).to_be_visible()

    reviewer_decides(review_page, "通过")
    reviewer.close()

    page.goto("/my/enterprise")
    expect(page.locator(".status").first).to_have_text("已认证")
    expect(page.get_by_text("长沙市岳麓区市场监督管理局")).to_be_visible()
    # The outbox delivery loop is another branch's work: the e-mails wait in the outbox for it.
    mails = run(Outbox.select(Outbox.recipient, Outbox.subject).where(Outbox.channel == "mail").run())
    assert [m["recipient"] for m in mails] == [PERSON["contact_email"]] * 2
    assert page.console_errors == []
    screenshot(page, "certification-certified")
