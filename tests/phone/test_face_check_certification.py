"""The face check on real certification requests: who is checked, where the result goes, the privacy gate."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest

from tests.phone.stand_ins import enterprise_user
from tests.support.web import text_of
from xqr.services.face_subjects import CertificationRequests
from xqr.services.sealing import seal
from xqr.services.users import create_user
from xqr.tables.accounts import Consent
from xqr.tables.certification import CertificationRequest

ID_NUMBER = "11010519491231002X"


async def file_request(enterprise_id: int, user_id: int, status: str = "submitted") -> int:
    moment = datetime.now(timezone.utc)
    row = CertificationRequest(
        enterprise=enterprise_id, applicant=user_id, status=status, enterprise_name="测试企业有限公司",
        legal_representative="张三", legal_id_sealed=seal(ID_NUMBER), legal_id_masked="110***********002X",
        created_at=moment, updated_at=moment, submitted_at=moment if status != "draft" else None,
    )
    await row.save()
    return row.id


@pytest.mark.parametrize(("status", "checked"), [("submitted", True), ("draft", False), ("approved", False), ("refused", False)])
async def test_only_a_submitted_request_awaits_the_face_check(db, status, checked):
    enterprise_id, user_id = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    request_id = await file_request(enterprise_id, user_id, status)
    subject = await CertificationRequests().load(request_id)
    if checked:
        assert (subject.enterprise_id, subject.name, subject.id_number) == (enterprise_id, "张三", ID_NUMBER)
    else:
        assert subject is None


async def test_a_passed_check_is_on_the_request_for_the_reviewer(login_as):
    enterprise_id, user_id = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    request_id = await file_request(enterprise_id, user_id)
    await create_user(username="shenhe", phone="13700000000", password="Passw0rd!2026", role="reviewer")
    owner = await login_as("qiye_a")

    certification = await owner.get("/my/certification")
    link = re.search(r'href="(/face-check/requests/\d+)">快速人脸认证', certification.text)
    assert link and link.group(1) == f"/face-check/requests/{request_id}"
    authorized = await owner.post(f"/face-check/requests/{request_id}/authorize", {"agree": "yes"}, follow_redirects=False)
    check_page = await owner.get(authorized.headers["location"])
    simulator = urlsplit(re.search(r'href="([^"]+)">开始人脸认证', check_page.text).group(1)).path
    back = await owner.post(simulator, {"outcome": "pass"}, follow_redirects=False)
    parts = urlsplit(back.headers["location"])
    assert (await owner.get(f"{parts.path}?{parts.query}")).status_code == 200

    row = await CertificationRequest.select().where(CertificationRequest.id == request_id).first()
    assert row["face_check_status"] == "passed" and row["face_check_at"] is not None
    assert "已通过" in text_of(await owner.get("/my/certification"))
    reviewer = await login_as("shenhe")
    review = text_of(await reviewer.get(f"/review/certifications/{request_id}"))
    assert re.search(r"人脸核验\s*已通过", review)


async def test_another_enterprises_submitted_request_is_refused(login_as):
    enterprise_id, user_id = await enterprise_user("qiye_a", "91430100MA4L0000A1")
    request_id = await file_request(enterprise_id, user_id)
    await enterprise_user("qiye_b", "91430100MA4L0000B2", name="别家企业有限公司")
    intruder = await login_as("qiye_b")
    assert (await intruder.get(f"/face-check/requests/{request_id}")).status_code == 404
    assert (await intruder.post(f"/face-check/requests/{request_id}/authorize", {"agree": "yes"})).status_code == 404


async def test_the_certification_page_waits_for_the_privacy_guide(login_as):
    await enterprise_user("qiye_a", "91430100MA4L0000A1")
    owner = await login_as("qiye_a")
    await Consent.delete(force=True)
    response = await owner.get("/my/certification", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/privacy/consent?next=/my/certification"
