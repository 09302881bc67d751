"""我的管理: change password, change phone, notification preferences, login history, consents."""

from datetime import datetime, timedelta, timezone

import pytest

from xqr.services import account, notification_prefs
from xqr.services.demo import DEMO_PASSWORD, seed_demo
from xqr.services.passwords import verify_password
from xqr.tables.accounts import Consent, User, WebSession
from xqr.tables.messaging import Message
from xqr.tables.preferences import NotificationPreference
from xqr.tables.verification import LoginEvent
from xqr.web import sessions

from tests.support.account_data import last_code
from tests.support.web import text_of

NEW_PASSWORD = "Xiang@2027"
NEW_PHONE = "13912340000"


async def password_hash(username: str = "demo_qiye") -> str:
    return (await User.select(User.password_hash).where(User.username_key == username).first())["password_hash"]


@pytest.mark.parametrize("role_user", ["demo_qiye", "demo_shenhe", "demo_gsyh", "demo_admin"])
async def test_every_role_opens_my_settings(db, login_as, role_user):
    await seed_demo()
    client = await login_as(role_user)
    response = await client.get("/my/settings")
    assert response.status_code == 200
    text = text_of(response)
    for heading in ("修改密码", "更换手机号码", "消息通知设置", "最近登录", "授权与同意记录"):
        assert heading in text


async def test_a_visitor_is_sent_to_the_login_page(db, client):
    response = await client.get("/my/settings", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize(
    "form, field, message",
    [
        ({"current_password": "Wrong@2026", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, "current_password", "当前密码不正确"),
        ({"current_password": "", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}, "current_password", "当前密码不正确"),
        ({"current_password": DEMO_PASSWORD, "password": "short1!", "password_confirm": "short1!"}, "password", "8-20位"),
        ({"current_password": DEMO_PASSWORD, "password": "abcdefgh1", "password_confirm": "abcdefgh1"}, "password", "字母、数字和特殊字符"),
        ({"current_password": DEMO_PASSWORD, "password": NEW_PASSWORD, "password_confirm": "Xiang@2028"}, "password_confirm", "两次输入的密码不一致"),
        ({"current_password": DEMO_PASSWORD, "password": DEMO_PASSWORD, "password_confirm": DEMO_PASSWORD}, "password", "不能与当前密码相同"),
    ],
)
async def test_a_bad_password_change_is_refused_and_nothing_changes(db, login_as, form, field, message):
    await seed_demo()
    before = await password_hash()
    client = await login_as("demo_qiye")
    response = await client.post("/my/settings/password", form)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    assert message in text_of(response)
    assert 'value="' + form["password"] + '"' not in response.text  # passwords are never echoed
    assert await password_hash() == before


async def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(db, login_as):
    await seed_demo()
    user_id = (await User.select(User.id).where(User.username_key == "demo_qiye").first())["id"]
    # Another device's session, as the login leaves it (one test client per test: see conftest).
    moment = datetime.now(timezone.utc)
    other_device = WebSession(
        token_hash=sessions.token_hash("other-device"), user=user_id, created_at=moment, last_seen_at=moment, expires_at=moment + timedelta(hours=1)
    )
    await other_device.save()
    this_device = await login_as("demo_qiye")
    response = await this_device.post(
        "/my/settings/password",
        {"current_password": DEMO_PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/my/settings"
    assert verify_password(await password_hash(), NEW_PASSWORD)
    assert not await WebSession.exists().where(WebSession.id == other_device.id)
    assert await WebSession.count().where(WebSession.user == user_id) == 1
    page = await this_device.get("/my/settings")
    assert page.status_code == 200 and "登录密码已修改" in text_of(page)


# ---------------------------------------------------------------- change phone


async def codes_sent(client) -> tuple[str, str]:
    assert (await client.post("/my/settings/phone/send-old", {"new_phone": NEW_PHONE})).status_code == 200
    assert (await client.post("/my/settings/phone/send-new", {"new_phone": NEW_PHONE})).status_code == 200
    return await last_code("13800000001"), await last_code(NEW_PHONE)


async def phone_of(username: str = "demo_qiye") -> str:
    return (await User.select(User.phone).where(User.username_key == username).first())["phone"]


async def test_changing_the_phone_needs_codes_from_both_numbers(db, login_as):
    await seed_demo()
    client = await login_as("demo_qiye")
    old_code, new_code = await codes_sent(client)
    response = await client.post("/my/settings/phone", {"new_phone": NEW_PHONE, "old_code": old_code, "new_code": new_code}, follow_redirects=False)
    assert response.status_code == 303
    assert await phone_of() == NEW_PHONE
    assert await Message.count().where(Message.title == "您的手机号码已更换") == 1
    # The codes are spent: a replay is refused.
    response = await client.post("/my/settings/phone", {"new_phone": "13912340001", "old_code": old_code, "new_code": new_code})
    assert response.status_code == 422


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize(
    "case, field, message",
    [
        ("old code missing", "old_code", "请输入验证码"),
        ("new code missing", "new_code", "请输入验证码"),
        ("old code wrong", "old_code", "验证码不正确"),
        ("new code wrong", "new_code", "验证码不正确"),
        ("codes swapped", "old_code", "验证码不正确"),
        ("new phone malformed", "new_phone", "请输入11位手机号码"),
        ("new phone is the current one", "new_phone", "不能与当前手机号码相同"),
    ],
)
async def test_a_bad_phone_change_is_refused_and_the_phone_stays(db, login_as, case, field, message):
    await seed_demo()
    client = await login_as("demo_qiye")
    old_code, new_code = await codes_sent(client)
    form = {"new_phone": NEW_PHONE, "old_code": old_code, "new_code": new_code}
    if case == "old code missing":
        form["old_code"] = ""
    elif case == "new code missing":
        form["new_code"] = ""
    elif case == "old code wrong":
        form["old_code"] = wrong(old_code)
    elif case == "new code wrong":
        form["new_code"] = wrong(new_code)
    elif case == "codes swapped":
        form["old_code"], form["new_code"] = new_code, old_code
    elif case == "new phone malformed":
        form["new_phone"] = "1391234"
    elif case == "new phone is the current one":
        form["new_phone"] = "13800000001"
    response = await client.post("/my/settings/phone", form)
    assert response.status_code == 422
    assert f'id="e-{field}"' in response.text
    assert message in text_of(response)
    assert f'value="{form["new_phone"]}"' in response.text  # what was typed stays
    assert await phone_of() == "13800000001"


async def test_a_code_is_not_sent_to_a_bad_new_number(db, login_as):
    await seed_demo()
    client = await login_as("demo_qiye")
    response = await client.post("/my/settings/phone/send-new", {"new_phone": "12345"}, htmx=True)
    assert response.status_code == 422
    assert "请输入11位手机号码" in text_of(response)
    assert 'id="phone-form"' in response.text and "<html" not in response.text  # the partial alone


async def test_a_second_code_within_a_minute_is_refused_beside_its_field(db, login_as):
    await seed_demo()
    client = await login_as("demo_qiye")
    assert (await client.post("/my/settings/phone/send-old", {})).status_code == 200
    response = await client.post("/my/settings/phone/send-old", {})
    assert response.status_code == 422
    assert 'id="e-old_code"' in response.text and "秒后再重新获取" in text_of(response)


# ---------------------------------------------------------------- preferences


async def test_notification_preferences_are_saved_and_answer_wants(db, login_as):
    await seed_demo()
    client = await login_as("demo_qiye")
    user_id = (await User.select(User.id).where(User.username_key == "demo_qiye").first())["id"]
    assert await notification_prefs.wants(user_id, "sms", "application")  # on by default
    response = await client.post("/my/settings/notifications", {"mail:application": "on", "sms:certification": "on"}, follow_redirects=False)
    assert response.status_code == 303
    assert not await notification_prefs.wants(user_id, "sms", "application")
    assert await notification_prefs.wants(user_id, "mail", "application")
    assert await notification_prefs.wants(user_id, "sms", "certification")
    assert not await notification_prefs.wants(user_id, "mail", "demand")
    assert await notification_prefs.wants(user_id, "inapp", "demand")  # in-app is always on
    assert await NotificationPreference.count().where(NotificationPreference.user == user_id) == 6
    page = await client.get("/my/settings")
    assert 'id="pref-mail-application" name="mail:application" checked' in page.text
    assert 'id="pref-sms-application" name="sms:application">' in page.text
    # Saving again replaces the choices rather than adding rows.
    await client.post("/my/settings/notifications", {})
    assert await NotificationPreference.count().where(NotificationPreference.user == user_id) == 6
    assert not await notification_prefs.wants(user_id, "sms", "certification")


async def test_unknown_notification_keys_are_not_stored(db, login_as):
    await seed_demo()
    client = await login_as("demo_gsyh")
    await client.post("/my/settings/notifications", {"sms:application": "on", "fax:new_application": "on", "sms:new_application": "on"})
    rows = await NotificationPreference.select(NotificationPreference.channel, NotificationPreference.event, NotificationPreference.enabled)
    assert {(r["channel"], r["event"]) for r in rows} == {(c, e) for c in ("sms", "mail") for e in ("new_application", "demand_dispatch")}
    assert {(r["channel"], r["event"]) for r in rows if r["enabled"]} == {("sms", "new_application")}


async def test_wants_refuses_an_unknown_channel_or_event(db):
    with pytest.raises(ValueError):
        await notification_prefs.wants(1, "fax", "application")
    with pytest.raises(ValueError):
        await notification_prefs.wants(1, "sms", "birthday")


# ---------------------------------------------------------------- history and consents


@pytest.mark.parametrize(
    "agent, device",
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47", "iPhone · 微信"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Windows 电脑 · Edge"),
        ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36", "Android 手机 · Chrome"),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15", "Mac 电脑 · Safari"),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "Linux 电脑 · Firefox"),
        ("curl/8.5", "未知设备"),
        ("", "未知设备"),
    ],
)
def test_a_user_agent_reads_as_a_device(agent, device):
    assert account.device_name(agent) == device


async def test_the_last_logins_and_consents_are_listed(db, login_as):
    await seed_demo()
    user_id = (await User.select(User.id).where(User.username_key == "demo_qiye").first())["id"]
    moment = datetime.now(timezone.utc)
    await LoginEvent(user=user_id, username_key="demo_qiye", success=True, reason="ok", ip="203.0.113.9",
                     user_agent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", created_at=moment).save()
    await LoginEvent(user=user_id, username_key="demo_qiye", success=False, reason="password", ip="198.51.100.7", created_at=moment).save()
    await Consent(user=user_id, document="user_agreement", version="2026-11", ip="203.0.113.9", created_at=moment).save()
    client = await login_as("demo_qiye")
    text = text_of(await client.get("/my/settings"))
    assert "203.0.113.9" in text and "Windows 电脑 · Chrome" in text
    assert "198.51.100.7" not in text  # failed attempts are not logins
    assert "《平台用户协议》" in text and "2026-11" in text and "有效" in text
