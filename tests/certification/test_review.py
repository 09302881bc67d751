"""The reviewers' side: who may act, claiming, decisions that race, 退回修改 and resubmission, the inbox."""

import asyncio

import pytest

from xqr.services import review
from tests.certification.support import seed_uncertified_demo
from xqr.services.errors import Conflict, Forbidden
from xqr.services.users import create_user, load_current_user
from xqr.storage import LocalStorage
from xqr.tables.accounts import AuditLog, Enterprise, User
from xqr.tables.certification import CertificationItemResult, CertificationRequest
from xqr.tables.messaging import Message, Outbox

from tests.certification.support import png_bytes, register_demo_enterprise, submitted_request
from tests.support.web import text_of


@pytest.fixture
async def storage(tmp_path):
    return LocalStorage(tmp_path / "objects")


@pytest.fixture
async def request_id(db, storage):
    await seed_uncertified_demo()
    await register_demo_enterprise()
    return await submitted_request(storage)


async def reviewer(username: str = "demo_shenhe"):
    row = await User.select(User.id).where(User.username_key == username).first()
    if row is None:
        await create_user(username=username, phone="13800000099", password="Review@2026", role="reviewer")
        row = await User.select(User.id).where(User.username_key == username).first()
    return await load_current_user(row["id"])


async def snapshot(request_id: int) -> tuple:
    return (
        await CertificationRequest.select().where(CertificationRequest.id == request_id).first(),
        await Enterprise.select(Enterprise.cert_status).first(),
        await Message.count(),
        await Outbox.count(),
        await CertificationItemResult.count(),
    )


async def test_an_enterprise_user_cannot_act_as_a_reviewer(request_id, login_as):
    enterprise = await login_as("demo_qiye")
    before = await snapshot(request_id)
    for url in (f"/review/certifications/{request_id}/claim", f"/review/certifications/{request_id}/decide"):
        response = await enterprise.post(url, {"outcome": "approve"}, follow_redirects=False)
        assert response.status_code == 403
    assert (await enterprise.get("/review/certifications")).status_code == 403
    assert await snapshot(request_id) == before


async def test_another_enterprises_file_is_not_found(request_id, login_as, storage):
    from xqr.tables.certification import CertificationDocument

    other = Enterprise(name="长沙另一家有限公司", credit_code="91430100MA4L1KQH6X", created_at=(await Enterprise.select().first())["created_at"])
    await other.save()
    await create_user(username="other_qiye", phone="13800000098", password="Other@2026", role="enterprise", enterprise_id=other.id)
    client = await login_as("other_qiye")
    document = await CertificationDocument.select().first()
    for url in (f"/certification/documents/{document['id']}", f"/certification/documents/{document['id']}/preview", "/certification/documents/99999"):
        assert (await client.get(url)).status_code == 404


async def test_only_the_claimant_decides(request_id):
    first, second = await reviewer(), await reviewer("shenhe_two")
    with pytest.raises(Forbidden):
        await review.decide(first, request_id, "approve", [], "", "127.0.0.1")
    await review.claim(first, request_id, "127.0.0.1")
    with pytest.raises(Conflict):
        await review.claim(second, request_id, "127.0.0.1")
    before = await snapshot(request_id)
    with pytest.raises(Forbidden):
        await review.decide(second, request_id, "approve", [], "", "127.0.0.1")
    assert await snapshot(request_id) == before


async def test_two_reviewers_racing_to_claim_get_one_claim(request_id):
    first, second = await reviewer(), await reviewer("shenhe_two")
    results = await asyncio.gather(
        review.claim(first, request_id, "1.1.1.1"), review.claim(second, request_id, "2.2.2.2"), return_exceptions=True
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    assert await AuditLog.count().where(AuditLog.action == "certification.claim") == 1


async def test_racing_decisions_produce_one_decision(request_id):
    first = await reviewer()
    await review.claim(first, request_id, "127.0.0.1")
    results = await asyncio.gather(
        review.decide(first, request_id, "approve", [], "", "127.0.0.1"),
        review.decide(first, request_id, "refuse", [], "资料疑似伪造", "127.0.0.1"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert await Message.count() == 1
    assert await Outbox.count().where(Outbox.channel == "mail") == 1
    assert await AuditLog.count().where(AuditLog.action.like("certification.%")) == 2  # the claim and one decision


async def test_a_decision_on_a_decided_request_is_a_conflict_and_changes_nothing(request_id, login_as):
    first = await reviewer()
    await review.claim(first, request_id, "127.0.0.1")
    await review.decide(first, request_id, "approve", [], "", "127.0.0.1")
    before = await snapshot(request_id)
    client = await login_as("demo_shenhe")
    response = await client.post(f"/review/certifications/{request_id}/decide", {"outcome": "refuse", "decision_reason": "再想想"}, follow_redirects=False)
    assert response.status_code == 409
    assert "已处理" in text_of(response)
    assert await snapshot(request_id) == before


@pytest.mark.parametrize(
    "outcome, form, words",
    [
        ("return", {}, "至少标出一项"),
        ("refuse", {}, "不予通过时请填写原因"),
        ("approve", {"reason_business_license": "图片模糊"}, "不能通过"),
        ("return", {"reason_business_license": "其他"}, "请填写说明"),
        ("return", {"reason_business_license": "看不顺眼"}, "请从列表中选择"),
        ("", {}, "请选择审核结果"),
    ],
)
async def test_a_bad_decision_is_refused_with_its_reason_and_changes_nothing(request_id, login_as, outcome, form, words):
    first = await reviewer()
    await review.claim(first, request_id, "127.0.0.1")
    before = await snapshot(request_id)
    client = await login_as("demo_shenhe")
    response = await client.post(f"/review/certifications/{request_id}/decide", {"outcome": outcome, **form}, follow_redirects=False)
    assert response.status_code == 422
    assert words in text_of(response)
    assert await snapshot(request_id) == before


async def test_returned_then_resubmitted_then_approved(request_id, storage, login_as):
    first = await reviewer()
    await review.claim(first, request_id, "127.0.0.1")
    await review.decide(first, request_id, "return", [review.Finding("business_license", "图片模糊", "请重新拍摄")], "", "127.0.0.1")
    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "rejected"
    mail = await Outbox.select().where(Outbox.channel == "mail").first()
    assert "图片模糊" in mail["body_text"] and mail["recipient"] == "lisi@example.com"

    enterprise = await login_as("demo_qiye")
    inbox = await enterprise.get("/my/messages")
    assert "企业认证被退回修改" in text_of(inbox)
    message = await Message.select().first()
    opened = await enterprise.get(f"/my/messages/{message['id']}")
    assert "营业执照：图片模糊（请重新拍摄）" in text_of(opened)
    assert (await Message.select(Message.is_read).first())["is_read"] is True

    page = await enterprise.get("/my/certification")
    assert "退回原因：图片模糊（请重新拍摄）" in text_of(page)
    drafts = await CertificationRequest.select().where(CertificationRequest.status == "draft")
    assert len(drafts) == 1 and drafts[0]["previous_id"] == request_id and drafts[0]["contact_email"] == "lisi@example.com"
    response = await enterprise.post(
        "/my/certification/documents/business_license", files={"file": ("清晰.png", png_bytes(color="#00aa00"), "image/png")}, htmx=True
    )
    assert response.status_code == 200
    response = await enterprise.post("/my/certification/submit", {"consent": "yes"}, follow_redirects=False)
    assert response.status_code == 303, text_of(response)

    second_id = drafts[0]["id"]
    await review.claim(first, second_id, "127.0.0.1")
    review_page = await (await login_as("demo_shenhe")).get(f"/review/certifications/{second_id}")
    assert "退回修改" in text_of(review_page)  # the history shows the first request
    await review.decide(first, second_id, "approve", [], "", "127.0.0.1")
    statuses = [r["status"] for r in await CertificationRequest.select(CertificationRequest.status).order_by(CertificationRequest.id)]
    assert statuses == ["returned", "approved"]
    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "certified"


async def test_the_queue_filters_and_searches(request_id, login_as):
    client = await login_as("demo_shenhe")
    assert "湖南湘企示范科技有限公司" in text_of(await client.get("/review/certifications?status=submitted&q=湘企示范"))
    assert "湖南湘企示范科技有限公司" in text_of(await client.get("/review/certifications?q=914301"))
    assert "湖南湘企示范科技有限公司" not in text_of(await client.get("/review/certifications?q=不存在的企业"))
    assert "湖南湘企示范科技有限公司" not in text_of(await client.get("/review/certifications?status=approved"))


async def test_someone_elses_message_is_not_found(request_id, login_as):
    first = await reviewer()
    await review.claim(first, request_id, "127.0.0.1")
    await review.decide(first, request_id, "approve", [], "", "127.0.0.1")
    message = await Message.select().first()
    client = await login_as("demo_shenhe")
    assert (await client.get(f"/my/messages/{message['id']}")).status_code == 404
    assert (await Message.select(Message.is_read).first())["is_read"] is False
