"""Which notices a user wants by SMS and e-mail (in-app messages are always on)."""

from piccolo.columns import Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.table import Table

from xqr.tables.accounts import User


class NotificationPreference(Table):
    """A user's choice for one channel and event; no row means the default (on)."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: sms | mail
    channel = Varchar(length=8)
    #: an event key of services.notification_prefs.EVENTS
    event = Varchar(length=30)
    #: "<user>:<channel>:<event>": one row per choice, whatever two tabs save at once
    choice_key = Varchar(length=60, unique=True)
    enabled = Boolean(default=True)
    updated_at = Timestamptz()
