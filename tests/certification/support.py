"""Data for the certification tests: a registry entry for the demo enterprise, files of each kind."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from PIL import Image

from xqr.services.demo import DEMO_ENTERPRISE_CODE, DEMO_ENTERPRISE_NAME
from xqr.services.letter import authorization_letter_pdf
from xqr.services.registry import RegistryEntry, save_entries
from xqr.services.uploads import BytesSource

VALID_ID = "11010519491231002X"  # GB 11643's own example number
PERSON = {
    "legal_id": VALID_ID,
    "legal_phone": "13912345678",
    "contact_name": "李四",
    "contact_phone": "13698765432",
    "contact_title": "财务经理",
    "contact_email": "lisi@example.com",
}


def demo_entry(**changes) -> RegistryEntry:
    values = dict(
        credit_code=DEMO_ENTERPRISE_CODE,
        name=DEMO_ENTERPRISE_NAME,
        status="存续",
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
    values.update(changes)
    return RegistryEntry(**values)


async def register_demo_enterprise(**changes) -> RegistryEntry:
    entry = demo_entry(**changes)
    await save_entries([entry])
    return entry


def png_bytes(size: tuple[int, int] = (600, 400), color: str = "#3366cc") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return authorization_letter_pdf(DEMO_ENTERPRISE_NAME, DEMO_ENTERPRISE_CODE)


async def submitted_request(storage, *, enterprise_id: int | None = None, user: str = "demo_qiye") -> int:
    """The demo enterprise's request, filled through 企业检索 and submitted; returns its id."""
    from xqr.services import certification
    from xqr.tables.accounts import User

    account = await User.select(User.id, User.enterprise).where(User.username_key == user).first()
    enterprise_id = enterprise_id or account["enterprise"]
    draft = await certification.open_draft(enterprise_id, account["id"])
    await certification.search_registry(enterprise_id, draft.row["credit_code"])
    assert await certification.save_fields(enterprise_id, PERSON) == {}
    await certification.upload_document(storage, enterprise_id, "business_license", BytesSource("执照.png", png_bytes()), max_bytes=10**7)
    await certification.upload_document(storage, enterprise_id, "authorization_letter", BytesSource("授权书.pdf", pdf_bytes()), max_bytes=10**7)
    await certification.submit(enterprise_id, account["id"], consented=True, ip="127.0.0.1", user_agent="test")
    return draft.row["id"]


async def seed_uncertified_demo() -> None:
    """The demo data, with demo_qiye's enterprise back to 未认证 (the seed certifies it for other features)."""
    from xqr.services.demo import seed_demo
    from xqr.tables.accounts import Enterprise
    from xqr.tables.certification import CertificationRequest

    await seed_demo()
    await CertificationRequest.delete(force=True)
    await Enterprise.update({Enterprise.cert_status: "uncertified"}, force=True)
