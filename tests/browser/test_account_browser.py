"""我的管理 and 信用记录 in a real browser: change the password; revoke an authorization and shut the bank out."""

import re

from playwright.sync_api import expect

from tests.support.account_data import approve_enterprise, last_code, stored_document
from tests.support.browser import agree_to_privacy_guide, run, screenshot
from tests.support.demand_data import fast_password_hashing, user  # noqa: F401
from tests.support.web import session_token_for
from xqr.services import applications
from xqr.services.demo import DEMO_PASSWORD, seed_demo
from xqr.services.passwords import verify_password
from xqr.storage import make_storage
from xqr.tables.accounts import User, WebSession
from xqr.tables.catalogue import Product
from xqr.web.sessions import COOKIE_NAME, token_hash

NEW_PASSWORD = "Xiang@2027"


def open_menu_item(page, label: str) -> None:
    """The back-office menu: the sidebar on a PC, 我的 in the tab bar on a phone."""
    if page.viewport_name == "desktop":
        page.get_by_role("complementary", name="后台菜单").get_by_role("link", name=label).click()
    else:
        page.get_by_role("navigation", name="底部导航").get_by_role("link", name="我的").click()
        page.get_by_role("navigation", name="我的").get_by_role("link", name=label).click()


def log_in(page, username: str) -> None:
    """Through the login page: account and password, then the SMS code from the outbox."""
    page.goto("/login")
    agree_to_privacy_guide(page)
    page.get_by_label("登录账号").fill(username)
    page.get_by_label("登录密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_text("验证码已发送至")).to_be_visible()
    phone = run(User.select(User.phone).where(User.username_key == username).first().run())["phone"]
    page.get_by_label("验证码").fill(run(last_code(phone)))
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="我的企业")).to_be_visible()


def test_an_enterprise_changes_its_password_in_my_settings(page):
    run(seed_demo())
    other_device = run(session_token_for("demo_qiye"))
    log_in(page, "demo_qiye")
    open_menu_item(page, "我的管理")
    expect(page.get_by_role("heading", name="我的管理")).to_be_visible()

    page.get_by_label("当前密码").fill(DEMO_PASSWORD)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认密码").fill("Xiang@2028")
    page.get_by_role("button", name="确认修改").click()
    expect(page.get_by_text("两次输入的密码不一致")).to_be_visible()

    page.get_by_label("当前密码").fill(DEMO_PASSWORD)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="确认修改").click()
    expect(page.get_by_text("登录密码已修改，其他设备上的登录已退出")).to_be_visible()

    row = run(User.select(User.password_hash).where(User.username_key == "demo_qiye").first().run())
    assert verify_password(row["password_hash"], NEW_PASSWORD)
    assert not run(WebSession.exists().where(WebSession.token_hash == token_hash(other_device)).run())
    page.reload()
    expect(page.get_by_role("heading", name="我的管理")).to_be_visible()  # this device stays logged in
    # the refused form answered 422, which the browser logs; nothing else may have gone wrong
    assert [error for error in page.console_errors if "422" not in error] == []
    screenshot(page, "account-settings")


def test_an_enterprise_revokes_an_authorization_and_the_bank_can_no_longer_open_its_documents(page, live_server, settings):
    async def setup() -> tuple[int, int]:
        await seed_demo()
        request_id = await approve_enterprise()
        document_id = await stored_document(make_storage(settings.storage), request_id)
        product = await Product.select(*Product.all_columns()).where(Product.institution.name == "中国工商银行").order_by(Product.id).first()
        form = {"amount": "1", "term_months": str(product["min_term_months"]), "purpose": "采购原材料", "contact_name": "王经理", "contact_phone": "13812345678", "consent": "yes"}
        applied = await applications.apply(await user("demo_qiye"), product["id"], form, response_days=3)
        return applied.id, document_id

    application_id, document_id = run(setup())
    bank = page.context.browser.new_context(base_url=live_server, locale="zh-CN")
    bank.add_cookies([{"name": COOKIE_NAME, "value": run(session_token_for("demo_gsyh")), "url": live_server}])
    bank_page = bank.new_page()
    bank_page.goto(f"/bank/applications/{application_id}")
    expect(bank_page.get_by_role("link", name=re.compile("营业执照"))).to_be_visible()
    assert bank_page.goto(f"/certification/documents/{document_id}").status == 200

    page.context.add_cookies([{"name": COOKIE_NAME, "value": run(session_token_for("demo_qiye")), "url": live_server}])
    page.goto("/my/enterprise")
    open_menu_item(page, "信用记录")
    shares = page.get_by_role("region", name="数据授权")
    expect(shares.get_by_text("中国工商银行")).to_be_visible()
    shares.get_by_role("button", name=re.compile("撤回授权")).click()
    expect(page.get_by_text(re.compile("已撤回融资申请信息共享授权，中国工商银行将无法再查看"))).to_be_visible()
    expect(page.get_by_role("region", name="数据授权").get_by_text(re.compile("^已撤回"))).to_be_visible()

    bank_page.goto(f"/bank/applications/{application_id}")
    expect(bank_page.get_by_text("企业未授权查看其认证信息")).to_be_visible()
    expect(bank_page.get_by_role("link", name=re.compile("营业执照"))).to_have_count(0)
    assert bank_page.goto(f"/certification/documents/{document_id}").status == 404
    bank.close()
    assert page.console_errors == []
    screenshot(page, "account-credit")
