"""Financial institutions and their loan products."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Institution(Table):
    """A bank or other financial institution (金融机构)."""

    name = Varchar(length=100, unique=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz()


class Product(Table):
    """A loan product in 融资超市."""

    institution = ForeignKey(Institution, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=100)
    #: 信用贷 | 抵押贷 | 担保贷 | 供应链 | 票据 ...
    product_type = Varchar(length=20, index=True)
    #: 万元
    min_amount = Numeric(digits=(12, 2))
    max_amount = Numeric(digits=(12, 2))
    #: annual %, 0-36
    min_rate = Numeric(digits=(5, 2))
    max_rate = Numeric(digits=(5, 2))
    min_term_months = Integer()
    max_term_months = Integer()
    guarantee = Varchar(length=60)
    repayment = Varchar(length=60, default="")
    #: 适用对象
    target = Varchar(length=200, default="")
    #: 办理区域
    region = Varchar(length=100, default="")
    #: 贷款条件
    conditions = Text(default="")
    #: 产品介绍
    description = Text(default="")
    #: sample data, not a real offer: shown as such everywhere
    is_sample = Boolean(default=False)
    #: listed | delisted
    status = Varchar(length=12, default="listed", index=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
