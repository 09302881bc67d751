"""SMS verification codes and the login history.

Send limits (cooldown, daily caps) are counted from the SmsCode rows themselves and
login lockout from User.failed_logins / locked_until and LoginEvent rows: all in the
database, so that every app process sees the same counts.
"""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from xqr.tables.accounts import User


class SmsCode(Table):
    """A 6-digit code sent by SMS; only its keyed hash is kept."""

    phone = Varchar(length=11, index=True)
    #: register | login | reset_password | change_phone
    purpose = Varchar(length=20)
    #: HMAC-SHA256(secret key, phone:purpose:code), hex
    code_hash = Varchar(length=64)
    expires_at = Timestamptz()
    #: wrong codes typed against this one; at the limit the code is dead
    attempts = Integer(default=0)
    used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)
    #: who asked for it: per-IP daily caps count these
    ip = Varchar(length=64, default="", index=True)


class LoginEvent(Table):
    """One login attempt (password or code step), successful or not."""

    #: null when the typed account does not exist
    user = ForeignKey(User, null=True, on_delete=OnDelete.cascade, index=True)
    #: lower-cased account as typed, so that failures against unknown accounts throttle the same way
    username_key = Varchar(length=40, index=True)
    success = Boolean(default=False)
    #: ok | password | locked | inactive | code
    reason = Varchar(length=16, default="")
    ip = Varchar(length=64, default="", index=True)
    user_agent = Varchar(length=300, default="")
    created_at = Timestamptz(index=True)
