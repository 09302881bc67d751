"""SMS: the SmsSender protocol, the console backend for development and Tencent Cloud SMS for production."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol, Sequence
from urllib.parse import urlparse

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.sms.v20210111 import models, sms_client

from xqr.gateways import SendFailed
from xqr.settings import Settings, SmsSettings

logger = logging.getLogger("xqr.sms")

#: the outbox purpose of a verification-code SMS; its template takes (code, minutes valid)
SMS_CODE_PURPOSE = "sms_code"
SDK_TIMEOUT_SECONDS = 20
#: Tencent error codes that may clear up by waiting (rate limits, their side or the network);
#: the rest (bad number, unapproved template or signature, arrears, wrong keys) need a person.
TRANSIENT_CODE_PREFIXES = ("LimitExceeded", "RequestLimitExceeded", "InternalError", "ClientNetworkError", "ServerNetworkError")


class SmsSendFailed(SendFailed):
    pass


class SmsSender(Protocol):
    async def send(self, phone: str, text: str, purpose: str, params: Sequence[str] = (), *, reference: str = "") -> str:
        """Send one SMS; returns a note for the outbox ("" when there is nothing to say).

        `text` is what the user reads; `params` fill the provider's approved template for
        `purpose` and must say the same. `reference` is our id for the message (no personal data).
        Raises SmsSendFailed when the provider did not accept it.
        """


class ConsoleSms:
    """Development: the SMS goes to the log; /dev/outbox shows the outbox row itself."""

    NOTE = "控制台短信：只写入日志和开发用发件箱，没有发出"

    async def send(self, phone: str, text: str, purpose: str, params: Sequence[str] = (), *, reference: str = "") -> str:
        logger.info("SMS (console) to %s [%s]: %s", phone, purpose or "-", text)
        return self.NOTE


def e164(phone: str) -> str:
    """Tencent wants +86 numbers; we store mainland mobiles as their 11 digits."""
    return phone if phone.startswith("+") else f"+86{phone}"


class TencentSms:
    """Tencent Cloud SMS (API 2021-01-11, SendSms) through tencentcloud-sdk-python-sms."""

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        endpoint, scheme = None, "https"
        if settings.endpoint:
            # "host[:port]" or a URL; tests point it at a stand-in on loopback over plain HTTP.
            parsed = urlparse(settings.endpoint if "://" in settings.endpoint else f"https://{settings.endpoint}")
            endpoint, scheme = parsed.netloc, parsed.scheme
        http = HttpProfile(protocol=scheme, endpoint=endpoint, reqTimeout=SDK_TIMEOUT_SECONDS)
        # No SDK retryer: a retry after a network error that reached Tencent would text the user
        # twice; the outbox retries with backoff instead.
        self.client = sms_client.SmsClient(
            credential.Credential(settings.secret_id, settings.secret_key),
            settings.region,
            ClientProfile(httpProfile=http),
        )
        self.templates = {SMS_CODE_PURPOSE: settings.template_id}

    async def send(self, phone: str, text: str, purpose: str, params: Sequence[str] = (), *, reference: str = "") -> str:
        template_id = self.templates.get(purpose)
        if not template_id:
            raise SmsSendFailed(f"没有为用途 {purpose or '（空）'} 配置腾讯云短信模板", permanent=True)
        # The SDK is blocking (requests): keep it off the event loop.
        return await asyncio.to_thread(self._send, phone, template_id, list(params), reference)

    def _send(self, phone: str, template_id: str, params: list[str], reference: str) -> str:
        request = models.SendSmsRequest()
        request.SmsSdkAppId = self.settings.sdk_app_id
        request.SignName = self.settings.sign_name
        request.TemplateId = template_id
        request.TemplateParamSet = params
        request.PhoneNumberSet = [e164(phone)]
        if reference:
            request.SessionContext = reference
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            raise _failure(error.get_code(), error.get_message(), error.get_request_id()) from error
        statuses = response.SendStatusSet or []
        if not statuses:
            # The SDK returns an empty response instead of raising when the error body's
            # Content-Type is not exactly application/json: never take that for success.
            raise SmsSendFailed(f"腾讯云短信没有返回发送状态（RequestId {response.RequestId}）")
        status = statuses[0]
        if status.Code != "Ok":
            raise _failure(status.Code, status.Message, response.RequestId)
        return f"腾讯云短信已受理，流水号 {status.SerialNo}"


def _failure(code: str | None, message: str | None, request_id: str | None) -> SmsSendFailed:
    code = code or "Unknown"
    permanent = not code.startswith(TRANSIENT_CODE_PREFIXES)
    return SmsSendFailed(f"腾讯云短信发送失败：{code} {message or ''}（RequestId {request_id or '-'}）", permanent=permanent)


def make_sms_sender(settings: Settings) -> SmsSender:
    backend = settings.sms.backend
    if backend == "console":
        return ConsoleSms()
    if backend == "tencent":
        return TencentSms(settings.sms)
    raise ValueError(f"XQR_SMS_BACKEND must be console or tencent, not {backend!r}")
