"""个人信息保护指引: the consent record, re-asking on a new version, and 不同意 keeping people out."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from tests.phone.stand_ins import PERSONAL_DATA_PATHS, enterprise_user
from tests.support.web import text_of
from xqr.services import privacy
from xqr.tables.accounts import Consent

PHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.47"


async def agree(client, next_path: str = "/register", agent: str = PHONE_AGENT):
    return await client.post("/privacy/consent", {"decision": "agree", "next": next_path}, headers={"user-agent": agent}, follow_redirects=False)


@pytest.mark.parametrize("path", PERSONAL_DATA_PATHS)
async def test_a_personal_data_page_sends_a_new_visitor_to_the_guide_first(client, path):
    response = await client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/privacy/consent?next={quote(path, safe='/')}"


async def test_the_consent_dialog_shows_the_guide_with_agree_and_disagree(client):
    response = await client.get("/privacy/consent?next=/register", follow_redirects=False)
    assert response.status_code == 200
    text = text_of(response)
    for part in ("个人信息保护指引", "我们收集哪些个人信息", "保存多久", "谁会接收", "您的权利", "咨询联系电话", "同意", "不同意"):
        assert part in text
    assert '<dialog id="privacy-dialog"' in response.text and " open " in response.text
    assert 'name="next" value="/register"' in response.text


async def test_agreeing_records_version_time_ip_and_user_agent_then_goes_on(client):
    before = datetime.now(timezone.utc)
    response = await agree(client)
    assert response.status_code == 303 and response.headers["location"] == "/register"

    rows = await Consent.select().where(Consent.document == "privacy_guide")
    assert len(rows) == 1
    row = rows[0]
    assert row["version"] == privacy.PRIVACY_GUIDE_VERSION
    assert row["user_agent"] == PHONE_AGENT
    assert row["ip"] == "testclient" or row["ip"].count(".") == 3
    assert before - timedelta(seconds=1) <= row["created_at"] <= datetime.now(timezone.utc)
    assert row["visitor_id"] and row["user"] is None

    page = await client.get("/register", follow_redirects=False)
    assert page.status_code == 200


async def test_once_agreed_the_guide_is_not_asked_again_until_its_version_changes(client, monkeypatch):
    await agree(client)
    again = await client.get("/privacy/consent?next=/login", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/login"
    assert (await client.get("/login", follow_redirects=False)).status_code == 200

    monkeypatch.setattr(privacy, "PRIVACY_GUIDE_VERSION", "2027-01")
    asked = await client.get("/login", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"].startswith("/privacy/consent")
    dialog = await client.get("/privacy/consent?next=/login", follow_redirects=False)
    assert "版本：2027-01" in dialog.text

    await agree(client, "/login")
    versions = sorted(row["version"] for row in await Consent.select(Consent.version))
    assert versions == ["2026-11", "2027-01"]
    assert (await client.get("/login", follow_redirects=False)).status_code == 200


async def test_disagreeing_returns_home_with_a_notice_and_keeps_the_user_out(client):
    response = await client.post("/privacy/consent", {"decision": "decline", "next": "/register"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/"
    home = await client.get("/", follow_redirects=False)
    assert "您未同意《个人信息保护指引》" in text_of(home)
    assert await Consent.count() == 0
    for path in ("/register", "/login"):
        blocked = await client.get(path, follow_redirects=False)
        assert blocked.status_code == 303 and blocked.headers["location"].startswith("/privacy/consent")
    for public in ("/", "/privacy"):
        assert (await client.get(public, follow_redirects=False)).status_code == 200


async def test_the_home_page_sends_business_through_the_guide_only_when_needed(client):
    home = await client.get("/", follow_redirects=False)
    assert 'href="/privacy/consent?next=/register">业务办理' in home.text
    await agree(client, "/")
    home = await client.get("/", follow_redirects=False)
    assert 'href="/register">业务办理' in home.text


async def test_a_logged_in_user_consent_counts_on_another_browser(login_as):
    _, user_id = await enterprise_user("zhangsan", "91430100MA4L000001")
    browser = await login_as("zhangsan")
    await Consent.delete(force=True)  # the test login agreed already; agree here instead
    await agree(browser, "/me")
    row = await Consent.select().first()
    assert row["user"] == user_id and row["visitor_id"]
    # Another browser has no visitor id of its own yet; once logged in, the user's consent counts.
    assert await privacy.has_consented(user_id, None)
    assert not await privacy.has_consented(None, "another-browser")


async def test_withdrawing_consent_asks_again(client):
    await agree(client)
    guide_page = await client.get("/privacy", follow_redirects=False)
    assert "撤回同意" in guide_page.text
    response = await client.post("/privacy/withdraw", follow_redirects=False)
    assert response.status_code == 303
    assert (await Consent.select().first())["revoked_at"] is not None
    assert (await client.get("/register", follow_redirects=False)).status_code == 303


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example"])
async def test_the_next_address_stays_on_this_site(client, target):
    response = await agree(client, target)
    assert response.headers["location"] == "/"


async def test_an_htmx_request_to_a_guarded_page_is_sent_to_the_guide(client):
    response = await client.get("/login", htmx=True, follow_redirects=False)
    assert response.headers["hx-location"] == "/privacy/consent?next=/login"


async def test_the_guide_is_a_readable_page(client):
    response = await client.get("/privacy", follow_redirects=False)
    assert response.status_code == 200
    assert f"版本：{privacy.PRIVACY_GUIDE_VERSION}" in text_of(response)
    assert "阅读并同意" in text_of(response)


async def test_the_browser_is_remembered_beyond_its_session(client):
    response = await agree(client, "/login")
    cookie = response.headers["set-cookie"]
    assert "xqr_visitor=" in cookie and "HttpOnly" in cookie and "Max-Age=31536000" in cookie
    # Logging out or idling ends the session; the agreement of this browser stays.
    client.cookies.delete("xqr_session")
    assert (await client.get("/login", follow_redirects=False)).status_code == 200
