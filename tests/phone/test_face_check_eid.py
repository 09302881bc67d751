"""快速人脸认证 with the E证通 backend, against a local endpoint standing in for the Tencent Cloud API."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from tests.phone.stand_ins import enterprise_user
from tests.phone.tencent_stand_in import TencentStandIn
from tests.support.web import text_of
from xqr.settings import FaceSettings
from xqr.tables.accounts import Consent
from xqr.tables.face_checks import FaceCheck

EID_URL = TencentStandIn.start_url


@pytest.fixture
def tencent(monkeypatch) -> Iterator[TencentStandIn]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    stand_in = TencentStandIn()
    server = stand_in.serve()
    yield stand_in
    server.shutdown()


@pytest.fixture
def settings(settings, tencent):
    face = FaceSettings(
        backend="tencent", secret_id="AKIDtest", secret_key="secrettest", merchant_id="MERCHANT-1",
        endpoint=f"http://127.0.0.1:{tencent.port}",
    )
    return dataclasses.replace(settings, face=face)


@pytest.fixture
async def owner(login_as, requests_on_file):
    enterprise_id, _ = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    subject = requests_on_file.file(enterprise_id, name="李法人", id_number="43010219800101123X")
    return await login_as("qiye_a"), subject


def eid_result(code: int, message: str = "") -> dict:
    return {"Text": {"ErrCode": code, "ErrMsg": message, "Extra": "", "Sim": "88.00"}}


async def start(client, request_id: int) -> str:
    response = await client.post(f"/face-check/requests/{request_id}/authorize", {"agree": "yes"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


async def started(owner, tencent: TencentStandIn, result: dict) -> tuple:
    """A check of the owner's request started at the stand-in, which will answer GetEidResult with result."""
    client, subject = owner
    tencent.tokens.append("EIDTOKEN-1")
    tencent.replies["GetEidResult"] = result
    return client, subject, await start(client, subject.request_id)


async def check_row(ref: str) -> dict:
    return await FaceCheck.select().where(FaceCheck.ref == ref).first()


async def come_back(client, ref: str, token: str):
    return await client.get(f"/face-check/return/{ref}?token={token}", follow_redirects=False)


async def test_starting_asks_for_a_token_bound_to_the_legal_representative(owner, tencent):
    client, subject = owner
    tencent.tokens.append("EIDTOKEN-1")
    ref = await start(client, subject.request_id)

    [call] = tencent.calls_of("GetEidToken")
    assert call.headers["X-TC-Version"] == "2018-03-01"
    assert "X-TC-Region" not in call.headers
    assert call.body["MerchantId"] == "MERCHANT-1"
    assert (call.body["Name"], call.body["IdCard"]) == (subject.name, subject.id_number)
    assert call.body["Config"] == {"InputType": "4"}
    assert call.body["Extra"] == ref
    assert urlsplit(call.body["RedirectUrl"]).path == f"/face-check/return/{ref}"

    check = await check_row(ref)
    assert (check["token"], check["status"], check["request_id"], check["start_url"]) == ("EIDTOKEN-1", "started", subject.request_id, EID_URL)
    consent = await Consent.select().where(Consent.document == "face_authorization").first()
    assert consent["subject"] == f"certification:{subject.request_id}"

    page = await client.get(f"/face-check/checks/{ref}")
    assert "<svg" in page.text and "请法人代表使用手机微信扫描二维码" in text_of(page)


async def test_the_check_page_links_to_the_one_time_eid_page(owner, tencent):
    client, subject = owner
    tencent.tokens.append("EIDTOKEN-1")
    ref = await start(client, subject.request_id)
    page = await client.get(f"/face-check/checks/{ref}")
    assert f'href="{EID_URL}"' in page.text.replace("&amp;", "&") and "开始人脸认证" in text_of(page)


async def test_a_success_for_this_checks_token_is_fetched_and_recorded(owner, tencent, requests_on_file):
    client, subject, ref = await started(owner, tencent, eid_result(0, "成功"))

    response = await come_back(client, ref, "EIDTOKEN-1")
    assert response.status_code == 200
    assert "人脸认证通过" in text_of(response)
    [call] = tencent.calls_of("GetEidResult")
    assert call.body == {"EidToken": "EIDTOKEN-1", "InfoType": "1"}
    check = await check_row(ref)
    assert check["status"] == "passed" and check["used"] and check["result_code"] == "0"
    assert requests_on_file.recorded[subject.request_id][0] == "passed"

    status = await client.get(f"/face-check/checks/{ref}/status", htmx=True)
    assert "认证通过" in status.text and "hx-trigger" not in status.text


async def test_a_replayed_return_is_refused(owner, tencent):
    client, subject, ref = await started(owner, tencent, eid_result(0))
    assert (await come_back(client, ref, "EIDTOKEN-1")).status_code == 200

    replay = await come_back(client, ref, "EIDTOKEN-1")
    assert replay.status_code == 409
    assert "请勿重复提交" in text_of(replay)
    assert len(tencent.calls_of("GetEidResult")) == 1


async def test_a_failure_code_is_recorded_and_shown_in_chinese(owner, tencent, requests_on_file):
    client, subject, ref = await started(owner, tencent, eid_result(2016, "比对相似度未达到通过标准"))

    response = await come_back(client, ref, "EIDTOKEN-1")
    assert response.status_code == 409
    assert "人脸认证未通过" in text_of(response) and "不是法人代表本人" in text_of(response)
    check = await check_row(ref)
    assert (check["status"], check["result_code"]) == ("failed", "2016")
    assert requests_on_file.recorded[subject.request_id][0] == "failed"


async def test_an_expired_check_is_refused_without_asking_for_a_result(owner, tencent, requests_on_file):
    client, subject, ref = await started(owner, tencent, eid_result(0))
    await FaceCheck.update({FaceCheck.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)}).where(FaceCheck.ref == ref)

    response = await come_back(client, ref, "EIDTOKEN-1")
    assert response.status_code == 409 and "认证已过期" in text_of(response)
    assert tencent.calls_of("GetEidResult") == []
    assert (await check_row(ref))["status"] == "expired"
    assert subject.request_id not in requests_on_file.recorded


async def test_a_token_the_provider_says_expired_marks_the_check_expired(owner, tencent):
    client, subject, ref = await started(owner, tencent, {"Error": {"Code": "InvalidParameterValue.BizTokenExpired", "Message": "expired"}})

    response = await come_back(client, ref, "EIDTOKEN-1")
    assert response.status_code == 409 and "认证已过期" in text_of(response)
    assert (await check_row(ref))["status"] == "expired"


async def test_the_token_of_another_request_is_refused(owner, tencent, requests_on_file):
    client, subject = owner
    other = requests_on_file.file(subject.enterprise_id)
    tencent.tokens += ["EIDTOKEN-1", "EIDTOKEN-2"]
    tencent.replies["GetEidResult"] = eid_result(0)
    first = await start(client, subject.request_id)
    await start(client, other.request_id)

    response = await come_back(client, first, "EIDTOKEN-2")
    assert response.status_code == 409 and "认证凭证与本次认证不符" in text_of(response)
    assert tencent.calls_of("GetEidResult") == []
    assert {row["status"] for row in await FaceCheck.select(FaceCheck.status)} == {"started"}


async def test_a_return_before_the_check_finished_leaves_it_open(owner, tencent):
    client, subject, ref = await started(owner, tencent, {"Text": None})

    response = await come_back(client, ref, "EIDTOKEN-1")
    assert response.status_code == 409 and "认证尚未完成" in text_of(response)
    check = await check_row(ref)
    assert check["status"] == "started" and not check["used"]
    status = await client.get(f"/face-check/checks/{ref}/status", htmx=True)
    assert 'hx-trigger="every 2s"' in status.text
