"""The enterprise fills the form over HTTP, submits; a reviewer decides; the enterprise is told."""

from tests.certification.support import seed_uncertified_demo
from xqr.tables.accounts import Consent, Enterprise
from xqr.tables.certification import CertificationDocument, CertificationRequest
from xqr.tables.messaging import Message, Outbox

from tests.certification.support import PERSON, png_bytes, pdf_bytes, register_demo_enterprise
from tests.support.web import text_of


async def fill_and_submit(client) -> None:
    page = await client.get("/my/certification")
    assert page.status_code == 200
    response = await client.post("/my/certification/search", {"credit_code": "91430104MA4T7K2C4C"}, htmx=True)
    assert response.status_code == 200, response.text
    assert "来自登记信息" in response.text
    response = await client.post("/my/certification/save", PERSON, follow_redirects=False)
    assert response.status_code == 303, text_of(response)
    for kind, name, data, kind_type in (
        ("business_license", "执照.png", png_bytes(), "image/png"),
        ("authorization_letter", "授权书.pdf", pdf_bytes(), "application/pdf"),
    ):
        response = await client.post(f"/my/certification/documents/{kind}", files={"file": (name, data, kind_type)}, htmx=True)
        assert response.status_code == 200, text_of(response)
        assert "删除" in response.text
    response = await client.post("/my/certification/submit", {"consent": "yes"}, follow_redirects=False)
    assert response.status_code == 303, text_of(response)


async def test_an_enterprise_certifies_and_a_reviewer_approves(db, login_as):
    await seed_uncertified_demo()
    await register_demo_enterprise()
    enterprise = await login_as("demo_qiye")
    await fill_and_submit(enterprise)
    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "pending"
    assert await Consent.count().where((Consent.document == "authorization_letter") & Consent.subject.like("certification:%")) == 1
    request = await CertificationRequest.select().first()
    assert request["status"] == "submitted"

    reviewer = await login_as("demo_shenhe")
    queue = await reviewer.get("/review/certifications")
    assert "湖南湘企示范科技有限公司" in text_of(queue)
    page = await reviewer.get(f"/review/certifications/{request['id']}")
    assert "11010519491231002X" in page.text
    assert (await reviewer.post(f"/review/certifications/{request['id']}/claim", follow_redirects=False)).status_code == 303
    response = await reviewer.post(f"/review/certifications/{request['id']}/decide", {"outcome": "approve"}, follow_redirects=False)
    assert response.status_code == 303, text_of(response)

    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "certified"
    assert await Message.count() == 1
    mail = await Outbox.select().where(Outbox.channel == "mail").first()
    assert mail["recipient"] == "lisi@example.com"
    mine = await enterprise.get("/my/enterprise")
    assert "已认证" in text_of(mine) and "张三" in text_of(mine)
    document = await CertificationDocument.select().first()
    file = await enterprise.get(f"/certification/documents/{document['id']}")
    assert file.status_code == 200


async def test_the_demo_seed_certifies_the_demo_enterprise_once(db, login_as):
    from xqr.services.demo import seed_demo
    from xqr.settings import get_settings
    from xqr.storage import make_storage

    await seed_demo()
    await seed_demo()
    assert await CertificationRequest.count() == 1
    assert await CertificationDocument.count() == 2
    assert (await Enterprise.select(Enterprise.cert_status).first())["cert_status"] == "certified"
    client = await login_as("demo_qiye")
    assert "已认证" in text_of(await client.get("/my/enterprise"))
    # The seed writes to the configured storage, not this test's app's folder.
    storage = make_storage(get_settings().storage)
    for document in await CertificationDocument.select():
        assert await storage.exists(document["storage_key"]) and await storage.exists(document["preview_key"])
