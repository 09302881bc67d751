"""Accounts: enterprises, users and their roles, sessions, consents, the audit log."""

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from xqr.tables.catalogue import Institution


class Enterprise(Table):
    """An SME with an account on the platform."""

    name = Varchar(length=200)
    #: 统一社会信用代码 (GB 32100), unique: one account holder per enterprise
    credit_code = Varchar(length=18, unique=True)
    address = Varchar(length=300, default="")
    #: uncertified | pending | certified | rejected (未认证 / 审核中 / 已认证 / 未通过)
    cert_status = Varchar(length=16, default="uncertified", index=True)
    #: False when the name and code were typed by hand, not picked from the registry
    registry_matched = Boolean(default=True)
    created_at = Timestamptz()


class User(Table, tablename="xqr_user"):
    """A login: an enterprise's account holder or a member of staff."""

    #: as typed (for display); uniqueness is on username_key
    username = Varchar(length=40)
    #: lower-cased username, so that Alice and alice cannot both exist
    username_key = Varchar(length=40, unique=True)
    phone = Varchar(length=11, index=True)
    password_hash = Varchar(length=200)
    #: enterprise | reviewer | institution | admin
    role = Varchar(length=16, index=True)
    enterprise = ForeignKey(Enterprise, null=True, on_delete=OnDelete.restrict)
    institution = ForeignKey(Institution, null=True, on_delete=OnDelete.restrict)
    is_active = Boolean(default=True)
    #: set when an admin reset the password: the user chooses a new one at next login
    must_change_password = Boolean(default=False)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)


class WebSession(Table):
    """A server-side browser session; the cookie holds a token whose hash is the key."""

    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, null=True, on_delete=OnDelete.cascade, index=True)
    data = JSON(default="{}")
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz(index=True)


class Consent(Table):
    """A consent given: which document, which version, when, from where."""

    user = ForeignKey(User, null=True, on_delete=OnDelete.restrict, index=True)
    #: a browser's id for consents given before login (个人信息保护指引)
    visitor_id = Varchar(length=64, default="", index=True)
    #: user_agreement | privacy_guide | authorization_letter | application_share | demand_share
    document = Varchar(length=40)
    version = Varchar(length=20)
    #: what the consent is about, e.g. "application:12"; empty for platform documents
    subject = Varchar(length=60, default="")
    ip = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)


class AuditLog(Table):
    """Append-only record of staff and security-relevant actions."""

    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict, index=True)
    actor_name = Varchar(length=40, default="")
    actor_role = Varchar(length=16, default="")
    action = Varchar(length=60, index=True)
    target_type = Varchar(length=40, default="")
    target_id = Varchar(length=40, default="")
    detail = JSON(default="{}")
    ip = Varchar(length=64, default="")
    created_at = Timestamptz(index=True)
