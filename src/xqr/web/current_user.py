"""Who is making the request, as the templates and guards see it."""

from __future__ import annotations

from dataclasses import dataclass

ROLE_LABELS = {
    "enterprise": "企业管理员",
    "reviewer": "审核员",
    "institution": "机构人员",
    "admin": "管理员",
}

CERT_STATUS_LABELS = {
    "uncertified": "未认证",
    "pending": "审核中",
    "certified": "已认证",
    "rejected": "未通过",
}


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    phone: str
    enterprise_id: int | None = None
    enterprise_name: str = ""
    cert_status: str = ""
    institution_id: int | None = None
    institution_name: str = ""
    unread_messages: int = 0
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def is_certified(self) -> bool:
        return self.cert_status == "certified"

    @property
    def cert_status_label(self) -> str:
        return CERT_STATUS_LABELS.get(self.cert_status, "")

    @property
    def home_path(self) -> str:
        """Where this user's back office starts."""
        return {
            "enterprise": "/my/enterprise",
            "reviewer": "/review/certifications",
            "institution": "/bank/applications",
            "admin": "/admin",
        }[self.role]
