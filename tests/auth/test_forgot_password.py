"""忘记密码: account + registered phone + SMS code → new password; every session of the account ends."""

import re

from tests.auth.conftest import last_code, sessions_of, sms_count
from tests.support.web import text_of
from xqr.services.demo import DEMO_PASSWORD
from xqr.services.login import RESET_CODE_SENT, RESET_MISMATCH
from xqr.services.passwords import verify_password
from xqr.tables.accounts import User
from xqr.tables.messaging import Message

QIYE_PHONE = "13800000001"
NEW_PASSWORD = "Xin#Mima2026"


def reset_form(sms_code: str, **changes) -> dict:
    return {"username": "demo_qiye", "phone": QIYE_PHONE, "code": sms_code, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, **changes}


async def password_hash() -> str:
    return (await User.select(User.password_hash).where(User.username_key == "demo_qiye").first())["password_hash"]


def error_of(response, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', response.text)
    return found.group(1) if found else ""


async def test_resetting_the_password_with_the_registered_phone_ends_every_session(client, login_as, demo):
    phone_session = await login_as("demo_qiye")
    pc_session = await login_as("demo_qiye")
    assert await sessions_of("demo_qiye") == 2
    sent = await client.post("/password/forgot/send-code", {"username": "demo_qiye", "phone": QIYE_PHONE}, htmx=True)
    assert sent.status_code == 200 and RESET_CODE_SENT in sent.text and 'data-seconds="60"' in sent.text
    response = await client.post("/password/forgot", reset_form(await last_code(QIYE_PHONE)), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert "密码已重置，请使用新密码登录" in text_of(await client.get("/login"))
    assert verify_password(await password_hash(), NEW_PASSWORD)
    assert await sessions_of("demo_qiye") == 0
    for old in (phone_session, pc_session):
        assert (await old.get("/my/enterprise", follow_redirects=False)).headers["location"].startswith("/login")
    assert await Message.count().where(Message.title == "您的登录密码已重置") == 1
    # The new password logs in; the old one does not.
    assert (await client.post("/login/send-code", {"username": "demo_qiye", "password": DEMO_PASSWORD})).status_code == 422


async def test_a_phone_that_is_not_the_accounts_gets_the_same_answer_and_no_sms(client, demo):
    for username, phone in (("demo_qiye", "13900000000"), ("nobody_here", QIYE_PHONE)):
        response = await client.post("/password/forgot/send-code", {"username": username, "phone": phone}, htmx=True)
        assert response.status_code == 200 and RESET_CODE_SENT in response.text
    assert await sms_count() == 0
    # A guessed code for such a request does not reset anything.
    response = await client.post("/password/forgot", reset_form("123456", phone="13900000000"))
    assert response.status_code == 422 and error_of(response, "code").startswith("验证码不正确")
    assert verify_password(await password_hash(), DEMO_PASSWORD)


async def test_a_code_sent_for_one_account_does_not_reset_another_with_the_same_phone(client, demo):
    await client.post("/password/forgot/send-code", {"username": "demo_qiye", "phone": QIYE_PHONE}, htmx=True)
    response = await client.post("/password/forgot", reset_form(await last_code(QIYE_PHONE), username="demo_shenhe"))
    assert response.status_code == 422 and error_of(response, "code") == RESET_MISMATCH


async def test_each_bad_field_is_refused_and_nothing_changes(client, demo):
    await client.post("/password/forgot/send-code", {"username": "demo_qiye", "phone": QIYE_PHONE}, htmx=True)
    code = await last_code(QIYE_PHONE)
    cases = [
        ({"username": ""}, "username", "请输入登录账号"),
        ({"phone": "1380000000"}, "phone", "请输入11位手机号码"),
        ({"password": "short#1", "password_confirm": "short#1"}, "password", "登录密码须为8-20位"),
        ({"password_confirm": NEW_PASSWORD + "x"}, "password_confirm", "两次输入的密码不一致"),
        ({"code": ""}, "code", "请输入验证码"),
    ]
    for changes, field, message in cases:
        response = await client.post("/password/forgot", reset_form(code, **changes))
        assert response.status_code == 422 and error_of(response, field) == message, changes
        assert NEW_PASSWORD not in response.text
        assert verify_password(await password_hash(), DEMO_PASSWORD)
    # The code survived the refused forms.
    assert (await client.post("/password/forgot", reset_form(code), follow_redirects=False)).status_code == 303


async def test_the_reset_clears_a_lockout(client, demo):
    from datetime import datetime, timedelta, timezone

    await User.update({User.locked_until: datetime.now(timezone.utc) + timedelta(minutes=10)}).where(User.username_key == "demo_qiye")
    await client.post("/password/forgot/send-code", {"username": "demo_qiye", "phone": QIYE_PHONE}, htmx=True)
    await client.post("/password/forgot", reset_form(await last_code(QIYE_PHONE)))
    assert (await User.select(User.locked_until).where(User.username_key == "demo_qiye").first())["locked_until"] is None


async def test_the_forgot_password_page_works_without_javascript(client, demo):
    page = await client.get("/password/forgot")
    for label in ("登录账号", "手机号码", "验证码", "发送验证码", "新密码", "确认密码", "重置密码"):
        assert label in text_of(page)
    response = await client.post("/password/forgot/send-code", {"username": "demo_qiye", "phone": QIYE_PHONE})
    assert response.status_code == 200 and "<html" in response.text and 'value="demo_qiye"' in response.text
    assert await sms_count(QIYE_PHONE) == 1
