"""登录: password, then an SMS code to the registered phone; lockout; sessions; 退出登录; staff; demo accounts."""

from datetime import datetime, timedelta, timezone

import pytest

from tests.auth.conftest import last_code, pass_cooldown, sessions_of, sms_count
from tests.support.web import text_of
from xqr.services import login as login_service
from xqr.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from xqr.services.errors import ValidationFailed
from xqr.services.users import load_current_user
from xqr.tables.accounts import User, WebSession
from xqr.tables.verification import LoginEvent
from xqr.web.sessions import COOKIE_NAME

QIYE_PHONE = "13800000001"


async def password_step(client, username="demo_qiye", password=DEMO_PASSWORD, **extra):
    return await client.post("/login/send-code", {"username": username, "password": password, **extra}, follow_redirects=False)


async def log_in(client, username="demo_qiye", password=DEMO_PASSWORD, **extra):
    """Both steps as a person does them; returns the final response."""
    response = await password_step(client, username, password, **extra)
    assert response.status_code == 303, response.text[:500]
    phone = (await User.select(User.phone).where(User.username_key == username.lower()).first())["phone"]
    return await client.post("/login", {"code": await last_code(phone)}, follow_redirects=False)


def form_error(response) -> str:
    text = text_of(response)
    for message in (login_service.WRONG_CREDENTIALS, login_service.LOCKED, login_service.INACTIVE, login_service.IP_THROTTLED):
        if message in text:
            return message
    return ""


async def test_an_enterprise_logs_in_with_password_and_sms_code_and_lands_on_its_enterprise_page(client, demo):
    first = await password_step(client)
    assert first.status_code == 303 and first.headers["location"] == "/login"
    step_two = await client.get("/login")
    assert "138****0001" in step_two.text and QIYE_PHONE not in step_two.text
    assert "验证码" in text_of(step_two) and "登录" in text_of(step_two)
    response = await client.post("/login", {"code": await last_code(QIYE_PHONE)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/my/enterprise"
    home = await client.get("/my/enterprise")
    assert home.status_code == 200 and "立即认证" in home.text
    event = await LoginEvent.select().where(LoginEvent.success.eq(True)).first()
    assert event["username_key"] == "demo_qiye" and event["reason"] == "ok"
    assert (await User.select(User.last_login_at).where(User.username_key == "demo_qiye").first())["last_login_at"]


async def test_htmx_step_one_swaps_in_the_code_step_with_the_masked_phone_and_the_countdown(client, demo):
    response = await client.post("/login/send-code", {"username": "demo_qiye", "password": DEMO_PASSWORD}, htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'id="login-panel"' in response.text and "138****0001" in response.text
    assert 'data-seconds="60"' in response.text or 'data-seconds="59"' in response.text


async def test_a_wrong_password_sends_nothing_and_says_only_that_account_or_password_is_wrong(client, demo):
    response = await password_step(client, password="Wrong@2026")
    assert response.status_code == 422 and form_error(response) == login_service.WRONG_CREDENTIALS
    unknown = await password_step(client, username="nobody_here")
    assert unknown.status_code == 422 and form_error(unknown) == login_service.WRONG_CREDENTIALS
    assert await sms_count() == 0
    # Step 2 is not open: a code typed now does not log anyone in.
    refused = await client.post("/login", {"code": "123456"}, follow_redirects=False)
    assert refused.status_code == 422 and await sessions_of("demo_qiye") == 0


async def test_the_account_is_typed_in_any_letter_case(client, demo):
    response = await log_in(client, username="Demo_QIYE")
    assert response.status_code == 303 and response.headers["location"] == "/my/enterprise"


async def test_five_wrong_passwords_lock_the_account_for_15_minutes_even_for_the_right_password(client, demo):
    for _ in range(login_service.LOCKOUT_THRESHOLD):
        assert form_error(await password_step(client, password="Wrong@2026")) == login_service.WRONG_CREDENTIALS
    locked = await password_step(client)
    assert locked.status_code == 422 and form_error(locked) == login_service.LOCKED
    assert await sms_count() == 0
    user = await User.select(User.locked_until).where(User.username_key == "demo_qiye").first()
    assert timedelta(minutes=14) < user["locked_until"] - datetime.now(timezone.utc) <= timedelta(minutes=15)
    # When the lock has run out, the right password works again.
    await User.update({User.locked_until: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(User.username_key == "demo_qiye")
    assert (await log_in(client)).status_code == 303


async def test_an_unknown_account_locks_after_as_many_failures_so_the_answers_reveal_nothing(client, demo):
    for _ in range(login_service.LOCKOUT_THRESHOLD):
        assert form_error(await password_step(client, username="nobody_here")) == login_service.WRONG_CREDENTIALS
    assert form_error(await password_step(client, username="nobody_here")) == login_service.LOCKED


async def test_failed_attempts_are_recorded_with_address_and_browser(client, demo):
    await client.post("/login/send-code", {"username": "demo_qiye", "password": "Wrong@2026"}, headers={"user-agent": "TestBrowser/1.0"})
    event = await LoginEvent.select().first()
    assert (event["success"], event["reason"], event["user_agent"]) == (False, "password", "TestBrowser/1.0")
    assert event["user"] is not None and event["ip"]


async def test_a_wrong_code_is_refused_and_the_code_dies_after_five(client, demo):
    await password_step(client)
    code = await last_code(QIYE_PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        response = await client.post("/login", {"code": wrong})
        assert response.status_code == 422
    response = await client.post("/login", {"code": code})
    assert response.status_code == 422 and "验证码错误次数过多，请重新获取" in response.text
    assert await sessions_of("demo_qiye") == 0
    assert await LoginEvent.count().where(LoginEvent.reason == "code") == 6


async def test_step_two_resends_a_code_only_after_the_cooldown(client, demo):
    await password_step(client)
    early = await client.post("/login/resend", {}, htmx=True)
    assert early.status_code == 422 and "秒后再重新获取" in early.text
    await pass_cooldown(QIYE_PHONE)
    again = await client.post("/login/resend", {}, htmx=True)
    assert again.status_code == 200 and "验证码已发送至 138****0001" in again.text
    assert await sms_count(QIYE_PHONE) == 2
    response = await client.post("/login", {"code": await last_code(QIYE_PHONE)}, follow_redirects=False)
    assert response.status_code == 303


async def test_coming_back_to_step_one_within_the_cooldown_keeps_the_code_already_sent(client, demo):
    await password_step(client)
    code = await last_code(QIYE_PHONE)
    await client.post("/login/restart", {})
    assert (await password_step(client)).status_code == 303
    assert await sms_count(QIYE_PHONE) == 1
    assert (await client.post("/login", {"code": code}, follow_redirects=False)).status_code == 303


async def test_the_session_token_changes_at_login_and_the_old_one_is_gone(client, demo):
    await password_step(client)
    before = client.cookies.get(COOKIE_NAME)
    assert before
    await client.post("/login", {"code": await last_code(QIYE_PHONE)}, follow_redirects=False)
    after = client.cookies.get(COOKIE_NAME)
    assert after and after != before
    assert await WebSession.count() == 1 and await sessions_of("demo_qiye") == 1


async def test_next_leads_back_to_a_local_page(client, demo):
    guarded = await client.get("/my/messages", follow_redirects=False)
    assert guarded.headers["location"] == "/login?next=/my/messages"
    page = await client.get(guarded.headers["location"])
    assert 'name="next" value="/my/messages"' in page.text
    response = await log_in(client, next="/my/messages")
    assert response.headers["location"] == "/my/messages"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
async def test_next_never_leads_off_the_site(client, demo, target):
    response = await log_in(client, next=target)
    assert response.headers["location"] == "/my/enterprise"


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=[a.username for a in DEMO_ACCOUNTS])
async def test_each_demo_account_logs_in_through_the_real_login_and_lands_on_its_home(client, demo, account):
    response = await log_in(client, username=account.username)
    user = await load_current_user((await User.select(User.id).where(User.username_key == account.username).first())["id"])
    assert response.status_code == 303 and response.headers["location"] == user.home_path
    assert (await client.get(user.home_path)).status_code == 200


async def test_the_login_page_lists_the_demo_accounts_in_development(client, demo):
    text = text_of(await client.get("/login"))
    for account in DEMO_ACCOUNTS:
        assert account.username in text
    assert DEMO_PASSWORD in text


async def test_a_disabled_account_cannot_log_in_and_its_sessions_stop_working(client, login_as, demo):
    logged_in = await login_as("demo_shenhe")
    await User.update({User.is_active: False}).where(User.username_key == "demo_shenhe")
    response = await password_step(client, username="demo_shenhe")
    assert response.status_code == 422 and form_error(response) == login_service.INACTIVE
    assert await sms_count() == 0
    assert (await logged_in.get("/review/certifications", follow_redirects=False)).status_code == 303


async def test_logout_ends_the_session_and_goes_home(client, demo):
    await log_in(client)
    old = client.cookies.get(COOKIE_NAME)
    response = await client.post("/logout", {}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert await sessions_of("demo_qiye") == 0
    client.cookies.set(COOKIE_NAME, old)
    assert (await client.get("/my/enterprise", follow_redirects=False)).headers["location"].startswith("/login")


async def test_a_user_whose_password_an_admin_reset_must_change_it_before_anything_else(client, demo):
    await User.update({User.must_change_password: True}).where(User.username_key == "demo_csyh")
    response = await log_in(client, username="demo_csyh")
    assert response.headers["location"] == "/password/change"
    blocked = await client.get("/bank/applications", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/password/change"
    page = await client.get("/password/change")
    assert "请先设置新的登录密码" in page.text
    same = await client.post("/password/change", {"current_password": DEMO_PASSWORD, "password": DEMO_PASSWORD, "password_confirm": DEMO_PASSWORD})
    assert same.status_code == 422 and "新密码不能与当前密码相同" in same.text
    wrong = await client.post("/password/change", {"current_password": "Nope@2026", "password": "New#Pass2026", "password_confirm": "New#Pass2026"})
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.text
    done = await client.post("/password/change", {"current_password": DEMO_PASSWORD, "password": "New#Pass2026", "password_confirm": "New#Pass2026"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/bank/applications"
    assert (await client.get("/bank/applications")).status_code == 200


async def test_a_login_post_without_the_csrf_token_is_refused(client, demo):
    response = await client.post("/login/send-code", {"username": "demo_qiye", "password": DEMO_PASSWORD}, csrf=False)
    assert response.status_code == 403 and await sms_count() == 0
    assert (await client.post("/logout", {}, csrf=False)).status_code == 403


async def test_recent_logins_lists_successful_logins_newest_first(client, demo):
    await log_in(client)
    await client.post("/logout", {})
    await pass_cooldown(QIYE_PHONE)
    await log_in(client)
    user = await User.select(User.id).where(User.username_key == "demo_qiye").first()
    logins = await login_service.recent_logins(user["id"])
    assert len(logins) == 2 and logins[0]["created_at"] >= logins[1]["created_at"]


async def test_one_address_failing_on_many_accounts_must_wait(demo):
    client = login_service.Client(ip="10.7.7.7", user_agent="stuffing-bot")
    for n in range(login_service.IP_FAILURE_CAP):
        with pytest.raises(ValidationFailed):
            await login_service.check_password(f"guess_{n}", "Wrong@2026", client)
    with pytest.raises(ValidationFailed) as throttled:
        await login_service.check_password("demo_qiye", DEMO_PASSWORD, client)
    assert throttled.value.errors == {"__all__": login_service.IP_THROTTLED}
    # Another address is not held up.
    accepted = await login_service.check_password("demo_qiye", DEMO_PASSWORD, login_service.Client(ip="10.7.7.8"))
    assert accepted.masked_phone == "138****0001"
