"""In-app messages and the outbox of SMS and e-mail waiting for delivery."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from xqr.tables.accounts import User


class Message(Table):
    """A message in a user's 我的消息."""

    recipient = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    title = Varchar(length=200)
    body = Text(default="")
    #: where the message leads, e.g. the certification page
    link = Varchar(length=300, default="")
    is_read = Boolean(default=False)
    created_at = Timestamptz(index=True)


class Outbox(Table):
    """An SMS or e-mail written with the change that caused it, delivered later."""

    #: sms | mail
    channel = Varchar(length=8, index=True)
    #: a phone number or an e-mail address
    recipient = Varchar(length=200)
    subject = Varchar(length=200, default="")
    body_text = Text(default="")
    body_html = Text(default="")
    #: what the SMS is for, e.g. sms_code; lets the SMS gateway choose a template
    purpose = Varchar(length=40, default="")
    #: an SMS's template parameters in template order, as a JSON list of strings (SMS providers send
    #: an approved template plus parameters, never free text)
    params = Text(default="[]")
    #: pending | sent | failed (failed: attempts exhausted)
    status = Varchar(length=10, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(index=True)
    last_error = Text(default="")
    #: what the delivering backend said, e.g. that mail stayed in the outbox because no SMTP host is set
    note = Varchar(length=200, default="")
    #: which delivery loop holds the row, and until when
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)
    sent_at = Timestamptz(null=True, default=None)
