"""The phone journey in a real browser: 个人信息保护指引 at 业务办理, 不同意, the simulated face check, 360 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.phone.stand_ins import RequestsOnFile, add_personal_page_stand_ins, enterprise_user
from tests.support.browser import agree_to_privacy_guide, run, screenshot
from tests.support.web import session_token_for
from xqr import app as app_module
from xqr.services import face_check
from xqr.web import sessions

CONSENT_URL = re.compile(r"/privacy/consent\?next=")


@pytest.fixture(autouse=True)
def personal_pages(monkeypatch):
    """Until the auth feature lands here, guarded stand-ins answer /register, /login, /password/forgot."""
    create_app = app_module.create_app

    def create_app_with_stand_ins(settings=None):
        app = create_app(settings)
        add_personal_page_stand_ins(app)
        return app

    monkeypatch.setattr(app_module, "create_app", create_app_with_stand_ins)


@pytest.fixture
def requests_on_file():
    source = RequestsOnFile()
    previous = face_check._source
    face_check.use_subject_source(source)
    yield source
    face_check.use_subject_source(previous)


def log_in(page, live_server: str, username: str) -> None:
    token = run(session_token_for(username))
    page.context.add_cookies([{"name": sessions.COOKIE_NAME, "value": token, "url": live_server}])


def test_first_visit_business_meets_the_privacy_guide_then_registers(page):
    page.goto("/")
    screenshot(page, "phone-home")
    page.get_by_role("link", name="业务办理").click()

    expect(page).to_have_url(CONSENT_URL)
    dialog = page.get_by_role("dialog", name="个人信息保护指引")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("我们收集哪些个人信息")).to_be_visible()
    screenshot(page, "phone-privacy-consent")
    agree_to_privacy_guide(page)

    expect(page).to_have_url(re.compile(r"/register$"))
    page.goto("/")
    page.get_by_role("link", name="业务办理").click()
    expect(page).to_have_url(re.compile(r"/register$"))
    assert page.console_errors == []


def test_disagreeing_keeps_the_visitor_on_public_pages(page):
    page.goto("/")
    page.get_by_role("link", name="业务办理").click()
    page.get_by_role("dialog", name="个人信息保护指引").get_by_role("button", name="不同意").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status").filter(has_text="您未同意《个人信息保护指引》")).to_be_visible()
    screenshot(page, "phone-privacy-declined")
    for path in ("/register", "/login", "/password/forgot"):
        page.goto(path)
        expect(page).to_have_url(CONSENT_URL)
        expect(page.get_by_role("dialog", name="个人信息保护指引")).to_be_visible()
    page.goto("/privacy")
    expect(page.get_by_role("heading", name="个人信息保护指引", level=1)).to_be_visible()


def test_the_simulated_face_check_is_walked_through(page, live_server, requests_on_file, chromium_browser):
    enterprise_id, _ = run(enterprise_user("qiye_face", "91430100MA4L0000F1"))
    subject = requests_on_file.file(enterprise_id, name="李法人")
    log_in(page, live_server, "qiye_face")

    page.goto(f"/face-check/requests/{subject.request_id}")
    expect(page.get_by_role("heading", name="快速人脸认证")).to_be_visible()
    page.get_by_role("link", name="开始认证").click()
    page.get_by_role("button", name="确认授权").click()
    expect(page.get_by_text("请先阅读并同意《人脸识别授权书》")).to_be_visible()
    page.get_by_label("阅读并同意《人脸识别授权书》").check()
    screenshot(page, "phone-face-authorize")
    page.get_by_role("button", name="确认授权").click()

    if page.viewport_name == "phone":
        phone = page
        page.get_by_role("link", name="开始人脸认证").click()
    else:
        # On a PC the check shows a QR code; the phone that scans it opens the same link.
        expect(page.get_by_role("img", name="人脸认证二维码")).to_be_visible()
        link = page.locator(".phone-only a").get_attribute("href")
        phone = chromium_browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
        phone.goto(link)
    expect(phone.get_by_text("模拟人脸认证（仅用于开发测试）")).to_be_visible()
    if page.viewport_name == "phone":
        screenshot(phone, "phone-face-simulator")
    phone.get_by_role("button", name="通过", exact=True).click()
    expect(phone.get_by_role("heading", name="人脸认证通过")).to_be_visible()

    if page.viewport_name == "phone":
        screenshot(page, "phone-face-result")
    else:
        # The PC page polls its status and shows the result without a reload.
        expect(page.get_by_role("status").filter(has_text="认证通过")).to_be_visible(timeout=10_000)
        screenshot(page, "phone-face-check-pc")
        phone.context.close()
    assert requests_on_file.recorded[subject.request_id][0] == "passed"
    # The one 422 is the authorization sent without the checkbox, on purpose.
    assert [error for error in page.console_errors if "422" not in error] == []


SMALL_TARGETS = """() => {
  const small = [];
  for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    // Not shown, or visually hidden behind a styled label (file inputs).
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || style.visibility === 'hidden') continue;
    // Links inside running text are exempt (WCAG 2.5.8): only controls standing on their own count.
    if (style.display === 'inline' && el.closest('p, li, dd, td, label')) continue;
    if (el.type === 'checkbox' || el.type === 'radio') continue;
    if (box.height < 44) small.push(`${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 16)}" ${Math.round(box.height)}px`);
  }
  return small;
}"""


def test_phone_pages_fit_360_px_with_touch_sized_controls(chromium_browser, live_server, requests_on_file):
    enterprise_id, _ = run(enterprise_user("qiye_narrow", "91430100MA4L0000N1"))
    subject = requests_on_file.file(enterprise_id, name="欧阳法人")
    context = chromium_browser.new_context(
        base_url=live_server, locale="zh-CN", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    public = ["/", "/products", "/privacy", "/no-such-page", "/privacy/consent?next=/register", "AGREE", "/register", "/login", "/password/forgot"]
    personal = ["/me", "/my/enterprise", "/my/certification", "/my/orders", "/my/applications", f"/face-check/requests/{subject.request_id}", f"/face-check/requests/{subject.request_id}/authorize"]
    problems = []
    for path in public + ["LOGIN"] + personal:
        if path == "AGREE":
            agree_to_privacy_guide(page)
            continue
        if path == "LOGIN":
            log_in(page, live_server, "qiye_narrow")
            continue
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{path} scrolls sideways ({width}px)")
        problems += [f"{path}: {target}" for target in page.evaluate(SMALL_TARGETS)]
    page.goto("/me")
    page.viewport_name = "360"  # type: ignore[attr-defined]
    screenshot(page, "phone-me")
    context.close()
    assert problems == [], "\n".join(problems)


def test_pages_carry_a_share_title_description_and_icon(page):
    page.goto("/privacy")
    assert page.locator('meta[property="og:title"]').get_attribute("content") == "个人信息保护指引 - 湘企融"
    assert "收集哪些信息" in page.locator('meta[property="og:description"]').get_attribute("content")
    icon = page.locator('meta[property="og:image"]').get_attribute("content")
    assert icon.endswith("/static/img/share-icon.png")
    response = page.request.get("/static/img/share-icon.png")
    assert response.ok and response.headers["content-type"] == "image/png"
