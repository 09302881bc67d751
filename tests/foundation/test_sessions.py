"""Server-side sessions: a new token at login, idle expiry, ending every session of a user."""

from datetime import timedelta

from xqr.services.demo import seed_demo
from xqr.tables.accounts import User, WebSession
from xqr.web import sessions


class FakeConnection:
    """Just enough of a connection for the session functions (they read scope, client and headers)."""

    def __init__(self) -> None:
        self.scope = {"state": {sessions.STATE_KEY: sessions.SessionState(None, None)}}
        self.client = None
        self.headers: dict = {}


async def user_id(username: str) -> int:
    return (await User.select(User.id).where(User.username == username).first())["id"]


async def test_login_replaces_the_anonymous_session_with_a_new_token(db):
    await seed_demo()
    connection = FakeConnection()
    await sessions.set_values(connection, timedelta(hours=1), visitor_id="v1", step="password-ok")
    anonymous_token = connection.scope["state"][sessions.STATE_KEY].new_token

    await sessions.login(connection, await user_id("demo_qiye"), timedelta(hours=1))

    state = connection.scope["state"][sessions.STATE_KEY]
    assert state.new_token != anonymous_token
    assert await sessions.load(anonymous_token, timedelta(minutes=30)) is None
    row = await sessions.load(state.new_token, timedelta(minutes=30))
    assert row["user"] == await user_id("demo_qiye")
    assert row["data"] == {"visitor_id": "v1"}


async def test_idle_sessions_expire_and_are_purged(db):
    await seed_demo()
    connection = FakeConnection()
    await sessions.login(connection, await user_id("demo_qiye"), timedelta(hours=1))
    token = connection.scope["state"][sessions.STATE_KEY].new_token
    await WebSession.update({WebSession.last_seen_at: sessions.now() - timedelta(minutes=31)}).where(WebSession.id > 0)

    assert await sessions.purge_expired(timedelta(minutes=30)) == 1
    assert await sessions.load(token, timedelta(minutes=30)) is None


async def test_ending_all_sessions_of_a_user_leaves_others_alone(db):
    await seed_demo()
    for username in ("demo_qiye", "demo_qiye", "demo_admin"):
        await sessions.login(FakeConnection(), await user_id(username), timedelta(hours=1))

    await sessions.end_all_for_user(await user_id("demo_qiye"))

    assert await WebSession.count() == 1


async def test_the_session_cookie_is_httponly_and_samesite_lax(login_as, app):
    await seed_demo()
    client = await login_as("demo_qiye")
    token = client.cookies[sessions.COOKIE_NAME]
    await WebSession.delete().where(WebSession.id > 0)
    response = await client.get("/")
    cleared = response.headers.get("set-cookie", "")
    assert token and sessions.COOKIE_NAME in cleared
    assert "HttpOnly" in cleared and "SameSite=lax" in cleared
