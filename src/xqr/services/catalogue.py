"""融资超市: searching, filtering, sorting and paging the listed products."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Mapping
from urllib.parse import urlencode

from piccolo.query.functions.aggregate import Count

from xqr.services.errors import NotFound
from xqr.tables.applications import LoanApplication
from xqr.tables.catalogue import Institution, Product

PAGE_SIZE = 12
PRODUCT_TYPES = ["信用贷", "抵押贷", "担保贷", "质押贷", "供应链", "票据"]
#: 担保方式 is free text on a product ("房产抵押", "信用或担保公司保证"); the filter offers kinds,
#: each matching the words that name it
GUARANTEE_KINDS: dict[str, tuple[str, ...]] = {
    "信用": ("信用",),
    "抵押": ("抵押",),
    "质押": ("质押",),
    "保证担保": ("保证", "担保"),
    "应收账款": ("应收账款", "保理", "订单"),
    "票据": ("票据", "汇票"),
}
SORTS = {
    "": "综合",
    "rate": "利率从低到高",
    "amount": "额度从高到低",
    "newest": "最新上架",
}
CARD_COLUMNS = (
    Product.id,
    Product.name,
    Product.product_type,
    Product.min_amount,
    Product.max_amount,
    Product.min_rate,
    Product.max_rate,
    Product.min_term_months,
    Product.max_term_months,
    Product.guarantee,
    Product.is_sample,
    Product.institution.id.as_alias("institution_id"),
    Product.institution.name.as_alias("institution_name"),
)


def _positive_decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.strip())
    except (InvalidOperation, AttributeError):
        return None
    return value if value.is_finite() and value > 0 else None


def _positive_int(raw: str) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10_000 else None


@dataclass(frozen=True)
class CatalogueQuery:
    """What the visitor asked for; unusable values are dropped rather than refused (a search never fails)."""

    q: str = ""
    product_type: str = ""
    guarantee: str = ""
    amount: Decimal | None = None  #: 万元 the enterprise wishes to borrow
    term: int | None = None  #: months
    institution: int | None = None
    sort: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "CatalogueQuery":
        return cls(
            q=params.get("q", "").strip()[:50],
            product_type=params.get("type", "") if params.get("type") in PRODUCT_TYPES else "",
            guarantee=params.get("guarantee", "") if params.get("guarantee") in GUARANTEE_KINDS else "",
            amount=_positive_decimal(params.get("amount", "")),
            term=_positive_int(params.get("term", "")),
            institution=_positive_int(params.get("institution", "")),
            sort=params.get("sort", "") if params.get("sort") in SORTS else "",
            page=_positive_int(params.get("page", "")) or 1,
        )

    def url(self, **changes) -> str:
        """/products?… for this query with some parts changed; empty parts are left out."""
        query = replace(self, **changes)
        pairs = {
            "q": query.q,
            "type": query.product_type,
            "guarantee": query.guarantee,
            "amount": "" if query.amount is None else f"{query.amount:f}",
            "term": query.term or "",
            "institution": query.institution or "",
            "sort": query.sort,
            "page": query.page if query.page > 1 else "",
        }
        encoded = urlencode({key: value for key, value in pairs.items() if value != ""})
        return "/products" + (f"?{encoded}" if encoded else "")


@dataclass
class CataloguePage:
    query: CatalogueQuery
    items: list[dict]
    total: int
    pages: int


def _where(query: CatalogueQuery):
    condition = (Product.status == "listed") & Product.institution.is_active.eq(True)
    if query.q:
        # LIKE wildcards typed by the user are taken literally by dropping them (names never contain them)
        pattern = "%" + query.q.replace("%", "").replace("_", "") + "%"
        condition &= Product.name.ilike(pattern) | Product.institution.name.ilike(pattern)
    if query.product_type:
        condition &= Product.product_type == query.product_type
    if query.guarantee:
        words = GUARANTEE_KINDS[query.guarantee]
        kind = Product.guarantee.like(f"%{words[0]}%")
        for word in words[1:]:
            kind |= Product.guarantee.like(f"%{word}%")
        condition &= kind
    if query.amount is not None:
        condition &= (Product.min_amount <= query.amount) & (Product.max_amount >= query.amount)
    if query.term is not None:
        condition &= (Product.min_term_months <= query.term) & (Product.max_term_months >= query.term)
    if query.institution:
        condition &= Product.institution.id == query.institution
    return condition


def _ordered(select, sort: str):
    if sort == "rate":
        select = select.order_by(Product.min_rate).order_by(Product.max_rate)
    elif sort == "amount":
        select = select.order_by(Product.max_amount, ascending=False)
    elif sort == "newest":
        select = select.order_by(Product.created_at, ascending=False)
    else:
        # 综合: real offers before sample data, then the most recently updated
        select = select.order_by(Product.is_sample).order_by(Product.updated_at, ascending=False)
    return select.order_by(Product.id, ascending=sort != "newest")


async def active_institutions() -> list[dict]:
    return await Institution.select(Institution.id, Institution.name).where(Institution.is_active.eq(True)).order_by(Institution.name)


async def search(query: CatalogueQuery) -> CataloguePage:
    condition = _where(query)
    total = await Product.count().where(condition)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    query = replace(query, page=min(query.page, pages))
    items = await _ordered(Product.select(*CARD_COLUMNS).where(condition), query.sort).offset((query.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    counts = await application_counts([item["id"] for item in items])
    for item in items:
        item["applications"] = counts.get(item["id"], 0)
    return CataloguePage(query=query, items=items, total=total, pages=pages)


async def application_counts(product_ids: list[int]) -> dict[int, int]:
    """How many applications each product has received (all statuses)."""
    if not product_ids:
        return {}
    rows = await (
        LoanApplication.select(LoanApplication.product, Count(LoanApplication.id, alias="n"))
        .where(LoanApplication.product.is_in(product_ids))
        .group_by(LoanApplication.product)
    )
    return {row["product"]: row["n"] for row in rows}


async def public_product(product_id: int) -> dict:
    """A listed product of an active institution with every attribute, or NotFound."""
    row = await Product.select(
        *Product.all_columns(),
        Product.institution.name.as_alias("institution_name"),
    ).where((Product.id == product_id) & _where(CatalogueQuery())).first()
    if row is None:
        raise NotFound("该产品不存在或已下架")
    row["applications"] = (await application_counts([product_id])).get(product_id, 0)
    return row
