"""Financing demands (融资需求) posted by enterprises and the institutions' responses to them."""

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from xqr.tables.accounts import Consent, Enterprise, User
from xqr.tables.catalogue import Institution


class Demand(Table):
    """A financing demand; open demands are listed in the institutions' 需求大厅."""

    enterprise = ForeignKey(Enterprise, on_delete=OnDelete.restrict, index=True)
    posted_by = ForeignKey(User, on_delete=OnDelete.restrict)
    #: 融资金额, 万元
    amount = Numeric(digits=(12, 2))
    #: 期限, months
    term_months = Integer()
    #: 资金用途
    purpose = Text()
    #: 可提供的担保方式 (one of services.demands.GUARANTEES)
    guarantee = Varchar(length=20, index=True)
    #: 可接受的最高利率, annual %
    max_rate = Numeric(digits=(5, 2))
    #: 有效期: the last day the demand is open
    expires_on = Date(index=True)
    contact_name = Varchar(length=30)
    contact_phone = Varchar(length=11)
    contact_email = Varchar(length=120, default="")
    #: 6-digit division code of the enterprise (county level) and its GB/T 4754 section letter;
    #: copied onto the demand so the hall can filter without joining the certification facts
    region_code = Varchar(length=6, default="", index=True)
    industry = Varchar(length=2, default="", index=True)
    #: open | closed | expired
    status = Varchar(length=10, default="open", index=True)
    #: how many institutions took it (at most 3); raised only by a conditional update
    taken_count = Integer(default=0)
    #: the 需求共享授权 the enterprise gave when posting
    consent = ForeignKey(Consent, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(index=True)
    updated_at = Timestamptz()
    closed_at = Timestamptz(null=True, default=None)
    #: when the untaken-demand check told the admins (once)
    flagged_at = Timestamptz(null=True, default=None)
    #: when the enterprise was told the demand is about to expire (once)
    expiry_reminded_at = Timestamptz(null=True, default=None)


class DemandResponse(Table):
    """One institution's answer to a demand: dispatched to it by an admin and/or taken (接单) by its staff."""

    demand = ForeignKey(Demand, on_delete=OnDelete.cascade, index=True)
    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    #: "<demand id>:<institution id>": one response per institution and demand, whatever races
    pair_key = Varchar(length=40, unique=True)
    #: the staff member who took it
    staff = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    taken_at = Timestamptz(null=True, default=None, index=True)
    #: an admin sent the demand to this institution (派单)
    dispatched = Boolean(default=False)
    dispatched_by = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    dispatched_at = Timestamptz(null=True, default=None)
    #: none | contacted (已联系) | granted (已授信) | refused (未授信)
    outcome = Varchar(length=10, default="none", index=True)
    #: 授信金额, 万元 (granted)
    granted_amount = Numeric(digits=(12, 2), null=True, default=None)
    #: 未授信原因 (refused)
    refusal_reason = Varchar(length=200, default="")
    outcome_at = Timestamptz(null=True, default=None)
