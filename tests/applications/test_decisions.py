"""The state machine: staff transitions, 撤回, races, scopes, timeline, audit and messages."""

import asyncio
from decimal import Decimal

import pytest

from tests.applications.conftest import actor, certify, good_application, product_of
from xqr.services import applications
from xqr.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from xqr.tables.accounts import AuditLog
from xqr.tables.applications import ApplicationEvent, LoanApplication
from xqr.tables.messaging import Message


async def _submitted(institution: str = "中国工商银行") -> int:
    await certify("demo_qiye")
    product = await product_of(institution)
    applied = await applications.apply(await actor("demo_qiye"), product["id"], good_application(product), response_days=3)
    return applied.id


async def _status(application_id: int) -> str:
    return (await LoanApplication.select(LoanApplication.status).where(LoanApplication.id == application_id).first())["status"]


async def _events(application_id: int) -> list[tuple[str, str]]:
    rows = await ApplicationEvent.select().where(ApplicationEvent.application == application_id).order_by(ApplicationEvent.id)
    return [(row["from_status"], row["to_status"]) for row in rows]


def today() -> str:
    """Today in Beijing, as the platform dates a disbursement."""
    return applications.now().astimezone(applications.CHINA_TIME).date().isoformat()


APPROVAL = {"approved_amount": "1", "approved_rate": "3.5", "approved_term_months": "6"}


async def test_accept_approve_disburse_each_leave_a_timeline_row_an_audit_row_and_a_message(demo):
    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    qiye = await actor("demo_qiye")
    await applications.accept(staff, application_id)
    await applications.approve(staff, application_id, APPROVAL)
    await applications.disburse(staff, application_id, {"disbursed_amount": "1", "disbursed_on": today()})
    assert await _status(application_id) == "disbursed"
    assert await _events(application_id) == [("", "submitted"), ("submitted", "accepted"), ("accepted", "approved"), ("approved", "disbursed")]
    actions = [row["action"] for row in await AuditLog.select(AuditLog.action).where(AuditLog.target_type == "loan_application").order_by(AuditLog.id)]
    assert actions == ["application.accept", "application.approve", "application.disburse"]
    titles = [row["title"] for row in await Message.select(Message.title).where(Message.recipient == qiye.id).order_by(Message.id)]
    assert titles[1:] == ["融资申请已受理", "融资申请审批通过", "融资申请已放款"]
    row = await LoanApplication.select().where(LoanApplication.id == application_id).first()
    assert row["open_key"] is None and row["approved_rate"] == Decimal("3.5")


async def test_decline_needs_a_reason_and_tells_the_enterprise_why(demo):
    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    with pytest.raises(ValidationFailed) as failed:
        await applications.decline(staff, application_id, {"reason": " "})
    assert "reason" in failed.value.errors
    assert await _status(application_id) == "submitted"
    await applications.decline(staff, application_id, {"reason": "经营流水不足"})
    message = await Message.select().order_by(Message.id, ascending=False).first()
    assert "经营流水不足" in message["body"]
    assert await _status(application_id) == "declined"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({**APPROVAL, "approved_amount": ""}, "approved_amount"),
        ({**APPROVAL, "approved_amount": "0"}, "approved_amount"),
        ({**APPROVAL, "approved_rate": "40"}, "approved_rate"),
        ({**APPROVAL, "approved_rate": "x"}, "approved_rate"),
        ({**APPROVAL, "approved_term_months": "0"}, "approved_term_months"),
    ],
)
async def test_approval_values_are_checked(demo, values, field):
    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    await applications.accept(staff, application_id)
    with pytest.raises(ValidationFailed) as failed:
        await applications.approve(staff, application_id, values)
    assert list(failed.value.errors) == [field]
    assert await _status(application_id) == "accepted"


async def test_disbursement_cannot_exceed_the_approved_amount_or_be_in_the_future(demo):
    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    await applications.accept(staff, application_id)
    await applications.approve(staff, application_id, APPROVAL)
    with pytest.raises(ValidationFailed) as failed:
        await applications.disburse(staff, application_id, {"disbursed_amount": "2", "disbursed_on": "2099-01-01"})
    assert set(failed.value.errors) == {"disbursed_amount", "disbursed_on"}
    assert await _status(application_id) == "approved"


@pytest.mark.parametrize(
    ("action", "from_state"),
    [("approve", "submitted"), ("disburse", "accepted"), ("accept", "accepted"), ("decline", "approved"), ("withdraw", "approved")],
)
async def test_a_transition_not_allowed_from_the_current_state_is_refused(demo, action, from_state):
    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    if from_state in ("accepted", "approved"):
        await applications.accept(staff, application_id)
    if from_state == "approved":
        await applications.approve(staff, application_id, APPROVAL)
    before = await _events(application_id)
    calls = {
        "approve": lambda: applications.approve(staff, application_id, APPROVAL),
        "disburse": lambda: applications.disburse(staff, application_id, {"disbursed_amount": "1", "disbursed_on": today()}),
        "accept": lambda: applications.accept(staff, application_id),
        "decline": lambda: applications.decline(staff, application_id, {"reason": "不符合条件"}),
        "withdraw": lambda: _withdraw(application_id),
    }
    with pytest.raises(Conflict) as refused:
        await calls[action]()
    assert "当前状态" in str(refused.value)
    assert await _status(application_id) == from_state
    assert await _events(application_id) == before


async def _withdraw(application_id):
    await applications.withdraw(await actor("demo_qiye"), application_id)


async def test_the_enterprise_withdraws_while_waiting_or_under_review(demo):
    application_id = await _submitted()
    await applications.accept(await actor("demo_gsyh"), application_id)
    await _withdraw(application_id)
    assert await _status(application_id) == "withdrawn"
    assert (await _events(application_id))[-1] == ("accepted", "withdrawn")
    # the enterprise's own action is not a staff action
    assert await AuditLog.count().where(AuditLog.action == "application.withdraw") == 0


async def test_staff_of_another_bank_cannot_see_or_decide_the_application(demo):
    application_id = await _submitted("中国工商银行")
    other = await actor("demo_csyh")
    with pytest.raises(NotFound):
        await applications.for_staff(other, application_id)
    with pytest.raises(NotFound):
        await applications.accept(other, application_id)
    assert (await applications.queue(other)).total == 0
    assert await _status(application_id) == "submitted"


async def test_admins_read_every_queue_but_do_not_decide(demo):
    application_id = await _submitted()
    admin = await actor("demo_admin")
    assert (await applications.queue(admin)).total == 1
    assert (await applications.for_staff(admin, application_id))["number"].startswith("XQR-")
    with pytest.raises(Forbidden):
        await applications.accept(admin, application_id)


@pytest.mark.parametrize("decision", ["accept", "decline"])
async def test_two_staff_deciding_at_once_exactly_one_wins_and_the_timeline_has_one_entry(demo, decision):
    from xqr.services.users import create_user

    application_id = await _submitted()
    await create_user(username="gsyh_two", phone="13800000013", password="Demo@2026x", role="institution", institution_name="中国工商银行")
    staff = [await actor("demo_gsyh"), await actor("gsyh_two")]
    if decision == "accept":
        calls = [applications.accept(member, application_id) for member in staff]
    else:
        calls = [applications.decline(member, application_id, {"reason": f"材料不全（{member.username}）"}) for member in staff]
    results = await asyncio.gather(*calls, return_exceptions=True)
    assert sum(result is None for result in results) == 1, results
    assert sum(isinstance(result, Conflict) for result in results) == 1, results
    events = await _events(application_id)
    assert events == [("", "submitted"), ("submitted", "accepted" if decision == "accept" else "declined")]
    assert await AuditLog.count().where(AuditLog.target_type == "loan_application") == 1
    # the submission message and the one decision
    assert await Message.count().where(Message.title.like("融资申请%")) == 2


async def test_the_home_figures_count_applications_and_the_approved_amount(demo):
    from xqr.services.figures import platform_figures

    application_id = await _submitted()
    await _submitted("长沙银行")
    staff = await actor("demo_gsyh")
    await applications.accept(staff, application_id)
    await applications.approve(staff, application_id, {**APPROVAL, "approved_amount": "2.5"})
    figures = await platform_figures()
    assert figures.applications == 2 and figures.approved_amount == Decimal("2.5")


async def test_progress_e_mails_follow_the_enterprises_notification_preferences(demo):
    from xqr.services import notification_prefs
    from xqr.tables.messaging import Outbox

    application_id = await _submitted()
    staff = await actor("demo_gsyh")
    qiye = await actor("demo_qiye")
    mails_before = await Outbox.count().where(Outbox.purpose == "application_status")
    await applications.accept(staff, application_id)
    after_accept = await Outbox.count().where(Outbox.purpose == "application_status")
    assert after_accept == mails_before + 1

    everything_but_application_mail = {
        f"{channel}:{event}": "on"
        for event in notification_prefs.events_for("enterprise")
        for channel in notification_prefs.CHANNELS
        if (channel, event) != ("mail", "application")
    }
    await notification_prefs.save_choices(qiye.id, "enterprise", everything_but_application_mail)
    await applications.approve(staff, application_id, APPROVAL)

    assert await Outbox.count().where(Outbox.purpose == "application_status") == after_accept
    titles = [row["title"] for row in await Message.select(Message.title).where(Message.recipient == qiye.id)]
    assert "融资申请审批通过" in titles  # 我的消息 is always on
