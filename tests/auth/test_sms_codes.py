"""SMS codes: 6 digits, hashed at rest, 5 minutes, 5 wrong tries, single use, send limits."""

import pytest

from tests.auth.conftest import expire_codes, last_code, pass_cooldown, sms_count
from xqr.services import sms_codes
from xqr.services.errors import ValidationFailed
from xqr.services.sms_codes import consume_code, send_code, verify_code
from xqr.tables.verification import SmsCode

PHONE = "13912345678"


async def refused(coroutine) -> str:
    with pytest.raises(ValidationFailed) as failure:
        await coroutine
    return next(iter(failure.value.errors.values()))


async def test_a_code_is_six_digits_sent_by_sms_and_only_its_hash_is_stored(db):
    sent = await send_code(PHONE, "register", "10.0.0.1")
    code = await last_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    assert sent.wait_seconds == 60
    row = await SmsCode.select().first()
    assert code not in row["code_hash"] and len(row["code_hash"]) == 64
    assert row["purpose"] == "register" and row["ip"] == "10.0.0.1"
    assert (row["expires_at"] - row["created_at"]).total_seconds() == 300


async def test_the_right_code_verifies_once_and_then_counts_as_used(db):
    await send_code(PHONE, "register", "10.0.0.1")
    code = await last_code(PHONE)
    code_id = await verify_code(PHONE, "register", code)
    await consume_code(code_id)
    assert await refused(verify_code(PHONE, "register", code)) == "验证码已使用，请重新获取"
    assert await refused(consume_code(code_id)) == "验证码已使用，请重新获取"


async def test_an_expired_code_is_refused(db):
    await send_code(PHONE, "register", "10.0.0.1")
    code = await last_code(PHONE)
    await expire_codes(PHONE)
    assert await refused(verify_code(PHONE, "register", code)) == "验证码已过期，请重新获取"


async def test_a_code_sent_to_another_phone_or_for_another_purpose_does_not_verify(db):
    await send_code(PHONE, "register", "10.0.0.1")
    code = await last_code(PHONE)
    assert await refused(verify_code("13987654321", "register", code)) == "请先获取验证码"
    assert await refused(verify_code(PHONE, "login", code)) == "请先获取验证码"
    await send_code("13987654321", "register", "10.0.0.1")
    other = await last_code("13987654321")
    typed = code if code != other else f"{(int(other) + 1) % 10**6:06d}"
    assert (await refused(verify_code("13987654321", "register", typed))).startswith("验证码不正确")


async def test_five_wrong_tries_kill_the_code_so_the_sixth_try_fails_even_when_right(db):
    await send_code(PHONE, "register", "10.0.0.1")
    code = await last_code(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    messages = [await refused(verify_code(PHONE, "register", wrong)) for _ in range(5)]
    assert messages[0] == "验证码不正确，还可尝试4次"
    assert messages[-1] == "验证码错误次数过多，请重新获取"
    assert await refused(verify_code(PHONE, "register", code)) == "验证码错误次数过多，请重新获取"


async def test_an_empty_code_is_refused_without_counting_a_try(db):
    await send_code(PHONE, "register", "10.0.0.1")
    assert await refused(verify_code(PHONE, "register", "  ")) == "请输入验证码"
    assert (await SmsCode.select(SmsCode.attempts).first())["attempts"] == 0


async def test_a_new_code_replaces_the_previous_one(db):
    await send_code(PHONE, "register", "10.0.0.1")
    first = await last_code(PHONE)
    await pass_cooldown(PHONE)
    await send_code(PHONE, "register", "10.0.0.1")
    second = await last_code(PHONE)
    if first != second:
        assert (await refused(verify_code(PHONE, "register", first))).startswith("验证码不正确")
    assert await verify_code(PHONE, "register", second)


async def test_a_second_code_within_60_seconds_is_refused_with_the_time_left(db):
    await send_code(PHONE, "register", "10.0.0.1")
    with pytest.raises(sms_codes.CooldownActive) as cooling:
        await send_code(PHONE, "register", "10.0.0.2")
    assert 58 <= cooling.value.wait_seconds <= 60
    assert cooling.value.errors["code"] == f"验证码已发送，请{cooling.value.wait_seconds}秒后再重新获取"
    assert await sms_count(PHONE) == 1
    await pass_cooldown(PHONE)
    await send_code(PHONE, "register", "10.0.0.2")
    assert await sms_count(PHONE) == 2


async def test_the_cooldown_is_per_purpose_so_a_new_account_can_log_in_at_once(db):
    await send_code(PHONE, "register", "10.0.0.1")
    await send_code(PHONE, "login", "10.0.0.1")
    assert await sms_count(PHONE) == 2


async def test_one_phone_gets_at_most_the_daily_cap_of_codes(db):
    for _ in range(sms_codes.DAILY_CAP_PER_PHONE):
        await send_code(PHONE, "register", f"10.0.0.{_}")
        await pass_cooldown(PHONE)
    message = await refused(send_code(PHONE, "register", "10.0.0.99"))
    assert message == "该手机号码今日获取验证码次数已达上限，请明天再试"
    assert await sms_count(PHONE) == sms_codes.DAILY_CAP_PER_PHONE


async def test_one_address_gets_at_most_the_daily_cap_of_codes(db):
    for n in range(sms_codes.DAILY_CAP_PER_IP):
        await send_code(f"139{n:08d}", "register", "10.9.9.9")
    message = await refused(send_code("13700000000", "register", "10.9.9.9"))
    assert message == "获取验证码过于频繁，请明天再试"
    assert await sms_count("13700000000") == 0
    await send_code("13700000000", "register", "10.9.9.10")
    assert await sms_count("13700000000") == 1


async def test_a_bad_phone_number_gets_no_code(db):
    for phone in ("1391234567", "23912345678", "1391234567a", ""):
        assert await refused(send_code(phone, "register", "10.0.0.1")) == "请输入11位手机号码"
    assert await sms_count() == 0
