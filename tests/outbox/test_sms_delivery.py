"""SMS from the outbox: the console backend, and Tencent Cloud SMS against a stand-in for its API on loopback."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest

from tests.outbox.conftest import TencentStub, outbox_row
from xqr.gateways.mail import OutboxOnlyMailer
from xqr.gateways.sms import SMS_CODE_PURPOSE, ConsoleSms, SmsSendFailed, TencentSms, make_sms_sender
from xqr.services.outbox import enqueue_sms, enqueue_sms_code
from xqr.services.outbox_delivery import DeliveryReport, deliver_due
from xqr.settings import SmsSettings
from xqr.tables.messaging import Outbox

pytestmark = pytest.mark.usefixtures("db")


def tencent_settings_for_endpoint(endpoint: str) -> SmsSettings:
    return SmsSettings(
        backend="tencent",
        secret_id="AKIDstandin",
        secret_key="standin-secret",
        sdk_app_id="1400006666",
        sign_name="湘企融",
        template_id="2233445",
        region="ap-guangzhou",
        endpoint=endpoint,
    )


def tencent_settings(stub: TencentStub) -> SmsSettings:
    return tencent_settings_for_endpoint(stub.endpoint)


async def deliver_a_code_through(stub: TencentStub) -> tuple[DeliveryReport, dict]:
    """Queue the code SMS 604817 (valid 5 minutes) and run one delivery pass against the stand-in."""
    outbox_id = await enqueue_sms_code("13800000000", "604817", 5)
    report = await deliver_due(OutboxOnlyMailer(), TencentSms(tencent_settings(stub)), "worker-a")
    return report, await outbox_row(outbox_id)


async def test_a_code_sms_goes_to_tencent_as_its_template_with_the_code_and_minutes(tencent_stub: TencentStub) -> None:
    tencent_stub.answer_ok()

    report, row = await deliver_a_code_through(tencent_stub)

    assert report.sent == 1
    [request] = tencent_stub.requests
    headers = request["headers"]
    assert headers["X-TC-Action"] == "SendSms"
    assert headers["X-TC-Version"] == "2021-01-11"
    assert headers["X-TC-Region"] == "ap-guangzhou"
    assert headers["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKIDstandin/")
    assert "/sms/tc3_request" in headers["Authorization"]
    body = request["body"]
    assert body["PhoneNumberSet"] == ["+8613800000000"]
    assert body["SmsSdkAppId"] == "1400006666"
    assert body["SignName"] == "湘企融"
    assert body["TemplateId"] == "2233445"
    assert body["TemplateParamSet"] == ["604817", "5"]
    assert body["SessionContext"].startswith(f"outbox.{row['id']}.")
    assert (row["status"], row["attempts"], row["purpose"]) == ("sent", 1, SMS_CODE_PURPOSE)
    assert json.loads(row["params"]) == ["604817", "5"]
    assert "604817" in row["body_text"] and "5分钟" in row["body_text"]
    assert "2028:3380000000000000" in row["note"]


async def test_an_error_answer_becomes_sms_send_failed_with_the_providers_message(tencent_stub: TencentStub) -> None:
    tencent_stub.answer_error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")
    sender = TencentSms(tencent_settings(tencent_stub))

    with pytest.raises(SmsSendFailed) as raised:
        await sender.send("13800000000", "验证码", SMS_CODE_PURPOSE, ["123456", "5"])

    assert "FailedOperation.TemplateIncorrectOrUnapproved" in str(raised.value)
    assert "模板未审批或内容不匹配" in str(raised.value)
    assert raised.value.permanent, "an unapproved template does not heal by waiting"


async def test_a_refused_template_fails_the_outbox_row_at_once_and_keeps_the_error(tencent_stub: TencentStub) -> None:
    tencent_stub.answer_error("FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配")

    report, row = await deliver_a_code_through(tencent_stub)

    assert report.failed == 1
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert "模板未审批或内容不匹配" in row["last_error"] and "RequestId req-1" in row["last_error"]


async def test_a_rate_limited_number_in_the_send_status_is_retried_later_with_the_error_kept(tencent_stub: TencentStub) -> None:
    tencent_stub.answer_status("LimitExceeded.PhoneNumberThirtySecondLimit", "单个手机号30秒内下发短信条数超过设定的上限")

    report, row = await deliver_a_code_through(tencent_stub)

    assert report.retrying == 1
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in row["last_error"]


async def test_an_error_body_with_a_charset_in_its_content_type_is_still_a_failure(tencent_stub: TencentStub) -> None:
    # The SDK does not raise for this answer; it returns an empty response instead.
    tencent_stub.answer_error("InternalError.Timeout", "请求下发短信超时")
    tencent_stub.content_type = "application/json; charset=utf-8"

    with pytest.raises(SmsSendFailed, match="没有返回发送状态"):
        await TencentSms(tencent_settings(tencent_stub)).send("13800000000", "验证码", SMS_CODE_PURPOSE, ["123456", "5"])


async def test_an_unreachable_api_is_a_failure_to_retry() -> None:
    # Nothing listens on the discard port of loopback.
    sender = TencentSms(tencent_settings_for_endpoint("http://127.0.0.1:9"))

    with pytest.raises(SmsSendFailed, match="ClientNetworkError") as raised:
        await sender.send("13800000000", "验证码", SMS_CODE_PURPOSE, ["123456", "5"])

    assert not raised.value.permanent


async def test_an_sms_for_a_purpose_without_a_template_is_not_sent_to_tencent(tencent_stub: TencentStub) -> None:
    outbox_id = await enqueue_sms("13800000000", "您的申请已受理", purpose="application_notice")

    await deliver_due(OutboxOnlyMailer(), TencentSms(tencent_settings(tencent_stub)), "worker-a")

    assert tencent_stub.requests == []
    row = await outbox_row(outbox_id)
    assert row["status"] == "failed"
    assert "application_notice" in row["last_error"]


async def test_console_sms_marks_rows_sent_and_says_nothing_left_the_machine(settings) -> None:
    sender = make_sms_sender(settings)
    assert isinstance(sender, ConsoleSms), "the test settings use the console backend"
    code_id = await enqueue_sms_code("13900000001", "111222", 5)
    other_id = await enqueue_sms("13900000002", "测试短信")

    report = await deliver_due(OutboxOnlyMailer(), sender, "worker-a")

    assert report.sent == 2
    for outbox_id in (code_id, other_id):
        row = await outbox_row(outbox_id)
        assert row["status"] == "sent" and row["sent_at"] is not None
        assert "控制台短信" in row["note"]


def test_the_sms_backend_comes_from_the_settings(settings) -> None:
    tencent = dataclasses.replace(settings, sms=tencent_settings_for_endpoint("sms.tencentcloudapi.com"))
    assert isinstance(make_sms_sender(tencent), TencentSms)
    with pytest.raises(ValueError, match="XQR_SMS_BACKEND"):
        make_sms_sender(dataclasses.replace(settings, sms=SmsSettings(backend="carrier-pigeon")))


async def test_a_code_sms_still_undelivered_when_its_code_expired_is_given_up(tencent_stub: TencentStub) -> None:
    tencent_stub.answer_ok()
    outbox_id = await enqueue_sms_code("13800000000", "604817", 5)
    # The provider was down for six minutes, say; the row waited out its backoff.
    await Outbox.update({Outbox.created_at: Outbox.created_at - timedelta(minutes=6)}).where(Outbox.id == outbox_id)

    report = await deliver_due(OutboxOnlyMailer(), TencentSms(tencent_settings(tencent_stub)), "worker-a")

    assert report.failed == 1
    assert tencent_stub.requests == []
    row = await outbox_row(outbox_id)
    assert (row["status"], row["last_error"]) == ("failed", "验证码已过期，不再发送")
