"""信用记录: the record, data authorizations and their revocation, the PDF export."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from xqr.services import applications, certification, demands
from xqr.services.data_shares import has_active_share
from xqr.services.demo import DEMO_ENTERPRISE_CODE, DEMO_ENTERPRISE_NAME, seed_demo
from xqr.services.errors import NotFound
from xqr.tables.accounts import Consent
from xqr.tables.applications import LoanApplication
from xqr.tables.catalogue import Institution, Product
from xqr.tables.certification import CertificationRequest

from tests.support.account_data import approve_enterprise, stored_document
from tests.support.demand_data import demand_form, enterprise_user, user
from tests.support.web import text_of


async def institution_id(name: str) -> int:
    return (await Institution.select(Institution.id).where(Institution.name == name).first())["id"]


async def taken_and_granted() -> tuple[int, int, int]:
    """demo_qiye certified with a stored 营业执照, a demand taken by 中国工商银行 and granted 200万元.

    Returns (enterprise id, demand id, document id)."""
    await seed_demo()
    request_id = await approve_enterprise()
    poster = await user("demo_qiye")
    demand_id = await demands.post_demand(poster, demand_form(amount="300"))
    bank = await user("demo_gsyh")
    await demands.take_demand(bank, demand_id)
    await demands.record_outcome(bank, demand_id, {"outcome": "granted", "granted_amount": "200"})
    return poster.enterprise_id, demand_id, request_id


async def consent_of(demand_id: int) -> int:
    return (await demands.Demand.select(demands.Demand.consent).where(demands.Demand.id == demand_id).first())["consent"]


async def test_the_record_shows_certification_demands_outcomes_and_authorizations(db, login_as):
    await taken_and_granted()
    client = await login_as("demo_qiye")
    response = await client.get("/my/credit")
    assert response.status_code == 200
    text = text_of(response)
    assert "已通过" in text  # the certification history
    assert "300万元/12个月" in text and "中国工商银行：已授信（200万元）" in text
    assert "获得授信 1 笔" in text and "授信金额 200 万元" in text
    shares = text.split("数据授权", 1)[1]
    assert "融资需求信息共享授权" in shares and "中国工商银行" in shares and "企业认证信息及需求联系方式" in shares
    assert "撤回授权" in shares


async def test_revoking_an_authorization_shuts_the_institution_out(db, login_as, app):
    enterprise_id, demand_id, request_id = await taken_and_granted()
    document_id = await stored_document(app.state.storage, request_id)
    bank = await user("demo_gsyh")
    icbc = await institution_id("中国工商银行")
    assert await has_active_share(enterprise_id, icbc)
    assert (await demands.demand_for_institution(bank, demand_id))["enterprise_facts"]["企业名称"] == DEMO_ENTERPRISE_NAME
    await certification.document_for(bank, document_id)  # allowed while authorized

    client = await login_as("demo_qiye")
    consent_id = await consent_of(demand_id)
    response = await client.post(f"/my/credit/shares/{consent_id}/revoke", follow_redirects=False)
    assert response.status_code == 303

    assert (await Consent.select(Consent.revoked_at).where(Consent.id == consent_id).first())["revoked_at"] is not None
    assert not await has_active_share(enterprise_id, icbc)
    assert (await demands.demand_for_institution(bank, demand_id))["enterprise_facts"] is None
    with pytest.raises(NotFound):
        await certification.document_for(bank, document_id)
    page = text_of(await client.get("/my/credit"))
    assert "已撤回" in page.split("数据授权", 1)[1]
    again = await client.post(f"/my/credit/shares/{consent_id}/revoke")
    assert again.status_code == 409


async def test_an_institution_without_an_authorization_has_no_share(db):
    enterprise_id, _, _ = await taken_and_granted()
    assert not await has_active_share(enterprise_id, await institution_id("长沙银行"))
    assert not await has_active_share(enterprise_id, None)


async def test_another_live_authorization_keeps_the_share(db, login_as):
    enterprise_id, first, _ = await taken_and_granted()
    poster, bank = await user("demo_qiye"), await user("demo_gsyh")
    second = await demands.post_demand(poster, demand_form(amount="80"))
    await demands.take_demand(bank, second)
    client = await login_as("demo_qiye")
    await client.post(f"/my/credit/shares/{await consent_of(first)}/revoke")
    assert await has_active_share(enterprise_id, await institution_id("中国工商银行"))
    await client.post(f"/my/credit/shares/{await consent_of(second)}/revoke")
    assert not await has_active_share(enterprise_id, await institution_id("中国工商银行"))


async def test_another_enterprise_cannot_revoke_or_see_an_authorization(db, login_as):
    _, demand_id, _ = await taken_and_granted()
    await enterprise_user("other_qiye", "湘潭另一家科技有限公司", "430302", 9)
    consent_id = await consent_of(demand_id)
    other = await login_as("other_qiye")
    response = await other.post(f"/my/credit/shares/{consent_id}/revoke")
    assert response.status_code == 404
    assert (await Consent.select(Consent.revoked_at).where(Consent.id == consent_id).first())["revoked_at"] is None
    text = text_of(await other.get("/my/credit"))
    assert "中国工商银行" not in text and "300万元" not in text and "暂无数据授权" in text
    assert (await other.post("/my/credit/shares/999999/revoke")).status_code == 404


@pytest.mark.parametrize("username", ["demo_shenhe", "demo_gsyh", "demo_admin"])
async def test_staff_cannot_open_or_change_an_enterprise_record(db, login_as, username):
    _, demand_id, _ = await taken_and_granted()
    client = await login_as(username)
    assert (await client.get("/my/credit")).status_code == 403
    assert (await client.get("/my/credit/export.pdf")).status_code == 403
    assert (await client.post(f"/my/credit/shares/{await consent_of(demand_id)}/revoke")).status_code == 403
    assert (await Consent.select(Consent.revoked_at).where(Consent.id == await consent_of(demand_id)).first())["revoked_at"] is None


async def test_the_export_is_a_dated_pdf_with_the_enterprise_and_its_record(db, login_as):
    await taken_and_granted()
    client = await login_as("demo_qiye")
    response = await client.get("/my/credit/export.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())
    assert DEMO_ENTERPRISE_NAME in compact
    assert DEMO_ENTERPRISE_CODE in compact
    assert "企业信用记录报告" in compact
    assert f"{demands.today():%Y年%m月%d日}" in compact
    assert "中国工商银行" in compact and "已授信" in compact
    assert "软件和信息技术服务业" in compact  # the certified facts


async def test_an_uncertified_enterprise_gets_an_empty_record(db, login_as):
    await seed_demo()
    await enterprise_user("new_qiye", "株洲新注册科技有限公司", "430202", 11, certified=False)
    client = await login_as("new_qiye")
    text = text_of(await client.get("/my/credit"))
    assert "暂无认证记录" in text and "暂无融资申请" in text and "暂无融资需求" in text and "暂无数据授权" in text
    pdf = await client.get("/my/credit/export.pdf")
    compact = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "株洲新注册科技有限公司" in compact and "企业尚未通过认证" in compact and str(date.today().year) in compact


# ---------------------------------------------------------------- applications


async def applied_and_disbursed() -> tuple[int, int, int]:
    """demo_qiye applied to a 中国工商银行 product, which disbursed 1万元. Returns (enterprise, application, consent)."""
    await seed_demo()
    await approve_enterprise()
    poster, bank = await user("demo_qiye"), await user("demo_gsyh")
    product = await Product.select(*Product.all_columns()).where(Product.institution.name == "中国工商银行").order_by(Product.id).first()
    form = {"amount": "1", "term_months": str(product["min_term_months"]), "purpose": "采购原材料", "contact_name": "王经理", "contact_phone": "13812345678", "consent": "yes"}
    applied = await applications.apply(poster, product["id"], form, response_days=3)
    await applications.accept(bank, applied.id)
    await applications.approve(bank, applied.id, {"approved_amount": "1", "approved_rate": "3.5", "approved_term_months": "6"})
    await applications.disburse(bank, applied.id, {"disbursed_amount": "1", "disbursed_on": demands.today().isoformat()})
    row = await LoanApplication.select(LoanApplication.consent).where(LoanApplication.id == applied.id).first()
    return poster.enterprise_id, applied.id, row["consent"]


async def test_applications_and_disbursed_loans_are_in_the_record_and_the_report(db, login_as):
    await applied_and_disbursed()
    client = await login_as("demo_qiye")
    text = text_of(await client.get("/my/credit"))
    assert "已放款 1 笔" in text and "放款金额 1 万元" in text
    assert "已放款 1万元" in text and "经营快贷" in text
    shares = text.split("数据授权", 1)[1]
    assert "融资申请信息共享授权" in shares and "企业认证信息及认证资料" in shares
    pdf = await client.get("/my/credit/export.pdf")
    compact = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "已放款1笔" in compact and "经营快贷" in compact


async def test_revoking_an_application_authorization_hides_the_facts_and_documents(db, login_as, app):
    enterprise_id, application_id, consent_id = await applied_and_disbursed()
    request_id = (await CertificationRequest.select(CertificationRequest.id).first())["id"]
    document_id = await stored_document(app.state.storage, request_id)
    bank = await user("demo_gsyh")
    icbc = await institution_id("中国工商银行")
    assert await has_active_share(enterprise_id, icbc)
    assert (await applications.for_staff(bank, application_id))["consented"]
    client = await login_as("demo_qiye")
    assert (await client.post(f"/my/credit/shares/{consent_id}/revoke", follow_redirects=False)).status_code == 303
    assert not await has_active_share(enterprise_id, icbc)
    assert not (await applications.for_staff(bank, application_id))["consented"]
    with pytest.raises(NotFound):
        await certification.document_for(bank, document_id)
