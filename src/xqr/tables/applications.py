"""Loan applications (融资申请) and their timelines."""

from piccolo.columns import (
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
from xqr.tables.catalogue import Institution, Product


class LoanApplication(Table):
    """An enterprise's application for one product; status follows DESIGN.md §4."""

    #: XQR-2026-000123: year of submission and that year's sequence
    number = Varchar(length=20, unique=True)
    enterprise = ForeignKey(Enterprise, on_delete=OnDelete.restrict, index=True)
    product = ForeignKey(Product, on_delete=OnDelete.restrict, index=True)
    #: the product's institution, copied so that queues filter without a join
    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    applicant = ForeignKey(User, on_delete=OnDelete.restrict)
    #: 申请金额, 万元
    amount = Numeric(digits=(12, 2))
    term_months = Integer()
    purpose = Varchar(length=200)
    contact_name = Varchar(length=40)
    contact_phone = Varchar(length=11)
    remark = Text(default="")
    #: submitted | accepted | approved | disbursed | declined | withdrawn
    status = Varchar(length=12, index=True)
    #: "<enterprise>:<product>" while the application is open, NULL once closed: the unique
    #: index lets many closed applications coexist but only one open one per pair
    open_key = Varchar(length=40, null=True, default=None, unique=True)
    approved_amount = Numeric(digits=(12, 2), null=True, default=None)
    approved_rate = Numeric(digits=(5, 2), null=True, default=None)
    approved_term_months = Integer(null=True, default=None)
    disbursed_amount = Numeric(digits=(12, 2), null=True, default=None)
    disbursed_on = Date(null=True, default=None)
    decline_reason = Text(default="")
    created_at = Timestamptz(index=True)
    accepted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    #: the institution should accept before this moment (working days, see services/applications)
    respond_by = Timestamptz(index=True)
    #: the consent to share certification facts and documents with this institution
    consent = ForeignKey(Consent, null=True, on_delete=OnDelete.restrict)


class ApplicationEvent(Table):
    """One transition on an application's timeline."""

    application = ForeignKey(LoanApplication, on_delete=OnDelete.restrict, index=True)
    actor = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    #: shown on the timeline: 企业 / the institution's name / 平台
    actor_label = Varchar(length=100, default="")
    from_status = Varchar(length=12, default="")
    to_status = Varchar(length=12)
    note = Text(default="")
    created_at = Timestamptz()


class ApplicationCounter(Table):
    """The last sequence number handed out per year (one upsert per application)."""

    year = Integer(unique=True)
    last_number = Integer(default=0)
