"""企业注册 over HTTP: the happy path, each rule broken in turn (nothing saved), the 发送验证码 button."""

import re

import pytest

from tests.auth.conftest import add_registry_entry, credit_code, expire_codes, last_code, pass_cooldown, saved_counts, sms_count
from tests.support.web import text_of
from xqr.services.registration import USER_AGREEMENT_VERSION
from xqr.tables.accounts import Consent, Enterprise, User
from xqr.tables.messaging import Message

PHONE = "13912345678"
PASSWORD = "Qiye#2026a"


@pytest.fixture
async def entry(db):
    return await add_registry_entry("长沙湘江示范机械制造有限公司", 1, address="湖南省长沙市岳麓区示范路88号")


async def send_registration_code(client, phone=PHONE) -> str:
    response = await client.post("/register/send-code", {"phone": phone}, htmx=True)
    assert response.status_code == 200, response.text
    return await last_code(phone)


def form_for(entry, sms_code: str | None, **changes) -> dict:
    form = {
        "enterprise_name": entry.name,
        "credit_code": entry.credit_code,
        "address": entry.address,
        "username": "xiangjiang01",
        "phone": PHONE,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "code": sms_code,
        "consent": "on",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


async def test_registering_a_registry_enterprise_creates_the_account_the_enterprise_the_consent_and_a_message(client, entry):
    code = await send_registration_code(client)
    response = await client.post("/register", form_for(entry, code), follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"

    enterprise = await Enterprise.select().first()
    assert (enterprise["name"], enterprise["credit_code"], enterprise["address"]) == (entry.name, entry.credit_code, entry.address)
    assert enterprise["cert_status"] == "uncertified" and enterprise["registry_matched"] is True
    user = await User.select().first()
    assert (user["username"], user["username_key"], user["phone"], user["role"]) == ("xiangjiang01", "xiangjiang01", PHONE, "enterprise")
    assert user["enterprise"] == enterprise["id"] and PASSWORD not in user["password_hash"]
    consent = await Consent.select().first()
    assert (consent["user"], consent["document"], consent["version"]) == (user["id"], "user_agreement", USER_AGREEMENT_VERSION)
    assert consent["ip"] and consent["created_at"]
    message = await Message.select().first()
    assert message["recipient"] == user["id"] and "欢迎" in message["title"]

    login_page = await client.get("/login")
    assert "注册成功，请登录" in text_of(login_page)


async def test_an_enterprise_the_registry_does_not_know_may_be_typed_by_hand_and_is_marked_for_review(client, entry):
    code = await send_registration_code(client)
    typed = form_for(entry, code, enterprise_name="湘西手工坊（个人独资）", credit_code=credit_code(777).lower(), address="湖南省吉首市人民路1号")
    response = await client.post("/register", typed, follow_redirects=False)
    assert response.status_code == 303
    enterprise = await Enterprise.select().first()
    assert enterprise["credit_code"] == credit_code(777) and enterprise["registry_matched"] is False
    assert enterprise["name"] == "湘西手工坊（个人独资）"


def bad_cases(entry):
    wrong_check = entry.credit_code[:-1] + ("0" if entry.credit_code[-1] != "0" else "1")
    return [
        ({"enterprise_name": ""}, "enterprise_name", "请输入企业名称"),
        ({"enterprise_name": "别的名字有限公司"}, "enterprise_name", f"企业名称与统一社会信用代码不符：登记名称为「{entry.name}」"),
        ({"credit_code": ""}, "credit_code", "请输入统一社会信用代码"),
        ({"credit_code": "91430104MA4T7K2C"}, "credit_code", "统一社会信用代码应为18位"),
        ({"credit_code": wrong_check}, "credit_code", "统一社会信用代码校验位不正确，请核对"),
        ({"credit_code": credit_code(555), "address": ""}, "address", "请输入企业注册地址"),
        ({"username": "1abc"}, "username", "登录账号须以字母开头，由4-20位字母、数字或下划线组成"),
        ({"username": "abc"}, "username", "登录账号须以字母开头，由4-20位字母、数字或下划线组成"),
        ({"username": "a" * 21}, "username", "登录账号须以字母开头，由4-20位字母、数字或下划线组成"),
        ({"username": "abc-def"}, "username", "登录账号须以字母开头，由4-20位字母、数字或下划线组成"),
        ({"phone": "1391234567"}, "phone", "请输入11位手机号码"),
        ({"phone": "12912345678"}, "phone", "请输入11位手机号码"),
        ({"password": "Ab#1234", "password_confirm": "Ab#1234"}, "password", "登录密码须为8-20位"),
        ({"password": "Abcdefgh12", "password_confirm": "Abcdefgh12"}, "password", "登录密码须同时包含字母、数字和特殊字符"),
        ({"password": "abcdefgh#!", "password_confirm": "abcdefgh#!"}, "password", "登录密码须同时包含字母、数字和特殊字符"),
        ({"password_confirm": PASSWORD + "x"}, "password_confirm", "两次输入的密码不一致"),
        ({"code": ""}, "code", "请输入验证码"),
        ({"consent": None}, "consent", "请阅读并同意《平台用户协议》"),
    ]


async def test_each_field_wrong_in_turn_is_refused_beside_the_field_with_the_rest_kept_and_nothing_saved(client, entry):
    code = await send_registration_code(client)
    before = await saved_counts()
    for changes, field, message in bad_cases(entry):
        form = form_for(entry, code, **changes)
        response = await client.post("/register", form)
        assert response.status_code == 422, (changes, response.text[:500])
        error = re.search(rf'<p class="error" id="e-{field}">(.*?)</p>', response.text)
        assert error and error.group(1) == message, (changes, error and error.group(1))
        # What was typed stays, except the passwords.
        for kept in ("username", "phone", "enterprise_name", "address"):
            if form.get(kept):
                assert f'value="{form[kept]}"' in response.text, (kept, changes)
        assert PASSWORD not in response.text
        assert await saved_counts() == before, changes
    # The right code was never spent by the refused forms: the corrected form goes through.
    response = await client.post("/register", form_for(entry, code), follow_redirects=False)
    assert response.status_code == 303


async def test_a_wrong_code_is_refused_and_counts_as_a_try(client, entry):
    code = await send_registration_code(client)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = await client.post("/register", form_for(entry, wrong))
    assert response.status_code == 422 and "验证码不正确，还可尝试4次" in response.text
    assert await saved_counts() == {"enterprises": 0, "users": 0, "consents": 0, "messages": 0, "spent codes": 0}


async def test_a_reused_code_is_refused(client, entry):
    code = await send_registration_code(client)
    assert (await client.post("/register", form_for(entry, code), follow_redirects=False)).status_code == 303
    other = await add_registry_entry("株洲示范电子有限公司", 2)
    before = await saved_counts()
    response = await client.post("/register", form_for(other, code, username="another01"))
    assert response.status_code == 422 and "验证码已使用，请重新获取" in response.text
    assert await saved_counts() == before


async def test_an_expired_code_is_refused(client, entry):
    code = await send_registration_code(client)
    await expire_codes(PHONE)
    response = await client.post("/register", form_for(entry, code))
    assert response.status_code == 422 and "验证码已过期，请重新获取" in response.text
    assert (await saved_counts())["users"] == 0


async def test_a_code_sent_to_another_phone_is_refused(client, entry):
    code = await send_registration_code(client, phone="13800138000")
    response = await client.post("/register", form_for(entry, code))
    assert response.status_code == 422 and "请先获取验证码" in response.text
    assert (await saved_counts())["users"] == 0


async def test_the_sixth_try_is_refused_even_with_the_right_code(client, entry):
    code = await send_registration_code(client)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        await client.post("/register", form_for(entry, wrong))
    response = await client.post("/register", form_for(entry, code))
    assert response.status_code == 422 and "验证码错误次数过多，请重新获取" in response.text
    assert (await saved_counts())["users"] == 0


async def test_a_taken_account_is_refused_whatever_its_letter_case(client, entry):
    code = await send_registration_code(client)
    await client.post("/register", form_for(entry, code), follow_redirects=False)
    other = await add_registry_entry("株洲示范电子有限公司", 2)
    await pass_cooldown(PHONE)
    code = await send_registration_code(client)
    before = await saved_counts()
    response = await client.post("/register", form_for(other, code, username="XiangJiang01"))
    assert response.status_code == 422 and '<p class="error" id="e-username">该登录账号已被使用</p>' in response.text
    assert await saved_counts() == before


async def test_an_enterprise_already_registered_is_refused_with_a_way_to_log_in(client, entry):
    code = await send_registration_code(client)
    await client.post("/register", form_for(entry, code), follow_redirects=False)
    await pass_cooldown(PHONE)
    code = await send_registration_code(client)
    before = await saved_counts()
    response = await client.post("/register", form_for(entry, code, username="second01"))
    assert response.status_code == 422
    assert '<p class="error" id="e-credit_code">该企业已注册，请使用已注册的账号登录</p>' in response.text
    assert '<a href="/login">前往登录</a>' in response.text
    assert await saved_counts() == before


async def test_send_code_answers_htmx_with_the_button_and_its_60_second_countdown(client, entry):
    response = await client.post("/register/send-code", {"phone": PHONE}, htmx=True)
    assert response.status_code == 200
    assert 'id="code-button"' in response.text and 'data-seconds="60"' in response.text
    assert "验证码已发送至 139****5678" in response.text and "<html" not in response.text
    again = await client.post("/register/send-code", {"phone": PHONE}, htmx=True)
    assert again.status_code == 422 and re.search(r"验证码已发送，请\d+秒后再重新获取", again.text)
    assert await sms_count(PHONE) == 1


async def test_send_code_without_javascript_re_renders_the_whole_form_with_what_was_typed(client, entry):
    form = form_for(entry, None)
    response = await client.post("/register/send-code", form)
    assert response.status_code == 200 and "<html" in response.text
    assert f'value="{entry.name}"' in response.text and 'value="xiangjiang01"' in response.text
    assert "验证码已发送至 139****5678" in response.text
    bad = await client.post("/register/send-code", {**form, "phone": "123"})
    assert bad.status_code == 422 and '<p class="error" id="e-phone">请输入11位手机号码</p>' in bad.text


async def test_the_register_page_has_the_manuals_labels_and_input_types(client, db):
    page = await client.get("/register")
    text = text_of(page)
    for label in ("企业名称", "统一社会信用代码", "企业注册地址", "登录账号", "手机号码", "登录密码", "确认密码", "验证码", "发送验证码", "我已阅读并同意《平台用户协议》", "注册"):
        assert label in text.replace("同意 《", "同意《"), label
    html = page.text
    assert re.search(r'<input id="f-phone" name="phone" type="tel"[^>]*autocomplete="tel"', html)
    assert re.search(r'<input id="f-code"[^>]*autocomplete="one-time-code"[^>]*inputmode="numeric"', html)
    assert html.count('autocomplete="new-password"') == 2
    assert 'hx-get="/registry/search"' in html and 'hx-trigger="input changed delay:250ms"' in html
    assert '<ul role="listbox" id="registry-matches" aria-label="匹配的企业" hidden></ul>' in html
    assert '<a href="/agreement"' in html


async def test_the_agreement_page_shows_its_version(client, db):
    page = await client.get("/agreement")
    assert page.status_code == 200 and "《平台用户协议》" in page.text and USER_AGREEMENT_VERSION in page.text


async def test_a_post_without_the_csrf_token_is_refused(client, entry):
    code = await send_registration_code(client)
    response = await client.post("/register", form_for(entry, code), csrf=False)
    assert response.status_code == 403
    assert (await saved_counts())["users"] == 0
    assert (await client.post("/register/send-code", {"phone": "13800000009"}, csrf=False)).status_code == 403
