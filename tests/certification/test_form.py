"""The certification form: each wrong value refused beside its field, nothing of it saved; the draft survives."""

import pytest

from xqr.services.demo import DEMO_ENTERPRISE_CODE
from tests.certification.support import seed_uncertified_demo
from xqr.services.identity_codes import credit_code_check_character
from xqr.tables.accounts import Enterprise
from xqr.tables.certification import CertificationRequest

from tests.certification.support import PERSON, VALID_ID, register_demo_enterprise
from tests.support.web import text_of

HAND_TYPED = {
    "reg_status": "存续",
    "division_code": "430104",
    "address": "长沙市岳麓区麓谷大道 1 号",
    "enterprise_type": "有限责任公司（自然人独资）",
    "established_on": "2019-03-08",
    "registered_capital": "120.5",
    "authority": "长沙市岳麓区市场监督管理局",
    "industry_code": "65",
    "legal_representative": "王五",
    "business_scope": "软件开发",
}

WRONG = {
    "reg_status": ("营业中啦", "登记状态"),
    "division_code": ("430100", "注册区域"),
    "enterprise_type": ("皮包公司", "企业类型"),
    "established_on": ("2099-01-01", "成立日期"),
    "registered_capital": ("三百万", "注册资本"),
    "industry_code": ("ZZ", "行业分类"),
    "address": ("长" * 301, "注册地址"),
    "legal_id": ("110105194912310021", "身份证号"),
    "legal_phone": ("1234567", "手机号码"),
    "contact_phone": ("2345678901", "手机号码"),
    "contact_email": ("lisi@", "邮箱"),
    "contact_name": ("名" * 41, "联系人"),
}


@pytest.fixture
async def enterprise(db, login_as):
    await seed_uncertified_demo()
    client = await login_as("demo_qiye")
    assert (await client.get("/my/certification")).status_code == 200
    return client


async def draft() -> dict:
    return await CertificationRequest.select().where(CertificationRequest.status == "draft").first()


@pytest.mark.parametrize("name", list(WRONG))
async def test_each_wrong_value_is_refused_beside_its_field_and_not_saved(enterprise, name):
    await enterprise.post("/my/certification/search", {"credit_code": DEMO_ENTERPRISE_CODE}, htmx=True)  # not in the registry
    good = {**HAND_TYPED, **PERSON}
    await enterprise.post("/my/certification/save", good, follow_redirects=False)
    before = await draft()
    value, words = WRONG[name]
    response = await enterprise.post("/my/certification/save", {**good, name: value}, headers={"HX-Trigger-Name": name}, htmx=True)
    assert response.status_code == 422
    assert f'id="field-{name}"' in response.text and 'class="error"' in response.text
    assert words in text_of(response) or name in {"address", "contact_name"}
    after = await draft()
    assert after == {**before, "updated_at": after["updated_at"]}


async def test_without_javascript_a_wrong_value_rerenders_the_page_keeping_what_was_typed(enterprise):
    response = await enterprise.post("/my/certification/save", {"contact_name": "赵六", "contact_email": "not-mail"}, follow_redirects=False)
    assert response.status_code == 422
    assert 'value="not-mail"' in response.text and "请输入正确的邮箱地址" in response.text
    # The valid field of the same post is kept in the draft: the form saves as the user goes.
    assert (await draft())["contact_name"] == "赵六"


async def test_a_reload_keeps_the_draft(enterprise):
    await enterprise.post("/my/certification/save", {"contact_name": "赵六", "legal_id": VALID_ID}, follow_redirects=False)
    page = await enterprise.get("/my/certification")
    assert 'value="赵六"' in page.text
    assert "110***********002X" in page.text
    assert await CertificationRequest.count() == 1


async def test_registry_facts_are_not_the_users_to_change(enterprise):
    await register_demo_enterprise()
    await enterprise.post("/my/certification/search", {"credit_code": DEMO_ENTERPRISE_CODE}, htmx=True)
    await enterprise.post("/my/certification/save", {"legal_representative": "冒名者", "address": "别处"}, follow_redirects=False)
    row = await draft()
    assert row["legal_representative"] == "张三"


async def test_a_code_not_in_the_registry_asks_for_the_facts_by_hand(enterprise):
    response = await enterprise.post("/my/certification/search", {"credit_code": DEMO_ENTERPRISE_CODE}, htmx=True)
    assert "未找到" in text_of(response)
    assert 'name="legal_representative"' in response.text
    assert (await draft())["registry_matched"] is False


@pytest.mark.parametrize("code, words", [("91430104MA4T7K2C4X", "校验位"), ("123", "18位"), ("91430100MA4L1KQH6" + credit_code_check_character("91430100MA4L1KQH6"), "不一致")])
async def test_a_wrong_credit_code_is_refused(enterprise, code, words):
    response = await enterprise.post("/my/certification/search", {"credit_code": code}, htmx=True)
    assert response.status_code == 422 and words in text_of(response)
    assert (await draft())["registry_matched"] is False


async def test_submitting_an_incomplete_form_names_what_is_missing_and_changes_nothing(enterprise):
    response = await enterprise.post("/my/certification/submit", {"contact_name": "赵六"}, follow_redirects=False)
    assert response.status_code == 422
    text = text_of(response)
    for words in ("请上传营业执照", "请上传企业授权书", "请阅读并同意《企业授权委托书》", "请输入法人代表身份证号"):
        assert words in text
    assert (await draft())["status"] == "draft"
    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "uncertified"


async def test_the_id_number_is_not_stored_in_clear(enterprise):
    await enterprise.post("/my/certification/save", {"legal_id": VALID_ID}, follow_redirects=False)
    raw = await CertificationRequest.raw("SELECT * FROM certification_request")
    assert VALID_ID not in repr(raw) and VALID_ID.lower() not in repr(raw).lower()
    assert raw[0]["legal_id_masked"] == "110***********002X"


async def test_the_letter_carries_the_enterprise(enterprise):
    from io import BytesIO

    from pypdf import PdfReader

    response = await enterprise.get("/my/certification/letter.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "湖南湘企示范科技有限公司" in text and DEMO_ENTERPRISE_CODE in text
