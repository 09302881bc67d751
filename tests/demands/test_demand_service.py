"""Demand rules without HTTP: posting, editing, taking (with races), outcomes, dispatch, reminders."""

import asyncio
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.support.demand_data import certify, demand_form, enterprise_user, institution_staff, seeded_with_demand, user
from xqr.services import demands
from xqr.services.demo import seed_demo
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.tables.accounts import AuditLog, Consent
from xqr.tables.demands import Demand, DemandResponse
from xqr.tables.messaging import Message, Outbox
from xqr.services.demo import DEMO_ENTERPRISE_CODE
from xqr.tables.accounts import Enterprise

BAD_FIELDS = [
    ("amount", ""),
    ("amount", "abc"),
    ("amount", "0"),
    ("amount", "-5"),
    ("amount", "100001"),
    ("amount", "1.234"),
    ("amount", "NaN"),
    ("term_months", ""),
    ("term_months", "0"),
    ("term_months", "361"),
    ("term_months", "1.5"),
    ("purpose", ""),
    ("purpose", "x" * 501),
    ("guarantee", "房产"),
    ("max_rate", ""),
    ("max_rate", "0"),
    ("max_rate", "36.01"),
    ("expires_on", ""),
    ("expires_on", "2026-13-01"),
    ("expires_on", demands.today().isoformat()),
    ("expires_on", (demands.today() + timedelta(days=181)).isoformat()),
    ("industry", "Z"),
    ("contact_name", ""),
    ("contact_phone", "12345"),
    ("contact_email", "not-an-email"),
    ("consent", ""),
]


@pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
async def test_each_bad_field_is_refused_with_its_message_and_nothing_is_saved(db, field, value):
    await seed_demo()
    poster = await certify()
    with pytest.raises(ValidationFailed) as caught:
        await demands.post_demand(poster, demand_form(**{field: value}))
    assert list(caught.value.errors) == [field]
    assert await Demand.count() == 0
    assert await Consent.count().where(Consent.document == "demand_share") == 0


async def test_an_uncertified_enterprise_cannot_post(db):
    await seed_demo()
    # The demo enterprise is seeded certified; take it back to 未认证.
    await Enterprise.update({Enterprise.cert_status: "uncertified"}).where(Enterprise.credit_code == DEMO_ENTERPRISE_CODE)
    with pytest.raises(Forbidden):
        await demands.post_demand(await user("demo_qiye"), demand_form())
    assert await Demand.count() == 0


async def test_posting_records_the_consent_and_the_region_from_the_credit_code(db):
    poster, demand_id = await seeded_with_demand()
    demand = await Demand.select().where(Demand.id == demand_id).first()
    consent = await Consent.select().where(Consent.id == demand["consent"]).first()
    assert consent["user"] == poster.id and consent["document"] == "demand_share" and consent["subject"] == f"demand:{demand_id}"
    assert demand["region_code"] == "430104"  # the demo enterprise's code is registered in 岳麓区
    assert demand["amount"] == Decimal("300") and demand["status"] == "open"


async def test_an_enterprise_cannot_see_edit_or_close_another_enterprises_demand(db):
    _, demand_id = await seeded_with_demand()
    other = await enterprise_user("other_qiye", "另一家公司", "430102", 1)
    with pytest.raises(NotFound):
        await demands.own_demand(other, demand_id)
    with pytest.raises(NotFound):
        await demands.edit_demand(other, demand_id, demand_form(amount="1"))
    with pytest.raises(NotFound):
        await demands.close_demand(other, demand_id)
    assert (await Demand.select(Demand.amount, Demand.status).first()) == {"amount": Decimal("300"), "status": "open"}


async def test_a_closed_demand_cannot_be_edited_closed_again_or_taken(db):
    poster, demand_id = await seeded_with_demand()
    await demands.close_demand(poster, demand_id)
    with pytest.raises(Conflict):
        await demands.edit_demand(poster, demand_id, demand_form(amount="1"))
    with pytest.raises(Conflict):
        await demands.close_demand(poster, demand_id)
    with pytest.raises(Conflict, match="已关闭"):
        await demands.take_demand(await user("demo_gsyh"), demand_id)
    assert await DemandResponse.count() == 0


async def test_editing_an_open_demand_changes_it(db):
    poster, demand_id = await seeded_with_demand()
    await demands.edit_demand(poster, demand_id, demand_form(amount="450.5", consent=""))
    assert (await Demand.select(Demand.amount).first())["amount"] == Decimal("450.5")


async def test_the_same_institution_cannot_take_a_demand_twice(db):
    _, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    await demands.take_demand(bank, demand_id)
    with pytest.raises(Conflict, match="已接过"):
        await demands.take_demand(bank, demand_id)
    colleague = await institution_staff("gsyh_two", "中国工商银行")
    with pytest.raises(Conflict, match="已接过"):
        await demands.take_demand(colleague, demand_id)
    assert await DemandResponse.count() == 1
    assert (await Demand.select(Demand.taken_count).first())["taken_count"] == 1


async def test_a_fourth_institution_cannot_take_a_demand(db):
    _, demand_id = await seeded_with_demand()
    banks = [await user("demo_gsyh"), await user("demo_csyh"), await institution_staff("third", "湖南银行")]
    for bank in banks:
        await demands.take_demand(bank, demand_id)
    with pytest.raises(Conflict, match="3家"):
        await demands.take_demand(await institution_staff("fourth", "招商银行"), demand_id)
    assert await DemandResponse.count() == 3


async def test_racing_institutions_on_the_last_slot_never_exceed_three(db):
    _, demand_id = await seeded_with_demand()
    await demands.take_demand(await user("demo_gsyh"), demand_id)
    await demands.take_demand(await user("demo_csyh"), demand_id)
    racers = [await institution_staff(f"racer{n}", f"赛跑银行{n}") for n in range(6)]
    results = await asyncio.gather(*(demands.take_demand(r, demand_id) for r in racers), return_exceptions=True)
    winners = [r for r in results if r is None]
    assert len(winners) == 1
    assert all(isinstance(r, Conflict) for r in results if r is not None)
    assert await DemandResponse.count().where(DemandResponse.taken_at.is_not_null()) == 3
    assert (await Demand.select(Demand.taken_count).first())["taken_count"] == 3


async def test_one_institution_racing_itself_takes_once(db):
    _, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    results = await asyncio.gather(*(demands.take_demand(bank, demand_id) for _ in range(4)), return_exceptions=True)
    assert sum(r is None for r in results) == 1
    assert (await Demand.select(Demand.taken_count).first())["taken_count"] == 1


async def test_taking_tells_the_enterprise_by_message_and_mail_and_is_audited(db):
    poster, demand_id = await seeded_with_demand()
    await demands.take_demand(await user("demo_gsyh"), demand_id, ip="10.0.0.1")
    message = await Message.select().where(Message.recipient == poster.id).first()
    assert "中国工商银行" in message["title"] and message["link"] == f"/my/demands/{demand_id}"
    mail = await Outbox.select().where(Outbox.purpose == "demand_taken").first()
    assert mail["recipient"] == "li@example.com" and "中国工商银行" in mail["subject"]
    entry = await AuditLog.select().where(AuditLog.action == "demand.take").first()
    assert entry["actor_name"] == "demo_gsyh" and entry["target_id"] == str(demand_id) and entry["ip"] == "10.0.0.1"


async def test_staff_see_the_enterprise_facts_only_after_taking(db):
    _, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    assert (await demands.demand_for_institution(bank, demand_id))["enterprise_facts"] is None
    await demands.take_demand(bank, demand_id)
    facts = (await demands.demand_for_institution(bank, demand_id))["enterprise_facts"]
    assert facts["统一社会信用代码"] == "91430104MA4T7K2C4C"


async def test_a_closed_demand_not_taken_by_the_institution_is_not_found(db):
    poster, demand_id = await seeded_with_demand()
    await demands.close_demand(poster, demand_id)
    with pytest.raises(NotFound):
        await demands.demand_for_institution(await user("demo_gsyh"), demand_id)


OUTCOME_ERRORS = [
    ({"outcome": ""}, "outcome"),
    ({"outcome": "won"}, "outcome"),
    ({"outcome": "granted", "granted_amount": ""}, "granted_amount"),
    ({"outcome": "granted", "granted_amount": "0"}, "granted_amount"),
    ({"outcome": "granted", "granted_amount": "x"}, "granted_amount"),
    ({"outcome": "refused", "refusal_reason": ""}, "refusal_reason"),
    ({"outcome": "refused", "refusal_reason": "x" * 201}, "refusal_reason"),
]


@pytest.mark.parametrize(("form", "field"), OUTCOME_ERRORS)
async def test_bad_outcomes_are_refused_and_nothing_changes(db, form, field):
    _, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    await demands.take_demand(bank, demand_id)
    with pytest.raises(ValidationFailed) as caught:
        await demands.record_outcome(bank, demand_id, form)
    assert list(caught.value.errors) == [field]
    assert (await DemandResponse.select(DemandResponse.outcome).first())["outcome"] == "none"


async def test_an_outcome_needs_a_take_by_this_institution(db):
    _, demand_id = await seeded_with_demand()
    await demands.take_demand(await user("demo_gsyh"), demand_id)
    with pytest.raises(NotFound):
        await demands.record_outcome(await user("demo_csyh"), demand_id, {"outcome": "contacted"})


async def test_granted_with_amount_is_recorded_and_the_enterprise_told(db):
    poster, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    await demands.take_demand(bank, demand_id)
    await demands.record_outcome(bank, demand_id, {"outcome": "granted", "granted_amount": "280"})
    response = (await demands.responses_of(demand_id))[0]
    assert response["outcome"] == "granted" and response["granted_amount"] == Decimal("280")
    assert response["outcome_label"] == "已授信"
    assert await Message.exists().where((Message.recipient == poster.id) & Message.title.like("%已授信%"))
    assert await Outbox.exists().where(Outbox.purpose == "demand_outcome")
    assert await AuditLog.exists().where(AuditLog.action == "demand.outcome")


async def test_the_hall_filters_and_lists_dispatched_demands_first(db):
    poster, first = await seeded_with_demand(amount="100", guarantee="抵押", industry="C")
    second = await demands.post_demand(poster, demand_form(amount="800", term_months="36", guarantee="信用", industry="I"))
    bank = await user("demo_gsyh")
    ids = lambda rows: [r["id"] for r in rows]  # noqa: E731
    assert ids(await demands.hall(bank, demands.HallFilter())) == [second, first]
    assert ids(await demands.hall(bank, demands.HallFilter(min_amount=Decimal(500)))) == [second]
    assert ids(await demands.hall(bank, demands.HallFilter(max_amount=Decimal(500)))) == [first]
    assert ids(await demands.hall(bank, demands.HallFilter(max_term=12))) == [first]
    assert ids(await demands.hall(bank, demands.HallFilter(guarantee="抵押"))) == [first]
    assert ids(await demands.hall(bank, demands.HallFilter(industry="I"))) == [second]
    assert ids(await demands.hall(bank, demands.HallFilter(region="4301"))) == [second, first]
    assert ids(await demands.hall(bank, demands.HallFilter(region="4302"))) == []
    await demands.dispatch_demand(await user("demo_admin"), first, str(bank.institution_id))
    assert ids(await demands.hall(bank, demands.HallFilter())) == [first, second]


def test_bad_hall_filters_are_reported_and_ignored():
    filters, errors = demands.parse_hall_filter({"min_amount": "abc", "max_term": "-1", "region": "4301"})
    assert set(errors) == {"min_amount", "max_term"}
    assert filters.min_amount is None and filters.max_term is None and filters.region == "4301"


def test_working_days_skip_weekends():
    friday_noon = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)  # 12:00 Beijing, a Friday
    assert demands.working_days_before(friday_noon, 3).astimezone(demands.CHINA_TIME).date() == date(2026, 11, 24)
    wednesday = datetime(2026, 12, 2, 4, 0, tzinfo=timezone.utc)
    assert demands.working_days_before(wednesday, 3).astimezone(demands.CHINA_TIME).date() == date(2026, 11, 27)


async def _age(demand_id: int, days: int) -> None:
    await Demand.update({Demand.created_at: datetime.now(timezone.utc) - timedelta(days=days)}).where(Demand.id == demand_id)


async def test_untaken_demands_are_flagged_after_the_working_days_and_dispatch_reaches_the_institution(db):
    _, demand_id = await seeded_with_demand()
    assert await demands.flagged_demands(3) == []
    await _age(demand_id, 6)
    flagged = await demands.flagged_demands(3)
    assert [row["id"] for row in flagged] == [demand_id]
    admin = await user("demo_admin")
    bank = await user("demo_csyh")
    await demands.dispatch_demand(admin, demand_id, str(bank.institution_id), ip="10.0.0.9")
    with pytest.raises(Conflict):
        await demands.dispatch_demand(admin, demand_id, str(bank.institution_id))
    assert await Message.exists().where((Message.recipient == bank.id) & Message.title.like("%派发%"))
    assert await AuditLog.exists().where((AuditLog.action == "demand.dispatch") & (AuditLog.actor == admin.id))
    # A dispatch does not use a slot; taking it does, once.
    assert (await Demand.select(Demand.taken_count).first())["taken_count"] == 0
    await demands.take_demand(bank, demand_id)
    response = await DemandResponse.select().first()
    assert response["dispatched"] and response["taken_at"] is not None
    assert await DemandResponse.count() == 1
    assert await demands.flagged_demands(3) == []


@pytest.mark.parametrize("institution", ["", "abc", "999999"])
async def test_dispatch_needs_an_existing_institution(db, institution):
    _, demand_id = await seeded_with_demand()
    with pytest.raises(ValidationFailed):
        await demands.dispatch_demand(await user("demo_admin"), demand_id, institution)
    assert await DemandResponse.count() == 0


async def test_only_admins_dispatch_and_closed_demands_are_not_dispatched(db):
    poster, demand_id = await seeded_with_demand()
    bank = await user("demo_gsyh")
    with pytest.raises(Forbidden):
        await demands.dispatch_demand(bank, demand_id, str(bank.institution_id))
    await demands.close_demand(poster, demand_id)
    with pytest.raises(Conflict):
        await demands.dispatch_demand(await user("demo_admin"), demand_id, str(bank.institution_id))


async def test_reminders_expire_warn_and_flag_once(db):
    poster, soon = await seeded_with_demand(expires_on=(demands.today() + timedelta(days=2)).isoformat())
    later = await demands.post_demand(poster, demand_form(contact_email=""))
    past = await demands.post_demand(poster, demand_form())
    await Demand.update({Demand.expires_on: demands.today() - timedelta(days=1)}).where(Demand.id == past)
    await _age(later, 10)
    first = await demands.run_reminders(untaken_working_days=3, expiry_notice_days=3)
    assert first == demands.ReminderReport(expired=1, expiry_reminders=1, flagged=1)
    assert (await Demand.select(Demand.status).where(Demand.id == past).first())["status"] == "expired"
    assert await Outbox.count().where(Outbox.purpose == "demand_expiring") == 1
    admin = await user("demo_admin")
    assert await Message.count().where(Message.recipient == admin.id) == 1
    again = await demands.run_reminders(untaken_working_days=3, expiry_notice_days=3)
    assert again == demands.ReminderReport(expired=0, expiry_reminders=0, flagged=0)
    assert await Message.count().where(Message.recipient == admin.id) == 1
    assert soon != later


def test_the_remind_command_runs_the_check_and_reports(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "xqr.cli", "demands", "remind"], env=os.environ.copy(), capture_output=True, text=True, check=True
    )
    assert "已过期 0 条" in result.stdout


async def test_region_industry_contact_and_shared_facts_come_from_the_approved_certification(db):
    from xqr.tables.certification import CertificationRequest

    await seed_demo()
    poster = await certify()
    moment = datetime.now(timezone.utc)
    await CertificationRequest(
        enterprise=poster.enterprise_id, applicant=poster.id, status="approved", credit_code="91430104MA4T7K2C4C",
        enterprise_name="湖南湘企示范科技有限公司", division_code="430602", industry_code="65", legal_representative="张三",
        contact_name="赵会计", contact_phone="13911112222", contact_email="zhao@example.com",
        created_at=moment, updated_at=moment, submitted_at=moment, decided_at=moment,
    ).save()
    defaults = await demands.form_defaults(poster)
    assert defaults == {"industry": "I", "contact_name": "赵会计", "contact_phone": "13911112222", "contact_email": "zhao@example.com"}
    demand_id = await demands.post_demand(poster, demand_form(**defaults))
    assert (await Demand.select(Demand.region_code).first())["region_code"] == "430602"
    bank = await user("demo_gsyh")
    assert [r["id"] for r in await demands.hall(bank, demands.HallFilter(region="4306", industry="I"))] == [demand_id]
    await demands.take_demand(bank, demand_id)
    facts = (await demands.demand_for_institution(bank, demand_id))["enterprise_facts"]
    assert facts["法人代表"] == "张三" and facts["行业分类"] == "软件和信息技术服务业" and facts["注册区域"].startswith("岳阳市")


async def test_the_reminder_loop_runs_a_round_at_once_and_survives_a_failing_one(db, monkeypatch):
    rounds: list[int] = []

    async def failing_round(untaken_working_days: int, expiry_notice_days: int) -> None:
        rounds.append(untaken_working_days)
        raise RuntimeError("database away")

    monkeypatch.setattr(demands, "run_reminders", failing_round)
    monkeypatch.setattr(demands, "REMINDER_INTERVAL_SECONDS", 0.01)
    loop = asyncio.create_task(demands.run_reminder_loop(3, 3))
    while len(rounds) < 2:
        await asyncio.sleep(0.01)
    loop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await loop
    assert rounds[:2] == [3, 3]
