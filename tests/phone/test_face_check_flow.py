"""快速人脸认证 with the simulator: the pages, who may start a check, and the simulator refused in production."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

import pytest

from tests.phone.stand_ins import enterprise_user
from tests.support.web import text_of
from xqr.app import ProductionSettingsRefused, create_app
from xqr.controllers.face_check import routes_for
from xqr.gateways.identity import SimulatedVerifier, VerifierUnavailable, make_verifier
from xqr.tables.accounts import Consent
from xqr.settings import load_settings
from xqr.tables.face_checks import FaceCheck



def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
async def owner(login_as, requests_on_file):
    enterprise_id, _ = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    return await login_as("qiye_a"), requests_on_file.file(enterprise_id, name="李法人")


async def walk_to_simulator(client, request_id: int) -> str:
    intro = await client.get(f"/face-check/requests/{request_id}")
    assert "开始认证" in text_of(intro) and "李**" in text_of(intro)
    authorize = await client.get(f"/face-check/requests/{request_id}/authorize")
    assert "阅读并同意" in text_of(authorize) and "确认授权" in text_of(authorize)
    response = await client.post(f"/face-check/requests/{request_id}/authorize", {"agree": "yes"}, follow_redirects=False)
    assert response.status_code == 303
    check_page = await client.get(response.headers["location"])
    link = re.search(r'<a class="button primary block" href="([^"]+)">开始人脸认证</a>', check_page.text)
    return path_of(link.group(1))


async def test_the_simulated_check_walks_to_a_recorded_pass(owner, requests_on_file):
    client, subject = owner
    simulator = await walk_to_simulator(client, subject.request_id)
    assert simulator.startswith("/face-check/simulator/")

    page = await client.get(simulator)
    assert "模拟人脸认证（仅用于开发测试）" in text_of(page)
    back = await client.post(simulator, {"outcome": "pass"}, follow_redirects=False)
    assert back.status_code == 303
    result = await client.get(path_of(back.headers["location"]))
    assert result.status_code == 200 and "人脸认证通过" in text_of(result)
    assert requests_on_file.recorded[subject.request_id][0] == "passed"

    used = await client.get(simulator)
    assert used.status_code == 404 and "认证链接已失效" in text_of(used)


async def test_the_simulated_check_can_fail(owner, requests_on_file):
    client, subject = owner
    simulator = await walk_to_simulator(client, subject.request_id)
    back = await client.post(simulator, {"outcome": "fail"}, follow_redirects=False)
    result = await client.get(path_of(back.headers["location"]))
    assert result.status_code == 409 and "人脸认证未通过" in text_of(result)
    assert (await FaceCheck.select(FaceCheck.status).first())["status"] == "failed"
    assert requests_on_file.recorded[subject.request_id][0] == "failed"


async def test_authorizing_without_the_checkbox_is_refused_and_nothing_starts(owner):
    client, subject = owner
    response = await client.post(f"/face-check/requests/{subject.request_id}/authorize", {}, follow_redirects=False)
    assert response.status_code == 422
    assert "请先阅读并同意《人脸识别授权书》" in text_of(response)
    assert await FaceCheck.count() == 0
    assert not await Consent.exists().where(Consent.document == "face_authorization")


async def test_a_face_check_for_another_enterprises_request_is_refused(login_as, requests_on_file):
    owner_id, _ = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    await enterprise_user("qiye_b", "91430100MA4L0000B2", name="别家企业有限公司")
    foreign = requests_on_file.file(owner_id)
    intruder = await login_as("qiye_b")

    for path in (f"/face-check/requests/{foreign.request_id}", f"/face-check/requests/{foreign.request_id}/authorize"):
        assert (await intruder.get(path)).status_code == 404
    response = await intruder.post(f"/face-check/requests/{foreign.request_id}/authorize", {"agree": "yes"}, follow_redirects=False)
    assert response.status_code == 404
    assert await FaceCheck.count() == 0


async def test_another_enterprises_check_is_not_shown(login_as, requests_on_file):
    from xqr.services.face_check import start_face_check

    owner_id, owner_user = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    intruder_enterprise, _ = await enterprise_user("qiye_b", "91430100MA4L0000B2", name="别家企业有限公司")
    check = await start_face_check(
        request_id=requests_on_file.file(owner_id).request_id, user_id=owner_user, enterprise_id=owner_id,
        verifier=SimulatedVerifier(load_settings(), "http://127.0.0.1:8000"),
        return_url_base="http://127.0.0.1:8000/face-check/return", ip="127.0.0.1", user_agent="test",
    )
    intruder = await login_as("qiye_b")
    for path in (f"/face-check/checks/{check['ref']}", f"/face-check/checks/{check['ref']}/status"):
        assert (await intruder.get(path)).status_code == 404


async def test_a_reviewer_may_not_start_a_face_check(login_as, requests_on_file):
    from xqr.services.users import create_user

    enterprise_id, _ = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    subject = requests_on_file.file(enterprise_id)
    await create_user(username="shenhe", phone="13700000000", password="Passw0rd!2026", role="reviewer")
    reviewer = await login_as("shenhe")
    assert (await reviewer.get(f"/face-check/requests/{subject.request_id}", follow_redirects=False)).status_code == 403


async def test_the_pc_page_polls_until_the_check_finishes(owner):
    client, subject = owner
    response = await client.post(f"/face-check/requests/{subject.request_id}/authorize", {"agree": "yes"}, follow_redirects=False)
    check_page = response.headers["location"]
    assert check_page.startswith("/face-check/checks/")
    page = await client.get(check_page)
    assert "<svg" in page.text and "qr-code" in page.text
    status = await client.get(f"{check_page}/status", htmx=True)
    assert 'hx-trigger="every 2s"' in status.text and "认证中" in text_of(status)


def test_the_simulator_is_refused_in_production(settings):
    prod = dataclasses.replace(settings, env="prod")
    with pytest.raises(VerifierUnavailable):
        SimulatedVerifier(prod, "https://xqr.example")
    with pytest.raises(VerifierUnavailable):
        make_verifier(prod, "https://xqr.example")
    assert not any(handler.handler_name.startswith("face_simulator") for handler in routes_for(prod))
    assert any("模拟人脸认证" in problem for problem in prod.prod_problems())
    with pytest.raises(ProductionSettingsRefused, match="模拟人脸认证"):
        create_app(prod)
