from tests.applications.conftest import certify


async def test_pages_render(demo, login_as, anonymous_client):
    for url in ["/products", "/products?q=工商", "/products/1", "/"]:
        response = await anonymous_client.get(url)
        if response.status_code != 200:
            print(url, response.status_code, response.text[:1500]); raise SystemExit(1)
    await certify("demo_qiye")
    qiye = await login_as("demo_qiye")
    for url in ["/products/1/apply", "/my/applications", "/my/orders"]:
        response = await qiye.get(url)
        if response.status_code != 200:
            print(url, response.status_code, response.text[:1500]); raise SystemExit(1)
    bank = await login_as("demo_gsyh")
    for url in ["/bank/applications", "/bank/products", "/bank/products/new", "/bank/products/1/edit"]:
        response = await bank.get(url)
        if response.status_code != 200:
            print(url, response.status_code, response.text[:1500]); raise SystemExit(1)
    admin = await login_as("demo_admin")
    for url in ["/admin/applications", "/admin/products", "/admin/products/new", "/admin/institutions", "/admin/institutions/1/edit"]:
        response = await admin.get(url)
        if response.status_code != 200:
            print(url, response.status_code, response.text[:1500]); raise SystemExit(1)
