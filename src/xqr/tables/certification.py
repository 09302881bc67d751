"""Enterprise certification (企业认证): requests, their documents and reviewers' per-item results."""

from piccolo.columns import (
    JSON,
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


class CertificationRequest(Table):
    """One filing of the certification form; a resubmission is a new row, the old one stays as history."""

    enterprise = ForeignKey(Enterprise, on_delete=OnDelete.restrict, index=True)
    #: the account holder who filled it in; decisions are messaged to them
    applicant = ForeignKey(User, on_delete=OnDelete.restrict)
    #: draft | submitted | approved | returned (退回修改) | refused (不予通过, final)
    status = Varchar(length=12, default="draft", index=True)
    #: the returned request this one was started from
    previous_id = Integer(null=True, default=None)

    credit_code = Varchar(length=18, default="")
    enterprise_name = Varchar(length=200, default="")
    #: 登记状态
    reg_status = Varchar(length=40, default="")
    #: 注册区域: a county-level division code (GB/T 2260)
    division_code = Varchar(length=6, default="")
    #: 注册地址
    address = Varchar(length=300, default="")
    #: 企业类型
    enterprise_type = Varchar(length=60, default="")
    #: 成立日期
    established_on = Date(null=True, default=None)
    #: 注册资本(万元)
    registered_capital = Numeric(digits=(14, 4), null=True, default=None)
    #: 登记机关
    authority = Varchar(length=100, default="")
    #: 行业分类 (GB/T 4754 code)
    industry_code = Varchar(length=4, default="")
    #: 法人代表
    legal_representative = Varchar(length=60, default="")
    #: 营业范围
    business_scope = Text(default="")
    #: names of the facts above that came from the registry (the rest were typed by hand)
    registry_fields = JSON(default="[]")
    #: whether 企业检索 found the credit code in the registry
    registry_matched = Boolean(default=False)

    #: 法人代表身份证号, Fernet-encrypted with a key derived from the secret key
    legal_id_sealed = Text(default="")
    #: the same number masked (430***********1234) for lists and the enterprise's own view
    legal_id_masked = Varchar(length=18, default="")
    legal_phone = Varchar(length=11, default="")
    contact_name = Varchar(length=40, default="")
    contact_phone = Varchar(length=11, default="")
    contact_title = Varchar(length=40, default="")
    contact_email = Varchar(length=120, default="")

    #: the consent to 《企业授权委托书》 given at 提交
    consent = ForeignKey(Consent, null=True, default=None, on_delete=OnDelete.restrict)
    #: the reviewer who claimed it; only they decide
    reviewer = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    #: the legal representative's face check on a phone (a later feature): passed | failed | None
    face_check_status = Varchar(length=12, null=True, default=None)
    face_check_at = Timestamptz(null=True, default=None)

    created_at = Timestamptz()
    updated_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None, index=True)
    claimed_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    #: required for 不予通过; a summary for 退回修改
    decision_reason = Text(default="")


class CertificationDocument(Table):
    """An uploaded file of one request (营业执照 or 企业授权书)."""

    request = ForeignKey(CertificationRequest, on_delete=OnDelete.cascade, index=True)
    #: business_license | authorization_letter
    kind = Varchar(length=24)
    #: where the bytes are; a resubmission's copy of an unchanged file shares the key with its original
    storage_key = Varchar(length=200)
    original_name = Varchar(length=200, default="")
    content_type = Varchar(length=60)
    size = Integer()
    #: pages of a PDF; None for an image
    page_count = Integer(null=True, default=None)
    #: a PNG thumbnail (an image's, or a PDF's first page); None when none could be made
    preview_key = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()


class CertificationItemResult(Table):
    """A reviewer's finding on one item of a request (e.g. 营业执照: 图片模糊)."""

    request = ForeignKey(CertificationRequest, on_delete=OnDelete.cascade, index=True)
    #: facts | legal | contact | business_license | authorization_letter
    item = Varchar(length=24)
    #: one of the preset reasons (图片模糊, 缺页或不完整, ...)
    reason = Varchar(length=20)
    note = Text(default="")
    reviewer = ForeignKey(User, null=True, default=None, on_delete=OnDelete.restrict)
    created_at = Timestamptz()
