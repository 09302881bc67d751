"""Set-up shared by the account tests and their browser tests: a certified enterprise with facts and a file."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import Decimal

from xqr.tables.accounts import Enterprise, User
from xqr.tables.certification import CertificationDocument, CertificationRequest
from xqr.tables.messaging import Outbox

FACTS = dict(
    division_code="430104",
    address="湖南省长沙市岳麓区麓谷大道 658 号",
    enterprise_type="有限责任公司（自然人投资或控股）",
    established_on=date(2018, 6, 1),
    registered_capital=Decimal("500"),
    authority="长沙市岳麓区市场监督管理局",
    industry_code="65",
    legal_representative="张三",
    business_scope="软件开发；信息技术咨询服务。",
)
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def approve_enterprise(username: str = "demo_qiye", **changes) -> int:
    """An approved certification request for the user's enterprise (as a reviewer's approval leaves it); its id."""
    user = await User.select(User.id, User.enterprise).where(User.username_key == username).first()
    enterprise = await Enterprise.select().where(Enterprise.id == user["enterprise"]).first()
    moment = _now()
    request = CertificationRequest(
        enterprise=enterprise["id"],
        applicant=user["id"],
        status="approved",
        credit_code=enterprise["credit_code"],
        enterprise_name=enterprise["name"],
        reg_status="存续",
        created_at=moment,
        updated_at=moment,
        submitted_at=moment,
        decided_at=moment,
        **{**FACTS, **changes},
    )
    await request.save()
    await Enterprise.update({Enterprise.cert_status: "certified"}).where(Enterprise.id == enterprise["id"])
    return request.id


async def stored_document(storage, request_id: int) -> int:
    """A 营业执照 image of the request, in storage; the document's id."""

    async def chunks():
        yield PNG_1PX

    key = storage.new_key("certification")
    await storage.put(key, chunks(), content_type="image/png", length=len(PNG_1PX))
    row = CertificationDocument(
        request=request_id, kind="business_license", storage_key=key, original_name="执照.png", content_type="image/png", size=len(PNG_1PX), created_at=_now()
    )
    await row.save()
    return row.id


async def last_code(phone: str) -> str:
    """The code in the latest SMS queued to the phone."""
    row = await Outbox.select(Outbox.body_text).where((Outbox.channel == "sms") & (Outbox.recipient == phone)).order_by(Outbox.id, ascending=False).first()
    return re.search(r"验证码为(\d{6})", row["body_text"]).group(1)


