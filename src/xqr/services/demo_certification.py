"""Demo data: the demo enterprise certified, with an approved request and two small generated documents."""

from __future__ import annotations

import io
from datetime import date, datetime, timezone
from decimal import Decimal

from PIL import Image, ImageDraw

from xqr.db import write_transaction
from xqr.services.identity_codes import mask_resident_id
from xqr.services.letter import authorization_letter_pdf
from xqr.services.sealing import seal
from xqr.services.certification import document_row
from xqr.services.uploads import BytesSource, StoredUpload, store_upload
from xqr.settings import get_settings
from xqr.storage import Storage, make_storage
from xqr.tables.accounts import Consent, Enterprise, User
from xqr.tables.certification import CertificationRequest

#: GB 11643's own example number: valid, and nobody's
DEMO_LEGAL_ID = "11010519491231002X"


def _license_png(name: str, code: str) -> bytes:
    image = Image.new("RGB", (640, 440), "#fdf6e3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 627, 427), outline="#b22222", width=6)
    # Pillow's built-in font has no Chinese glyphs: the sample says what it is in ASCII.
    draw.text((40, 60), "SAMPLE BUSINESS LICENSE (demo data)", fill="#b22222")
    draw.text((40, 120), f"USCC: {code}", fill="#333333")
    draw.text((40, 160), "Enterprise: xqr demo enterprise", fill="#333333")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def seed_certified_demo_enterprise(storage: Storage | None = None) -> None:
    """Idempotent: nothing happens once the demo enterprise has an approved request."""
    from xqr.services.demo import DEMO_ENTERPRISE_CODE

    enterprise = await Enterprise.select().where(Enterprise.credit_code == DEMO_ENTERPRISE_CODE).first()
    if enterprise is None:
        return
    if await CertificationRequest.exists().where(
        (CertificationRequest.enterprise == enterprise["id"]) & (CertificationRequest.status == "approved")
    ):
        return
    applicant = await User.select(User.id).where(User.username_key == "demo_qiye").first()
    reviewer = await User.select(User.id).where(User.username_key == "demo_shenhe").first()
    if applicant is None:
        return
    storage = storage or make_storage(get_settings().storage)
    limit = get_settings().upload_max_bytes
    stored: list[tuple[str, StoredUpload]] = [
        ("business_license", await store_upload(storage, BytesSource("营业执照（示例）.png", _license_png(enterprise["name"], enterprise["credit_code"])), max_bytes=limit, prefix="certification")),
        ("authorization_letter", await store_upload(storage, BytesSource("企业授权书（示例）.pdf", authorization_letter_pdf(enterprise["name"], enterprise["credit_code"])), max_bytes=limit, prefix="certification")),
    ]
    moment = datetime.now(timezone.utc)
    async with write_transaction():
        consent = Consent(user=applicant["id"], document="authorization_letter", version="2026-11", subject="demo", ip="127.0.0.1", created_at=moment)
        await consent.save()
        request = CertificationRequest(
            enterprise=enterprise["id"],
            applicant=applicant["id"],
            status="approved",
            credit_code=enterprise["credit_code"],
            enterprise_name=enterprise["name"],
            reg_status="存续",
            division_code="430104",
            address=enterprise["address"],
            enterprise_type="有限责任公司（自然人投资或控股）",
            established_on=date(2018, 6, 1),
            registered_capital=Decimal("500"),
            authority="长沙市岳麓区市场监督管理局",
            industry_code="65",
            legal_representative="张三",
            business_scope="软件开发；信息技术咨询服务；数据处理和存储支持服务。",
            registry_fields=[],
            legal_id_sealed=seal(DEMO_LEGAL_ID),
            legal_id_masked=mask_resident_id(DEMO_LEGAL_ID),
            legal_phone="13800000001",
            contact_name="李四",
            contact_phone="13800000001",
            contact_title="财务经理",
            contact_email="demo_qiye@example.com",
            consent=consent.id,
            reviewer=reviewer["id"] if reviewer else None,
            created_at=moment,
            updated_at=moment,
            submitted_at=moment,
            claimed_at=moment,
            decided_at=moment,
        )
        await request.save()
        for kind, upload in stored:
            await document_row(request.id, kind, upload).save()
        await Enterprise.update({Enterprise.cert_status: "certified"}).where(Enterprise.id == enterprise["id"])
