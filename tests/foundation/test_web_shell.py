"""The web shell: home page figures, security headers, CSRF, error pages, health, guarded pages."""

import dataclasses

from tests.support.web import text_of
from xqr.app import create_app
from xqr.services.demo import read_sample_products, seed_demo
from xqr.tables.accounts import Enterprise
from xqr.tables.catalogue import Institution, Product


async def test_home_shows_the_live_figures_from_the_database(client):
    await seed_demo()
    await Enterprise.update({Enterprise.cert_status: "certified"}).where(Enterprise.id > 0)
    await Product.update({Product.status: "delisted"}).where(Product.id == (await Product.select(Product.id).first())["id"])

    response = await client.get("/")

    text = text_of(response)
    assert response.status_code == 200
    institutions = await Institution.count()
    listed = len(read_sample_products()) - 1
    assert f"入驻金融机构 {institutions} 家" in text
    assert f"上架融资产品 {listed} 款" in text
    assert f"认证企业 {await Enterprise.count()} 家" in text
    assert "咨询联系电话" in text


async def test_every_response_carries_a_strict_content_security_policy(client):
    for path in ("/", "/static/app.css", "/no-such-page"):
        response = await client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


async def test_pages_carry_no_inline_script_or_style(client):
    await seed_demo()
    html = (await client.get("/")).text
    assert "<style" not in html
    assert ' style="' not in html
    assert all("src=" in tag for tag in html.split("<script")[1:])


async def test_unknown_pages_get_a_chinese_404_page(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.text and "返回首页" in response.text


async def test_htmx_errors_come_back_as_a_toast_for_the_page(client):
    response = await client.get("/no-such-page", htmx=True)
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "#toast"
    assert 'role="alert"' in response.text


async def test_back_office_pages_send_visitors_to_login_and_back(client):
    response = await client.get("/my/demands", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/my/demands"


async def test_pages_of_another_role_are_forbidden(login_as):
    await seed_demo()
    enterprise = await login_as("demo_qiye")
    response = await enterprise.get("/admin/users")
    assert response.status_code == 403


async def test_the_back_office_shows_who_is_logged_in(login_as):
    await seed_demo()
    reviewer = await login_as("demo_shenhe")
    text = text_of(await reviewer.get("/"))
    assert "审核员 demo_shenhe" in text


async def test_healthz_reports_database_and_storage(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "database": "ok", "storage": "ok"}


async def test_healthz_reports_a_storage_outage(db, settings, unused_tcp_port):
    broken = dataclasses.replace(
        settings,
        storage=dataclasses.replace(
            settings.storage, backend="minio", endpoint=f"127.0.0.1:{unused_tcp_port}", secure=False,
            access_key="x", secret_key="y",
        ),
    )
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=create_app(broken)) as raw:
        response = await raw.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"] == "unavailable"
    assert response.json()["database"] == "ok"


async def test_the_dev_outbox_is_not_there_when_dev_pages_are_off(db, settings):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=create_app(dataclasses.replace(settings, dev_pages=False))) as raw:
        assert (await raw.get("/dev/outbox")).status_code == 404
    async with AsyncTestClient(app=create_app(settings)) as raw:
        assert (await raw.get("/dev/outbox")).status_code == 200
