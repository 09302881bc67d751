"""The business registry: what the market regulator knows about each enterprise (registration, certification)."""

from piccolo.columns import Boolean, Date, Numeric, Text, Timestamptz, Varchar
from piccolo.table import Table


class RegistryEnterprise(Table):
    """One enterprise as registered (工商登记信息); kept up to date by `xqr registry import`.

    The live name search uses indexes that Piccolo does not describe: see the migration
    "registry search indexes" (SQLite FTS5 tables, PostgreSQL pg_trgm) and services.registry_store.
    """

    #: 统一社会信用代码 (GB 32100)
    credit_code = Varchar(length=18, unique=True)
    #: 企业名称, brackets normalised to full width
    name = Varchar(length=200)
    #: 登记状态: 存续, 在业, 注销, 吊销, 迁出 ...
    status = Varchar(length=20)
    #: the status is one of the in-business ones (存续, 在业 ...): listed first by the search, whose
    #: PostgreSQL indexes are split on it
    is_active = Boolean(default=False)
    #: 注册区域: a GB/T 2260 division code (the registering authority's, positions 3–8 of the credit code)
    division_code = Varchar(length=6)
    #: 注册地址
    address = Varchar(length=300, default="")
    #: 企业类型
    enterprise_type = Varchar(length=60, default="")
    #: 成立日期
    established_on = Date(null=True, default=None)
    #: 注册资本, 万元
    registered_capital = Numeric(digits=(16, 4), null=True, default=None)
    #: 登记机关
    authority = Varchar(length=100, default="")
    #: 行业分类: a GB/T 4754-2017 section letter or division code
    industry_code = Varchar(length=4, default="")
    #: 法定代表人 (负责人, 经营者, 执行事务合伙人)
    legal_representative = Varchar(length=60, default="")
    #: 经营范围
    business_scope = Text(default="")
    #: when the row last changed here (an unchanged re-import keeps it)
    updated_at = Timestamptz()
