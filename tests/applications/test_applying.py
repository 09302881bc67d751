"""立即申请: validation, certification, consent, one open application per enterprise and product."""

import asyncio
from decimal import Decimal

import pytest

from tests.applications.conftest import actor, certify, good_application, product_of, second_enterprise
from xqr.services import applications
from xqr.services.errors import Conflict, NotFound, ValidationFailed
from xqr.tables.accounts import Consent
from xqr.tables.applications import ApplicationEvent, LoanApplication
from xqr.tables.messaging import Message


async def _apply(user, product, **changes):
    return await applications.apply(user, product["id"], good_application(product, **changes), response_days=3, ip="127.0.0.1")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "", "请填写申请金额"),
        ("amount", "abc", "申请金额须为数字"),
        ("amount", "1.234", "最多保留2位小数"),
        ("amount", "-5", "申请金额"),
        ("term_months", "", "请填写申请期限"),
        ("term_months", "1.5", "申请期限须为正整数"),
        ("purpose", "", "请填写资金用途"),
        ("purpose", "用" * 201, "资金用途不能超过200个字"),
        ("contact_name", "", "请填写联系人"),
        ("contact_phone", "", "请填写联系电话"),
        ("contact_phone", "12345", "请输入11位手机号码"),
        ("contact_phone", "23812345678", "请输入11位手机号码"),
        ("remark", "说" * 1001, "补充说明不能超过1000个字"),
        ("consent", "", "请阅读并同意"),
    ],
)
async def test_each_wrong_field_is_refused_with_its_message_and_nothing_is_saved(demo, field, value, message):
    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    with pytest.raises(ValidationFailed) as failed:
        await _apply(await actor("demo_qiye"), product, **{field: value})
    assert list(failed.value.errors) == [field]
    assert message in failed.value.errors[field]
    assert await LoanApplication.count() == 0
    assert await Consent.count() == 0


@pytest.mark.parametrize(
    ("field", "offset", "message"),
    [("amount", "below", "额度范围"), ("amount", "above", "额度范围"), ("term_months", "below", "期限范围"), ("term_months", "above", "期限范围")],
)
async def test_amount_or_term_outside_the_products_range_is_refused(demo, field, offset, message):
    await certify("demo_qiye")
    product = await product_of("中国工商银行", 1)
    low, high = (product["min_amount"], product["max_amount"]) if field == "amount" else (product["min_term_months"], product["max_term_months"])
    value = low - 1 if offset == "below" else high + 1
    if field == "amount" and value <= 0:
        value = Decimal("0.5")
    with pytest.raises(ValidationFailed) as failed:
        await _apply(await actor("demo_qiye"), product, **{field: str(value)})
    assert message in failed.value.errors[field]
    assert await LoanApplication.count() == 0


async def test_an_uncertified_enterprise_cannot_apply(demo):
    product = await product_of("中国工商银行")
    with pytest.raises(applications.NotCertified):
        await _apply(await actor("demo_qiye"), product)
    assert await LoanApplication.count() == 0


async def test_applying_creates_a_numbered_application_with_consent_timeline_and_message(demo):
    await certify("demo_qiye")
    user = await actor("demo_qiye")
    product = await product_of("中国工商银行")
    applied = await _apply(user, product)
    row = await LoanApplication.select().where(LoanApplication.id == applied.id).first()
    assert row["status"] == "submitted"
    assert applied.number.startswith("XQR-") and applied.number.endswith("000001")
    assert row["institution"] == product["institution"]
    consent = await Consent.select().where(Consent.id == row["consent"]).first()
    assert (consent["document"], consent["subject"], consent["user"]) == ("application_share", f"application:{applied.id}", user.id)
    events = await ApplicationEvent.select().where(ApplicationEvent.application == applied.id)
    assert [(e["from_status"], e["to_status"]) for e in events] == [("", "submitted")]
    assert await Message.count().where(Message.recipient == user.id) == 1
    second = await _apply(user, await product_of("中国工商银行", 1))
    assert second.number.endswith("000002")


async def test_the_same_application_twice_at_once_makes_one(demo):
    await certify("demo_qiye")
    user = await actor("demo_qiye")
    product = await product_of("中国工商银行")
    results = await asyncio.gather(*[_apply(user, product) for _ in range(4)], return_exceptions=True)
    created = [r for r in results if isinstance(r, applications.Applied)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1 and len(refused) == 3, results
    assert await LoanApplication.count() == 1


async def test_a_closed_application_lets_the_enterprise_apply_again(demo):
    await certify("demo_qiye")
    user = await actor("demo_qiye")
    product = await product_of("中国工商银行")
    first = await _apply(user, product)
    with pytest.raises(Conflict):
        await _apply(user, product)
    await applications.withdraw(user, first.id)
    again = await _apply(user, product)
    assert again.id != first.id


async def test_a_delisted_product_cannot_be_applied_for(demo):
    from xqr.tables.catalogue import Product

    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    await Product.update({Product.status: "delisted"}).where(Product.id == product["id"])
    with pytest.raises(NotFound):
        await _apply(await actor("demo_qiye"), product)


async def test_an_enterprise_cannot_withdraw_another_enterprises_application(demo):
    await certify("demo_qiye")
    applied = await _apply(await actor("demo_qiye"), await product_of("中国工商银行"))
    other = await second_enterprise()
    with pytest.raises(NotFound):
        await applications.withdraw(other, applied.id)
    assert (await LoanApplication.select(LoanApplication.status).where(LoanApplication.id == applied.id).first())["status"] == "submitted"
