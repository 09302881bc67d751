"""需求管理 and 需求大厅 over HTTP: forms, 422s, guards, other enterprises' demands."""

import pytest

from tests.support.demand_data import certify, demand_form, enterprise_user, seeded_with_demand, stay
from tests.support.web import text_of
from xqr.services.demo import seed_demo
from xqr.tables.demands import Demand, DemandResponse


async def test_an_uncertified_enterprise_is_asked_to_certify_and_cannot_post(db, login_as):
    await seed_demo()
    web = stay(await login_as("demo_qiye"))
    page = await web.get("/my/demands/new")
    assert "立即认证" in text_of(page) and 'name="amount"' not in page.text
    response = await web.post("/my/demands", demand_form())
    assert response.status_code == 403
    assert await Demand.count() == 0


async def test_posting_a_demand_redirects_to_it_and_lists_it(db, login_as):
    await seed_demo()
    await certify()
    web = stay(await login_as("demo_qiye"))
    form = await web.get("/my/demands/new")
    assert form.status_code == 200 and "发布需求" in form.text and "可接受的最高利率" in form.text
    response = await web.post("/my/demands", demand_form(amount="520"))
    assert response.status_code == 303
    detail = await web.get(response.headers["location"])
    assert "520万元" in text_of(detail) and "需求已发布" not in "" and "暂无金融机构接单" in text_of(detail)
    assert "520万元" in text_of(await web.get("/my/demands"))


@pytest.mark.parametrize("htmx", [False, True])
async def test_bad_input_re_renders_the_form_with_the_message_and_the_typed_values(db, login_as, htmx):
    await seed_demo()
    await certify()
    web = stay(await login_as("demo_qiye"))
    response = await web.post("/my/demands", demand_form(amount="abc", purpose="扩大生产线"), htmx=htmx, headers={"HX-Target": "demand-form"} if htmx else {})
    assert response.status_code == 422
    assert "请输入融资金额" in response.text and 'value="abc"' in response.text and "扩大生产线" in response.text
    assert ("<html" in response.text) is not htmx
    assert await Demand.count() == 0


async def test_another_enterprises_demand_is_not_found_on_every_route(db, login_as):
    _, demand_id = await seeded_with_demand()
    await enterprise_user("other_qiye", "另一家公司", "430102", 7)
    web = stay(await login_as("other_qiye"))
    assert (await web.get(f"/my/demands/{demand_id}")).status_code == 404
    assert (await web.get(f"/my/demands/{demand_id}/edit")).status_code == 404
    assert (await web.post(f"/my/demands/{demand_id}/edit", demand_form(amount="1"))).status_code == 404
    assert (await web.post(f"/my/demands/{demand_id}/close")).status_code == 404
    assert (await Demand.select(Demand.status, Demand.amount).first())["status"] == "open"


async def test_edit_and_close_through_the_pages(db, login_as):
    _, demand_id = await seeded_with_demand()
    web = stay(await login_as("demo_qiye"))
    edit = await web.get(f"/my/demands/{demand_id}/edit")
    assert 'value="300"' in edit.text
    bad = await web.post(f"/my/demands/{demand_id}/edit", demand_form(term_months="0"))
    assert bad.status_code == 422 and "期限须为" in bad.text
    assert (await web.post(f"/my/demands/{demand_id}/edit", demand_form(term_months="24"))).status_code == 303
    assert (await web.post(f"/my/demands/{demand_id}/close")).status_code == 303
    assert (await Demand.select(Demand.term_months, Demand.status).first()) == {"term_months": 24, "status": "closed"}
    assert (await web.post(f"/my/demands/{demand_id}/close")).status_code == 409
    assert "关闭需求" not in text_of(await web.get(f"/my/demands/{demand_id}"))


@pytest.mark.parametrize(
    ("username", "path"),
    [("demo_gsyh", "/my/demands"), ("demo_admin", "/my/demands/new"), ("demo_qiye", "/bank/demands"), ("demo_shenhe", "/bank/demands")],
)
async def test_wrong_roles_get_403(db, login_as, username, path):
    await seed_demo()
    web = await login_as(username)
    assert (await web.get(path)).status_code == 403


async def test_wrong_roles_cannot_post_or_take(db, login_as):
    _, demand_id = await seeded_with_demand()
    enterprise = stay(await login_as("demo_qiye"))
    assert (await enterprise.post(f"/bank/demands/{demand_id}/take")).status_code == 403
    bank = stay(await login_as("demo_gsyh"))
    assert (await bank.post("/my/demands", demand_form())).status_code == 403
    assert await DemandResponse.count() == 0 and await Demand.count() == 1


async def test_anonymous_visitors_are_sent_to_log_in(db, client):
    response = await client.get("/bank/demands", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_institution_takes_from_the_hall_and_records_an_outcome(db, login_as):
    _, demand_id = await seeded_with_demand()
    bank = stay(await login_as("demo_gsyh"))
    hall = await bank.get("/bank/demands")
    assert "300万元" in text_of(hall) and "李经理" not in text_of(hall)
    detail = await bank.get(f"/bank/demands/{demand_id}")
    assert "13900001111" not in detail.text
    assert (await bank.post(f"/bank/demands/{demand_id}/take")).status_code == 303
    again = await bank.post(f"/bank/demands/{demand_id}/take")
    assert again.status_code == 409 and "已接过" in again.text
    detail = await bank.get(f"/bank/demands/{demand_id}")
    assert "13900001111" in detail.text and "湖南湘企示范科技有限公司" in detail.text
    bad = await bank.post(f"/bank/demands/{demand_id}/outcome", {"outcome": "granted", "granted_amount": "-1"})
    assert bad.status_code == 422 and "请输入授信金额" in bad.text and 'value="-1"' in bad.text
    ok = await bank.post(f"/bank/demands/{demand_id}/outcome", {"outcome": "granted", "granted_amount": "250"})
    assert ok.status_code == 303
    assert (await DemandResponse.select(DemandResponse.outcome).first())["outcome"] == "granted"
    enterprise = stay(await login_as("demo_qiye"))
    page = text_of(await enterprise.get(f"/my/demands/{demand_id}"))
    assert "中国工商银行" in page and "已授信" in page and "250万元" in page


async def test_an_outcome_on_a_demand_not_taken_is_not_found(db, login_as):
    _, demand_id = await seeded_with_demand()
    bank = stay(await login_as("demo_csyh"))
    assert (await bank.post(f"/bank/demands/{demand_id}/outcome", {"outcome": "contacted"})).status_code == 404
    assert (await bank.post("/bank/demands/99999/take")).status_code == 404


async def test_hall_filters_by_query_and_reports_bad_values(db, login_as):
    poster, _ = await seeded_with_demand(amount="100")
    bank = stay(await login_as("demo_gsyh"))
    assert "100万元" not in text_of(await bank.get("/bank/demands?min_amount=200"))
    page = await bank.get("/bank/demands?min_amount=abc", htmx=True)
    assert page.status_code == 200 and "100万元" in text_of(page)
    full = await bank.get("/bank/demands?min_amount=abc")
    assert "请输入不小于0的金额" in full.text
