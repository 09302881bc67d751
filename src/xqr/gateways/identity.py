"""Identity verification of a person by face (快速人脸认证): a protocol and its two backends.

- `TencentEidVerifier`: Tencent Cloud E证通 (faceid 2018-03-01): GetEidToken bound to the name and ID
  number, the user opens the one-time URL in WeChat, comes back to our redirect URL, and we fetch the
  result by token with GetEidResult (the redirect itself proves nothing).
- `SimulatedVerifier`: local pages under /face-check/simulator/ that walk the same steps with
  通过 / 不通过 choices, for development and tests; refused in production.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Protocol
from urllib.parse import quote

from xqr.settings import FaceSettings, Settings
from xqr.tables.face_checks import FaceSimulation

#: E证通's EidToken and URL live 600 s; the simulator keeps the same limit so flows behave alike.
TOKEN_LIFETIME = timedelta(seconds=600)
#: E证通 Text.ErrCode of a flow the user has not finished yet
NOT_FINISHED = "17"
EXPIRED = "15"

# Text.ErrCode values of E证通 in the words a user understands (tencent_cloud_apis.md §2.5).
_CODE_MESSAGES = {
    "0": "人脸认证通过",
    "14": "本次认证已完成，请勿重复提交",
    EXPIRED: "认证已过期，请重新发起人脸认证",
    "16": "认证重试次数已达上限，请稍后重新发起",
    NOT_FINISHED: "认证尚未完成，请在手机上完成人脸认证",
    "301": "认证人的身份证号与法人代表身份证号不一致",
    "302": "法人代表身份证已过期",
    "2006": "法人代表姓名与身份证号不匹配",
    "2016": "人脸比对未通过：不是法人代表本人",
}
_API_ERROR_CODES = {
    "InvalidParameterValue.BizTokenExpired": EXPIRED,
    "InvalidParameterValue.BizTokenIllegal": "1",
    "FailedOperation.InvalidTokenParameter": "1",
}


def message_for(code: str, provider_message: str = "") -> str:
    """A Chinese message for an E证通 result code."""
    if code in _CODE_MESSAGES:
        return _CODE_MESSAGES[code]
    if code.isdigit() and 1001 <= int(code) <= 1008:
        return "活体检测未通过，请在光线充足处正对手机重试"
    if code.isdigit() and 201 <= int(code) <= 204:
        return "微信授权失败，请在微信中重新发起人脸认证"
    if code in {"1", "2", "3"}:
        return "认证凭证无效，请重新发起人脸认证"
    return f"人脸认证未通过：{provider_message}" if provider_message else "人脸认证未通过，请稍后重试"


@dataclass(frozen=True)
class FaceCheckStart:
    token: str
    #: where the person does the check (one-time; on a PC shown as a QR code)
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class FaceCheckResult:
    success: bool
    #: the provider's result code as text ("0" = success)
    code: str
    message: str


class IdentityVerifier(Protocol):
    name: str

    async def start(self, request_ref: str, name: str, id_number: str, redirect_url: str) -> FaceCheckStart:
        """Begin a check bound to this person; the provider sends the user to redirect_url when done."""

    async def result(self, token: str) -> FaceCheckResult:
        """The outcome of the check behind token, fetched from the provider itself."""


class VerifierUnavailable(RuntimeError):
    """The configured backend may not run here (the simulator in production)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else ""


class SimulatedVerifier:
    """Stands in for E证通 in development: its own pages decide the outcome (通过 / 不通过)."""

    name = "simulator"

    def __init__(self, settings: Settings, public_base: str) -> None:
        if settings.is_prod:
            raise VerifierUnavailable("生产环境不能使用模拟人脸认证")
        self.public_base = public_base.rstrip("/")

    async def start(self, request_ref: str, name: str, id_number: str, redirect_url: str) -> FaceCheckStart:
        token = secrets.token_urlsafe(24)
        moment = _now()
        await FaceSimulation(
            token=token,
            masked_name=_mask_name(name),
            redirect_url=redirect_url,
            created_at=moment,
            expires_at=moment + TOKEN_LIFETIME,
        ).save()
        return FaceCheckStart(token=token, url=f"{self.public_base}/face-check/simulator/{token}", expires_at=moment + TOKEN_LIFETIME)

    async def result(self, token: str) -> FaceCheckResult:
        row = await FaceSimulation.select().where(FaceSimulation.token == token).first()
        if row is None:
            return FaceCheckResult(False, "1", message_for("1"))
        code = {"passed": "0", "failed": "2016", "pending": NOT_FINISHED}[row["outcome"]]
        return FaceCheckResult(code == "0", code, message_for(code))


async def simulation(token: str) -> dict | None:
    """The simulated flow behind token, while it may still be decided."""
    row = await FaceSimulation.select().where(FaceSimulation.token == token).first()
    if row is None or row["outcome"] != "pending" or row["expires_at"] <= _now():
        return None
    return row


async def decide_simulation(token: str, passed: bool) -> str | None:
    """Record the tester's choice once; returns where the simulated H5 sends the user (with the token)."""
    row = await simulation(token)
    if row is None:
        return None
    await FaceSimulation.update({FaceSimulation.outcome: "passed" if passed else "failed"}).where(
        (FaceSimulation.token == token) & (FaceSimulation.outcome == "pending")
    )
    separator = "&" if "?" in row["redirect_url"] else "?"
    return f"{row['redirect_url']}{separator}token={quote(token)}"


class TencentEidVerifier:
    """Tencent Cloud E证通 through tencentcloud-sdk-python-faceid (a synchronous SDK: run in a thread)."""

    name = "tencent"

    def __init__(self, settings: FaceSettings) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.faceid.v20180301 import faceid_client

        self.merchant_id = settings.merchant_id
        http = HttpProfile(reqTimeout=15)
        if settings.endpoint:
            scheme, _, host = settings.endpoint.rpartition("://")
            http.endpoint = host
            http.scheme = scheme or "https"
        # eID actions take no region (tencent_cloud_apis.md §1.2).
        self.client = faceid_client.FaceidClient(
            credential.Credential(settings.secret_id, settings.secret_key), "", ClientProfile(httpProfile=http)
        )

    async def start(self, request_ref: str, name: str, id_number: str, redirect_url: str) -> FaceCheckStart:
        from tencentcloud.faceid.v20180301 import models

        request = models.GetEidTokenRequest()
        request.from_json_string(
            json.dumps(
                {
                    "MerchantId": self.merchant_id,
                    "Name": name,
                    "IdCard": id_number,
                    # Our own reference, not personal data: echoed back as Text.Extra.
                    "Extra": request_ref,
                    "RedirectUrl": redirect_url,
                    # "4": the name and ID number come from our back end, the user cannot change them.
                    "Config": {"InputType": "4"},
                }
            )
        )
        moment = _now()
        response = await asyncio.to_thread(self.client.GetEidToken, request)
        return FaceCheckStart(token=response.EidToken, url=response.Url, expires_at=moment + TOKEN_LIFETIME)

    async def result(self, token: str) -> FaceCheckResult:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.faceid.v20180301 import models

        request = models.GetEidResultRequest()
        # "1": the text result only, so no face image or ID-card photo ever reaches our servers.
        request.from_json_string(json.dumps({"EidToken": token, "InfoType": "1"}))
        try:
            response = await asyncio.to_thread(self.client.GetEidResult, request)
        except TencentCloudSDKException as error:
            code = _API_ERROR_CODES.get(error.get_code() or "", error.get_code() or "InternalError")
            return FaceCheckResult(False, code, message_for(code, "认证服务暂时不可用，请稍后重试"))
        text = response.Text
        if text is None or text.ErrCode is None:
            return FaceCheckResult(False, NOT_FINISHED, message_for(NOT_FINISHED))
        code = str(text.ErrCode)
        return FaceCheckResult(code == "0", code, message_for(code, text.ErrMsg or ""))


def make_verifier(settings: Settings, public_base: str) -> IdentityVerifier:
    """The backend XQR_FACE_BACKEND names; public_base is where our own pages are reached."""
    if settings.face.backend == "tencent":
        return TencentEidVerifier(settings.face)
    if settings.face.backend == "simulator":
        return SimulatedVerifier(settings, public_base)
    raise VerifierUnavailable(f"XQR_FACE_BACKEND must be simulator or tencent, not {settings.face.backend!r}")
