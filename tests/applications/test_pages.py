"""The pages over HTTP: forms without JavaScript, 422 re-renders, guards, other institutions' records."""

import pytest

from tests.applications.conftest import actor, certify, good_application, product_of, second_enterprise
from tests.support.web import text_of
from xqr.services import applications
from xqr.tables.applications import LoanApplication
from xqr.tables.catalogue import Institution, Product
from xqr.services.demo import DEMO_ENTERPRISE_CODE
from xqr.tables.accounts import Enterprise


async def test_the_catalogue_page_renders_whole_or_as_a_live_partial_with_the_url_to_push(demo, anonymous_client):
    page = await anonymous_client.get("/products?q=广发银行")
    assert page.status_code == 200
    assert 'hx-push-url="true"' in page.text and "产品或机构名称" in text_of(page)
    assert "示例数据" in text_of(page) and "查看详情" in text_of(page)
    partial = await anonymous_client.get("/products?q=广发银行&type=&sort=rate", htmx=True)
    assert "<html" not in partial.text and "广发银行" in partial.text
    assert partial.headers["HX-Push-Url"] == "/products?q=%E5%B9%BF%E5%8F%91%E9%93%B6%E8%A1%8C&sort=rate"
    restore = await anonymous_client.get("/products?q=广发银行", htmx=True, headers={"HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


async def test_the_product_page_shows_every_attribute_and_the_apply_button(demo, anonymous_client):
    product = await product_of("中国工商银行")
    text = text_of(await anonymous_client.get(f"/products/{product['id']}"))
    for label in ("适用对象", "贷款条件", "还款方式", "办理区域", "产品介绍", "担保方式", "立即申请", "已收到申请 0 笔"):
        assert label in text
    assert product["target"] in text and product["region"] in text
    assert (await anonymous_client.get("/products/999999")).status_code == 404


async def test_a_visitor_who_clicks_apply_is_sent_to_log_in_and_back(demo, anonymous_client):
    product = await product_of("中国工商银行")
    response = await anonymous_client.get(f"/products/{product['id']}/apply", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/products/{product['id']}/apply"


async def test_an_uncertified_enterprise_is_told_why_and_shown_the_way_to_certification(demo, login_as):
    # The demo enterprise is seeded certified; take it back to 未认证.
    await Enterprise.update({Enterprise.cert_status: "uncertified"}).where(Enterprise.credit_code == DEMO_ENTERPRISE_CODE)
    product = await product_of("中国工商银行")
    qiye = await login_as("demo_qiye")
    page = await qiye.get(f"/products/{product['id']}/apply")
    assert "企业认证通过后才能申请" in text_of(page) and 'href="/my/certification"' in page.text
    posted = await qiye.post(f"/products/{product['id']}/apply", good_application(product))
    assert posted.status_code == 403 and "立即认证" in text_of(posted)
    assert await LoanApplication.count() == 0


async def test_the_apply_form_posts_without_javascript_and_bad_input_is_re_rendered(demo, login_as):
    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    qiye = await login_as("demo_qiye")
    form = await qiye.get(f"/products/{product['id']}/apply")
    assert 'value="13800000001"' in form.text  # the account's phone until certification gives a contact
    bad = await qiye.post(f"/products/{product['id']}/apply", good_application(product, amount="999999", purpose="我要的用途"))
    assert bad.status_code == 422
    assert "额度范围" in text_of(bad) and 'value="我要的用途"' in bad.text
    assert await LoanApplication.count() == 0
    done = await qiye.post(f"/products/{product['id']}/apply", good_application(product), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/my/applications#XQR-")
    listing = text_of(await qiye.get("/my/applications"))
    assert "待受理" in listing and "受理期限" in listing and "撤回" in listing
    assert "待受理" in text_of(await qiye.get("/my/orders"))
    again = await qiye.post(f"/products/{product['id']}/apply", good_application(product), follow_redirects=False)
    assert again.headers["location"] == "/my/applications"
    assert "进行中的申请" in text_of(await qiye.get("/my/applications"))


async def test_staff_decide_through_the_workbench_and_a_late_second_decision_is_told(demo, login_as):
    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    applied = await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)
    bank = await login_as("demo_gsyh")
    queue = text_of(await bank.get("/bank/applications"))
    assert applied.number in queue
    detail = text_of(await bank.get(f"/bank/applications/{applied.id}"))
    assert "湖南湘企示范科技有限公司" in detail and "受理" in detail
    assert (await bank.post(f"/bank/applications/{applied.id}/accept", follow_redirects=False)).status_code == 303
    late = await bank.post(f"/bank/applications/{applied.id}/accept")
    assert "不能受理" in text_of(late)
    bad = await bank.post(f"/bank/applications/{applied.id}/approve", {"approved_amount": "1", "approved_rate": "50", "approved_term_months": "6"})
    assert bad.status_code == 422 and "年利率须在" in text_of(bad)
    await bank.post(f"/bank/applications/{applied.id}/approve", {"approved_amount": "1", "approved_rate": "3.5", "approved_term_months": "6"})
    [mine] = await applications.for_enterprise(await actor("demo_qiye"))
    assert mine["status_label"] == "审批通过" and "年利率 3.5%" in mine["events"][-1]["note"]


async def _application_to_icbc():
    await certify("demo_qiye")
    product = await product_of("中国工商银行")
    return product, await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/bank/applications/{application}"),
        ("post", "/bank/applications/{application}/accept"),
        ("get", "/bank/products/{product}/edit"),
        ("post", "/bank/products/{product}/status"),
    ],
)
async def test_staff_of_another_bank_get_404_for_its_applications_and_products(demo, login_as, method, url):
    product, applied = await _application_to_icbc()
    other_bank = await login_as("demo_csyh")
    target = url.format(application=applied.id, product=product["id"])
    response = await (other_bank.get(target) if method == "get" else other_bank.post(target, {"status": "delisted"}))
    assert response.status_code == 404
    assert (await Product.select(Product.status).where(Product.id == product["id"]).first())["status"] == "listed"
    assert (await LoanApplication.select(LoanApplication.status).where(LoanApplication.id == applied.id).first())["status"] == "submitted"


async def test_another_enterprise_gets_404_for_the_application(demo, login_as):
    _, applied = await _application_to_icbc()
    await second_enterprise()
    other = await login_as("qiye_two")
    assert (await other.post(f"/my/applications/{applied.id}/withdraw")).status_code == 404
    assert applied.number not in text_of(await other.get("/my/applications"))


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("demo_qiye", "/bank/applications"),
        ("demo_qiye", "/bank/products"),
        ("demo_qiye", "/admin/products"),
        ("demo_qiye", "/admin/institutions"),
        ("demo_qiye", "/admin/applications"),
        ("demo_gsyh", "/my/applications"),
        ("demo_gsyh", "/my/orders"),
        ("demo_gsyh", "/admin/institutions"),
        ("demo_shenhe", "/bank/applications"),
    ],
)
async def test_the_wrong_role_gets_403(demo, login_as, username, url):
    client = await login_as(username)
    assert (await client.get(url)).status_code == 403


PRODUCT_FORM = {
    "name": "湘企测试贷",
    "product_type": "信用贷",
    "min_amount": "10",
    "max_amount": "200",
    "min_rate": "3.2",
    "max_rate": "6",
    "min_term_months": "3",
    "max_term_months": "36",
    "guarantee": "信用",
    "repayment": "按月付息到期还本",
    "target": "小微企业",
    "region": "长沙市",
    "conditions": "",
    "description": "测试用产品",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "请填写产品名称"),
        ("product_type", "房贷", "请选择产品类型"),
        ("min_amount", "", "请填写最低额度"),
        ("min_amount", "abc", "最低额度须为数字"),
        ("max_amount", "5", "最高额度不能低于最低额度"),
        ("min_rate", "-1", "最低年利率须在"),
        ("max_rate", "37", "最高年利率须在"),
        ("max_rate", "3", "最高年利率不能低于最低年利率"),
        ("min_term_months", "0", "最短期限须在"),
        ("max_term_months", "2", "最长期限不能短于最短期限"),
        ("max_term_months", "x", "最长期限须为正整数"),
        ("guarantee", "", "请填写担保方式"),
        ("repayment", "", "请填写还款方式"),
        ("target", "", "请填写适用对象"),
        ("region", "", "请填写办理区域"),
        ("description", "", "请填写产品介绍"),
        ("conditions", "条" * 2001, "贷款条件不能超过2000个字"),
    ],
)
async def test_each_wrong_product_field_is_refused_beside_the_field_and_nothing_saved(demo, login_as, field, value, message):
    bank = await login_as("demo_gsyh")
    before = await Product.count()
    response = await bank.post("/bank/products/new", {**PRODUCT_FORM, field: value})
    assert response.status_code == 422
    assert message in text_of(response) and f'id="e-{field}"' in response.text
    assert await Product.count() == before


async def test_staff_create_edit_and_delist_their_own_products(demo, login_as):
    bank = await login_as("demo_gsyh")
    assert (await bank.post("/bank/products/new", PRODUCT_FORM, follow_redirects=False)).status_code == 303
    row = await Product.select(Product.id, Product.institution.name).where(Product.name == "湘企测试贷").first()
    assert row["institution.name"] == "中国工商银行"
    await bank.post(f"/bank/products/{row['id']}/edit", {**PRODUCT_FORM, "max_amount": "300"})
    await bank.post(f"/bank/products/{row['id']}/status", {"status": "delisted"})
    saved = await Product.select().where(Product.id == row["id"]).first()
    assert (saved["max_amount"], saved["status"]) == (300, "delisted")


async def test_admins_create_products_for_the_institution_they_pick(demo, login_as):
    admin = await login_as("demo_admin")
    missing = await admin.post("/admin/products/new", {**PRODUCT_FORM, "name": "管理员产品"})
    assert missing.status_code == 422 and "请选择所属机构" in text_of(missing)
    bank_b = await Institution.select().where(Institution.name == "长沙银行").first()
    await admin.post("/admin/products/new", {**PRODUCT_FORM, "name": "管理员产品", "institution": str(bank_b["id"])})
    assert await Product.exists().where((Product.name == "管理员产品") & (Product.institution == bank_b["id"]))


async def test_admins_add_rename_and_disable_institutions(demo, login_as):
    admin = await login_as("demo_admin")
    empty = await admin.post("/admin/institutions", {"name": " "})
    assert empty.status_code == 422 and "请填写机构名称" in text_of(empty)
    taken = await admin.post("/admin/institutions", {"name": "长沙银行"})
    assert taken.status_code == 422 and "该机构名称已存在" in text_of(taken)
    await admin.post("/admin/institutions", {"name": "湘江测试银行"})
    row = await Institution.select().where(Institution.name == "湘江测试银行").first()
    await admin.post(f"/admin/institutions/{row['id']}/edit", {"name": "湘江示范银行"})
    bank = await Institution.select().where(Institution.name == "长沙银行").first()
    await admin.post(f"/admin/institutions/{bank['id']}/active", {"active": "0"})
    assert await Institution.exists().where(Institution.name == "湘江示范银行")
    assert "共 0 款产品" in text_of(await admin.get("/products?q=长沙银行"))
