"""The admin console: guards, users, dispatch, the read-only audit log, statistics against the database's own counts."""

import csv
import html
import io
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.demand_data import seed_statistics, seeded_with_demand, stay, user
from tests.support.web import text_of
from xqr.services import demands, statistics
from xqr.services.demo import seed_demo
from xqr.services.passwords import verify_password
from xqr.tables.accounts import AuditLog, Enterprise, User, WebSession
from xqr.tables.demands import Demand, DemandResponse

CONSOLE = ["/admin", "/admin/users", "/admin/demands", "/admin/audit", "/admin/stats/funnel.csv"]


@pytest.mark.parametrize("username", ["demo_qiye", "demo_gsyh", "demo_shenhe"])
async def test_non_admins_get_403_on_every_console_page_and_action(db, login_as, username):
    await seed_demo()
    web = stay(await login_as(username))
    for path in CONSOLE:
        assert (await web.get(path)).status_code == 403, path
    target = await user("demo_csyh")
    for action in ("disable", "reset-password"):
        assert (await web.post(f"/admin/users/{target.id}/{action}")).status_code == 403
    assert (await web.post("/admin/users", {"role": "admin", "username": "evil_admin", "phone": "13711112222", "password": "Abcd@1234", "password_confirm": "Abcd@1234"})).status_code == 403
    assert (await web.post("/admin/demands/1/dispatch", {"institution": "1"})).status_code == 403
    assert not await User.exists().where(User.username_key == "evil_admin")
    assert (await User.select(User.is_active).where(User.id == target.id).first())["is_active"]


async def test_the_console_pages_open_for_an_admin(db, login_as):
    await seeded_with_demand()
    web = stay(await login_as("demo_admin"))
    for path in CONSOLE[:4]:
        response = await web.get(path)
        assert response.status_code == 200, path


STAFF = [
    ({"role": "reviewer"}, "reviewer", None),
    ({"role": "institution", "institution": "长沙银行"}, "institution", "长沙银行"),
    ({"role": "admin"}, "admin", None),
]


@pytest.mark.parametrize(("extra", "role", "institution"), STAFF)
async def test_an_admin_creates_each_kind_of_staff_account(db, login_as, extra, role, institution):
    await seed_demo()
    web = stay(await login_as("demo_admin"))
    form = {"username": "new_staff", "phone": "13711112222", "password": "Abcd@1234", "password_confirm": "Abcd@1234", **extra}
    assert (await web.post("/admin/users", form)).status_code == 303
    row = await User.select(User.role, User.institution.name, User.must_change_password).where(User.username_key == "new_staff").first()
    assert row["role"] == role and row["institution.name"] == institution and row["must_change_password"]
    assert await AuditLog.exists().where((AuditLog.action == "user.create") & (AuditLog.actor_name == "demo_admin"))


BAD_STAFF = [
    ({"username": "demo_gsyh"}, "username", "已被使用"),
    ({"username": "DEMO_GSYH"}, "username", "已被使用"),
    ({"username": "1abc"}, "username", "以字母开头"),
    ({"password": "abc", "password_confirm": "abc"}, "password", "8-20位"),
    ({"password": "abcdefgh1", "password_confirm": "abcdefgh1"}, "password", "特殊字符"),
    ({"password_confirm": "Other@1234"}, "password_confirm", "不一致"),
    ({"phone": "123"}, "phone", "11位"),
    ({"role": "enterprise"}, "role", "请选择角色"),
    ({"role": "institution", "institution": ""}, "institution", "找不到金融机构"),
    ({"role": "institution", "institution": "不存在的银行"}, "institution", "找不到金融机构"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_STAFF)
async def test_bad_staff_accounts_are_refused_with_the_message_and_nothing_saved(db, login_as, change, field, message):
    await seed_demo()
    web = stay(await login_as("demo_admin"))
    before = await User.count()
    form = {"role": "reviewer", "username": "new_staff", "phone": "13711112222", "password": "Abcd@1234", "password_confirm": "Abcd@1234", **change}
    response = await web.post("/admin/users", form)
    assert response.status_code == 422
    assert message in response.text and f'id="e-{field}"' in response.text
    assert 'value="13711112222"' in response.text or field == "phone"
    assert await User.count() == before


async def test_disabling_ends_sessions_and_blocks_the_account_until_enabled(db, login_as):
    await seed_demo()
    bank = stay(await login_as("demo_gsyh"))
    assert (await bank.get("/bank/demands")).status_code == 200
    target = await user("demo_gsyh")
    admin = stay(await login_as("demo_admin"))
    assert (await admin.post(f"/admin/users/{target.id}/disable")).status_code == 303
    assert await WebSession.count().where(WebSession.user == target.id) == 0
    assert (await bank.get("/bank/demands")).status_code == 303  # back to the login page
    assert (await admin.post(f"/admin/users/{target.id}/disable")).status_code == 409
    # A session minted for a disabled account is not a login either (load_current_user refuses it).
    again = stay(await login_as("demo_gsyh"))
    assert (await again.get("/bank/demands")).status_code == 303
    assert (await admin.post(f"/admin/users/{target.id}/enable")).status_code == 303
    assert (await again.get("/bank/demands")).status_code == 200
    actions = [r["action"] for r in await AuditLog.select(AuditLog.action).order_by(AuditLog.id)]
    assert actions == ["user.disable", "user.enable"]


async def test_an_admin_cannot_disable_themselves(db, login_as):
    await seed_demo()
    admin = stay(await login_as("demo_admin"))
    me = await user("demo_admin")
    assert (await admin.post(f"/admin/users/{me.id}/disable")).status_code == 409
    assert (await admin.post("/admin/users/99999/disable")).status_code == 404


async def test_reset_password_shows_a_temporary_password_once(db, login_as):
    await seed_demo()
    target = await user("demo_csyh")
    other = stay(await login_as("demo_csyh"))
    admin = stay(await login_as("demo_admin"))
    assert (await admin.post(f"/admin/users/{target.id}/reset-password")).status_code == 303
    page = await admin.get("/admin/users")
    code = html.unescape(page.text.split('class="temporary-password"><code>')[1].split("</code>")[0])
    row = await User.select(User.password_hash, User.must_change_password).where(User.id == target.id).first()
    assert verify_password(row["password_hash"], code) and row["must_change_password"]
    assert code not in (await admin.get("/admin/users")).text
    assert (await other.get("/bank/demands")).status_code == 303
    assert await AuditLog.exists().where(AuditLog.action == "user.reset_password")
    assert code not in str(await AuditLog.select().output(load_json=True))


async def test_user_search_by_name_phone_organisation_and_role(db, login_as):
    await seed_demo()
    web = stay(await login_as("demo_admin"))
    assert "demo_csyh" in text_of(await web.get("/admin/users?q=长沙银行")) and "demo_gsyh" not in text_of(await web.get("/admin/users?q=长沙银行"))
    found = text_of(await web.get("/admin/users?role_filter=reviewer"))
    assert "demo_shenhe" in found and "demo_qiye" not in found
    assert "demo_qiye" in text_of(await web.get("/admin/users?q=13800000001", htmx=True))


async def test_dispatch_from_the_console(db, login_as):
    _, demand_id = await seeded_with_demand()
    await Demand.update({Demand.created_at: datetime.now(timezone.utc) - timedelta(days=7)}).where(Demand.id == demand_id)
    web = stay(await login_as("demo_admin"))
    page = await web.get("/admin/demands")
    assert "湖南湘企示范科技有限公司" in text_of(page)
    assert (await web.post(f"/admin/demands/{demand_id}/dispatch", {"institution": ""})).status_code == 303
    assert await DemandResponse.count() == 0
    bank = await user("demo_csyh")
    assert (await web.post(f"/admin/demands/{demand_id}/dispatch", {"institution": str(bank.institution_id)})).status_code == 303
    assert (await DemandResponse.select(DemandResponse.dispatched).first())["dispatched"]
    assert (await web.post("/admin/demands/99999/dispatch", {"institution": str(bank.institution_id)})).status_code == 404


async def test_the_audit_log_filters_and_has_no_route_that_changes_it(db, app, login_as):
    _, demand_id = await seeded_with_demand()
    await demands.take_demand(await user("demo_gsyh"), demand_id)
    await demands.take_demand(await user("demo_csyh"), demand_id)
    web = stay(await login_as("demo_admin"))
    page = text_of(await web.get("/admin/audit?actor=demo_csyh"))
    assert "共 1 条" in page and "demo_csyh" in page
    assert "共 2 条" in text_of(await web.get(f"/admin/audit?action=demand.take&target_type=demand&target_id={demand_id}"))
    assert "共 0 条" in text_of(await web.get("/admin/audit?date_to=2000-01-01"))
    assert "请输入正确的日期" in (await web.get("/admin/audit?date_from=bad")).text
    for route in app.routes:
        if "audit" in route.path:
            assert route.methods <= {"GET", "HEAD", "OPTIONS"}, route.path
    for method in ("post", "put", "patch", "delete"):
        response = await getattr(web.raw, method)("/admin/audit", headers={"x-csrftoken": await web.csrf_token()})
        assert response.status_code == 405
    assert await AuditLog.count() == 2


async def test_statistics_match_the_databases_own_counts(db):
    await seed_statistics()
    funnel = dict((r[0], r[1]) for r in (await statistics.funnel(statistics.StatsFilter())).rows)
    enterprises = await Enterprise.select(Enterprise.cert_status, Enterprise.credit_code)
    assert funnel["已注册"] == len(enterprises)
    assert funnel["已提交认证"] == sum(e["cert_status"] != "uncertified" for e in enterprises)
    assert funnel["已认证"] == sum(e["cert_status"] == "certified" for e in enterprises)

    changsha = dict((r[0], r[1]) for r in (await statistics.funnel(statistics.StatsFilter(region="4301"))).rows)
    assert changsha["已注册"] == sum(e["credit_code"][2:6] == "4301" for e in enterprises)

    months = (await statistics.registrations_by_month(statistics.StatsFilter())).rows
    assert sum(r[1] for r in months) == len(enterprises)
    assert months[-1][0] == datetime.now(demands.CHINA_TIME).strftime("%Y-%m")

    all_demands = await Demand.select(Demand.status)
    by_status = dict((r[0], r[1]) for r in (await statistics.demands_by_status(statistics.StatsFilter())).rows)
    assert by_status == {label: sum(d["status"] == code for d in all_demands) for code, label in demands.STATUS_LABELS.items()}

    responses = await DemandResponse.select(DemandResponse.outcome, DemandResponse.granted_amount, DemandResponse.institution.name)
    outcomes = {r[0]: (r[1], r[2]) for r in (await statistics.demand_outcomes(statistics.StatsFilter())).rows}
    assert outcomes["已授信"] == (sum(r["outcome"] == "granted" for r in responses), sum(r["granted_amount"] or 0 for r in responses))
    assert outcomes["已接单"][0] == sum(r["outcome"] == "none" for r in responses)

    ranking = (await statistics.institution_demands(statistics.StatsFilter())).rows
    for name, taken, granted, amount in ranking:
        mine = [r for r in responses if r["institution.name"] == name]
        assert taken == len(mine) and granted == sum(r["outcome"] == "granted" for r in mine)
        assert amount == sum(r["granted_amount"] or 0 for r in mine)
    assert [r[1] for r in ranking] == sorted((r[1] for r in ranking), reverse=True)

    future = statistics.StatsFilter(date_from=demands.today() + timedelta(days=1))
    assert dict((r[0], r[1]) for r in (await statistics.funnel(future)).rows)["已注册"] == 0


async def test_the_dashboard_shows_the_figures_and_exports_each_table_as_csv(db, login_as):
    await seed_statistics()
    web = stay(await login_as("demo_admin"))
    page = await web.get("/admin")
    assert page.status_code == 200 and "<script>" not in page.text and 'type="application/json"' in page.text
    registered = await Enterprise.count()
    assert f"<td>已注册</td><td>{registered}</td>" in page.text.replace("\n", "").replace(" ", "")
    for key in statistics.TABLES:
        export = await web.get(f"/admin/stats/{key}.csv")
        assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(export.text.lstrip("\ufeff"))))
        assert rows[0] == (await statistics.table(key, statistics.StatsFilter())).columns
    funnel_rows = list(csv.reader(io.StringIO((await web.get("/admin/stats/funnel.csv")).text.lstrip("\ufeff"))))
    assert funnel_rows[1] == ["已注册", str(registered)]
    assert (await web.get("/admin/stats/nothing.csv")).status_code == 404
    bad = await web.get("/admin?date_from=bad&region=9999")
    assert bad.status_code == 200 and "请输入正确的日期" in bad.text and "请选择湖南省的市州" in bad.text


async def test_application_statistics_match_the_databases_own_counts(db):
    from statistics import median

    from xqr.tables.applications import LoanApplication

    await seed_statistics()
    rows = await LoanApplication.select(
        LoanApplication.status, LoanApplication.amount, LoanApplication.approved_amount, LoanApplication.disbursed_amount,
        LoanApplication.created_at, LoanApplication.accepted_at, LoanApplication.decided_at, LoanApplication.respond_by,
        LoanApplication.institution.name,
    )
    assert rows, "the seed made applications"
    by_status = dict((r[0], r[1]) for r in (await statistics.applications_by_status(statistics.StatsFilter())).rows)
    assert sum(by_status.values()) == len(rows)
    assert by_status["已放款"] == sum(r["status"] == "disbursed" for r in rows)

    for name, count, applied, approved, disbursed in (await statistics.application_amounts(statistics.StatsFilter())).rows:
        mine = [r for r in rows if r["institution.name"] == name]
        assert count == len(mine)
        assert applied == sum(r["amount"] for r in mine)
        assert approved == sum(r["approved_amount"] or 0 for r in mine)
        assert disbursed == sum(r["disbursed_amount"] or 0 for r in mine)

    now = datetime.now(timezone.utc)
    ranking = (await statistics.institution_response(statistics.StatsFilter())).rows
    assert {r[0] for r in ranking} == {r["institution.name"] for r in rows}
    for name, count, median_hours, overdue_share in ranking:
        mine = [r for r in rows if r["institution.name"] == name]
        late = [
            r for r in mine
            if (r["accepted_at"] and r["accepted_at"] > r["respond_by"])
            or (not r["accepted_at"] and r["decided_at"] and r["decided_at"] > r["respond_by"])
            or (r["status"] == "submitted" and r["respond_by"] <= now)
        ]
        assert float(overdue_share) == pytest.approx(100 * len(late) / len(mine), abs=0.05)
        hours = [(r["accepted_at"] - r["created_at"]).total_seconds() / 3600 for r in mine if r["accepted_at"]]
        if hours:
            assert float(median_hours) == pytest.approx(median(hours), abs=0.06)
    assert [r[3] for r in ranking] == sorted(r[3] for r in ranking)
    assert any(r[3] > 0 for r in ranking), "the seed has an overdue application"
