"""快速人脸认证 of a certification request's legal representative: start, take the return, record the result.

The certification feature owns the requests; a `SubjectSource` (by default the certification
requests, face_subjects.py; tests may put their own with `use_subject_source`) says whose face a
request needs (name, ID number, enterprise) and takes the result back onto the request for reviewers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from xqr.db import write_transaction
from xqr.gateways.identity import NOT_FINISHED, IdentityVerifier
from xqr.services.errors import DomainError, NotFound
from xqr.tables.face_checks import FaceCheck
from xqr.services.consents import record_consent

#: the separate consent to processing face data (PIPL Art. 29; 人脸识别技术应用安全管理办法)
AUTHORIZATION_DOCUMENT = "face_authorization"
AUTHORIZATION_VERSION = "2026-11"

STATUS_LABELS = {"started": "认证中", "passed": "认证通过", "failed": "认证未通过", "expired": "已过期"}


@dataclass(frozen=True)
class FaceSubject:
    """Whose face a certification request needs checked."""

    request_id: int
    enterprise_id: int
    name: str
    id_number: str


class SubjectSource(Protocol):
    async def load(self, request_id: int) -> FaceSubject | None:
        """The request's legal representative, or None when no such request awaits a face check."""

    async def record(self, request_id: int, status: str, finished_at: datetime) -> None:
        """Copy a finished check's status (passed | failed) onto the request, for reviewers."""


_source: SubjectSource | None = None


def use_subject_source(source: SubjectSource | None) -> None:
    """Replace the certification requests as the source of subjects (None: back to them)."""
    global _source
    _source = source


def subject_source() -> SubjectSource:
    if _source is not None:
        return _source
    # Imported here: face_subjects needs FaceSubject from this module.
    from xqr.services.face_subjects import CertificationRequests

    return CertificationRequests()


class FaceCheckRefused(DomainError):
    """A return the check cannot accept; the message tells the user what to do."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


async def subject_for(request_id: int, enterprise_id: int | None) -> FaceSubject:
    """The request's subject, only for the enterprise that owns it (others: 404, as if it did not exist)."""
    subject = await subject_source().load(request_id)
    if subject is None or enterprise_id is None or subject.enterprise_id != enterprise_id:
        raise NotFound("认证申请不存在")
    return subject


async def start_face_check(
    *,
    request_id: int,
    user_id: int,
    enterprise_id: int | None,
    verifier: IdentityVerifier,
    return_url_base: str,
    ip: str,
    user_agent: str,
) -> dict:
    """Record the authorization and start a check at the provider; returns the FaceCheck row.

    return_url_base + "/<ref>" is where the provider sends the user back.
    """
    subject = await subject_for(request_id, enterprise_id)
    ref = secrets.token_urlsafe(16)
    # The provider call is outside the transaction: a slow network must not hold the write lock.
    started = await verifier.start(ref, subject.name, subject.id_number, f"{return_url_base}/{ref}")
    moment = _now()
    async with write_transaction():
        await record_consent(
            AUTHORIZATION_DOCUMENT, AUTHORIZATION_VERSION, user_id=user_id, subject=f"certification:{request_id}", ip=ip, user_agent=user_agent
        )
        check = FaceCheck(
            request_id=request_id,
            enterprise=subject.enterprise_id,
            started_by=user_id,
            ref=ref,
            token=started.token,
            backend=verifier.name,
            start_url=started.url,
            started_at=moment,
            expires_at=started.expires_at,
        )
        await check.save()
    return check.to_dict()


async def check_of(ref: str, enterprise_id: int | None) -> dict:
    """A check of this enterprise; a lapsed one is marked expired on the way."""
    row = await FaceCheck.select().where(FaceCheck.ref == ref).first()
    if row is None or enterprise_id is None or row["enterprise"] != enterprise_id:
        raise NotFound("人脸认证记录不存在")
    if row["status"] == "started" and row["expires_at"] <= _now():
        await _finish(row, "expired", "15", "认证已过期，请重新发起人脸认证")
        row = await FaceCheck.select().where(FaceCheck.id == row["id"]).first()
    return row


async def latest_for_request(request_id: int) -> dict | None:
    """The newest check of a certification request (reviewers see it on the request)."""
    return await FaceCheck.select().where(FaceCheck.request_id == request_id).order_by(FaceCheck.id, ascending=False).first()


async def _finish(row: dict, status: str, code: str, message: str) -> bool:
    """Close a started check once; False when another return closed it first."""
    moment = _now()
    async with write_transaction():
        closed = await FaceCheck.update(
            {
                FaceCheck.status: status,
                FaceCheck.used: True,
                FaceCheck.finished_at: moment,
                FaceCheck.result_code: code,
                FaceCheck.result_message: message[:200],
            }
        ).where((FaceCheck.id == row["id"]) & (FaceCheck.status == "started") & (FaceCheck.used == False)).returning(  # noqa: E712
            FaceCheck.id
        )
    if closed and status in {"passed", "failed"}:
        await subject_source().record(row["request_id"], status, moment)
    return bool(closed)


async def finish_face_check(ref: str, token: str, verifier: IdentityVerifier) -> dict:
    """Take the provider's return for check `ref`: accept only a success of this check's own token.

    The redirect proves nothing by itself: the result is fetched from the provider by token.
    Raises FaceCheckRefused for another request's token, a replay, an expired check or a failure.
    """
    row = await FaceCheck.select().where(FaceCheck.ref == ref).first()
    if row is None:
        raise NotFound("人脸认证记录不存在")
    if row["used"] or row["status"] != "started":
        raise FaceCheckRefused("该认证结果已处理，请勿重复提交。如需重新认证，请重新发起人脸认证。")
    if not token or not secrets.compare_digest(token, row["token"]):
        raise FaceCheckRefused("认证凭证与本次认证不符，结果未被采纳。请重新发起人脸认证。")
    if row["expires_at"] <= _now():
        await _finish(row, "expired", "15", "认证已过期，请重新发起人脸认证")
        raise FaceCheckRefused("认证已过期，请重新发起人脸认证。")
    result = await verifier.result(token)
    if result.code == NOT_FINISHED:
        raise FaceCheckRefused(result.message)
    status = "passed" if result.success else ("expired" if result.code == "15" else "failed")
    if not await _finish(row, status, result.code, result.message):
        raise FaceCheckRefused("该认证结果已处理，请勿重复提交。如需重新认证，请重新发起人脸认证。")
    if not result.success:
        raise FaceCheckRefused(result.message)
    return await FaceCheck.select().where(FaceCheck.id == row["id"]).first()
