"""Stand-ins for what other features own, until they land in this branch.

- The personal-data pages (/register, /login, /password/forgot) belong to the auth feature; where the
  app has no such route yet, a page under the same guard stands in, so the gate is tested on the
  paths it will guard. Once the real pages exist they are used (and must carry the guard).
- The certification requests belong to the certification feature; `RequestsOnFile` is the subject
  source it will register, kept here as a plain record of requests created by the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from litestar import Litestar, get

from xqr.services.face_check import FaceSubject
from xqr.tables.accounts import Enterprise
from xqr.services.users import create_user
from xqr.web.privacy import requires_privacy_consent

PERSONAL_DATA_PATHS = ["/register", "/login", "/password/forgot"]
STAND_IN_TEXT = "个人信息填写页（测试替身）"


def add_personal_page_stand_ins(app: Litestar) -> None:
    present = {route.path for route in app.routes}
    missing = [path for path in PERSONAL_DATA_PATHS if path not in present]
    if not missing:
        return

    @get(missing, guards=[requires_privacy_consent], name="personal_page_stand_in", media_type="text/html")
    async def personal_page_stand_in() -> str:
        return f'<!doctype html><link rel="icon" href="/static/favicon.svg"><title>{STAND_IN_TEXT}</title><h1>{STAND_IN_TEXT}</h1>'

    app.register(personal_page_stand_in)


@dataclass
class RequestsOnFile:
    """A SubjectSource over requests the test put on file; `recorded` is what reviewers would see."""

    subjects: dict[int, FaceSubject] = field(default_factory=dict)
    recorded: dict[int, tuple[str, datetime]] = field(default_factory=dict)

    def file(self, enterprise_id: int, name: str = "张三丰", id_number: str = "430102199001011234") -> FaceSubject:
        subject = FaceSubject(len(self.subjects) + 101, enterprise_id, name, id_number)
        self.subjects[subject.request_id] = subject
        return subject

    async def load(self, request_id: int) -> FaceSubject | None:
        return self.subjects.get(request_id)

    async def record(self, request_id: int, status: str, finished_at: datetime) -> None:
        self.recorded[request_id] = (status, finished_at)


async def enterprise_user(username: str, credit_code: str, name: str = "测试企业有限公司") -> tuple[int, int]:
    """An enterprise and its account holder; returns (enterprise id, user id)."""
    enterprise = Enterprise(name=name, credit_code=credit_code, created_at=datetime.now(timezone.utc))
    await enterprise.save()
    user_id = await create_user(
        username=username, phone="13900000000", password="Passw0rd!2026", role="enterprise", enterprise_id=enterprise.id
    )
    return enterprise.id, user_id
