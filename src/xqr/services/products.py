"""Product management: institution staff keep their own institution's products, admins all of them."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Mapping

from xqr.db import write_transaction
from xqr.services import audit, forms
from xqr.services.catalogue import PRODUCT_TYPES, application_counts
from xqr.services.errors import NotFound, ValidationFailed
from xqr.tables.catalogue import Institution, Product
from xqr.web.current_user import CurrentUser
from xqr.web.templating import amount

MAX_AMOUNT = Decimal("10000000")  #: 万元 (a thousand 亿): above this is a typo
MAX_RATE = Decimal("36")  #: the legal ceiling of annual interest for lending in China
MAX_TERM_MONTHS = 360
STATUS_LABELS = {"listed": "已上架", "delisted": "已下架"}
#: the product form's fields, in form order (institution only for admins)
FIELDS = (
    "name", "product_type", "min_amount", "max_amount", "min_rate", "max_rate", "min_term_months", "max_term_months",
    "guarantee", "repayment", "target", "region", "conditions", "description",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _scope(actor: CurrentUser):
    """Which products this member of staff may manage."""
    if actor.role == "admin":
        return Product.id.is_not_null()
    if actor.role == "institution" and actor.institution_id:
        return Product.institution == actor.institution_id
    raise NotFound("该产品不存在")


async def list_products(actor: CurrentUser, q: str = "", status: str = "") -> list[dict]:
    condition = _scope(actor)
    if q:
        pattern = "%" + q.replace("%", "").replace("_", "") + "%"
        condition &= Product.name.ilike(pattern) | Product.institution.name.ilike(pattern)
    if status in STATUS_LABELS:
        condition &= Product.status == status
    rows = await Product.select(
        Product.id, Product.name, Product.product_type, Product.min_amount, Product.max_amount, Product.min_rate,
        Product.max_rate, Product.min_term_months, Product.max_term_months, Product.status, Product.is_sample,
        Product.updated_at, Product.institution.name.as_alias("institution_name"),
    ).where(condition).order_by(Product.institution.name).order_by(Product.id)
    counts = await application_counts([row["id"] for row in rows])
    for row in rows:
        row["applications"] = counts.get(row["id"], 0)
    return rows


async def product_for(actor: CurrentUser, product_id: int) -> dict:
    """A product this member of staff may manage; another institution's is NotFound (not revealed)."""
    row = await Product.select(*Product.all_columns(), Product.institution.name.as_alias("institution_name")).where(
        (Product.id == product_id) & _scope(actor)
    ).first()
    if row is None:
        raise NotFound("该产品不存在")
    return row


def form_values(product: dict) -> dict[str, str]:
    """A stored product as the form shows it."""
    values = {name: product[name] for name in FIELDS}
    for name in ("min_amount", "max_amount", "min_rate", "max_rate"):
        values[name] = amount(product[name])
    values["institution"] = str(product["institution"])
    return values


async def _clean(actor: CurrentUser, values: Mapping[str, str]) -> dict:
    errors: dict[str, str] = {}
    data: dict = {}
    if actor.role == "admin":
        raw = (values.get("institution") or "").strip()
        institution = await Institution.select(Institution.id).where(Institution.id == int(raw)).first() if raw.isdigit() else None
        if institution is None:
            errors["institution"] = "请选择所属机构"
        else:
            data["institution"] = institution["id"]
    else:
        data["institution"] = actor.institution_id
    data["name"] = forms.text(values, "name", "产品名称", errors, max_length=100)
    data["product_type"] = (values.get("product_type") or "").strip()
    if data["product_type"] not in PRODUCT_TYPES:
        errors["product_type"] = "请选择产品类型"
    data["min_amount"] = forms.decimal(values, "min_amount", "最低额度", errors, minimum=Decimal(0), maximum=MAX_AMOUNT)
    data["max_amount"] = forms.decimal(values, "max_amount", "最高额度", errors, minimum=Decimal(0), maximum=MAX_AMOUNT)
    if data["min_amount"] is not None and data["max_amount"] is not None and data["min_amount"] > data["max_amount"]:
        errors["max_amount"] = "最高额度不能低于最低额度"
    data["min_rate"] = forms.decimal(values, "min_rate", "最低年利率", errors, minimum=Decimal(0), maximum=MAX_RATE, allow_zero=True)
    data["max_rate"] = forms.decimal(values, "max_rate", "最高年利率", errors, minimum=Decimal(0), maximum=MAX_RATE, allow_zero=True)
    if data["min_rate"] is not None and data["max_rate"] is not None and data["min_rate"] > data["max_rate"]:
        errors["max_rate"] = "最高年利率不能低于最低年利率"
    data["min_term_months"] = forms.integer(values, "min_term_months", "最短期限", errors, minimum=1, maximum=MAX_TERM_MONTHS)
    data["max_term_months"] = forms.integer(values, "max_term_months", "最长期限", errors, minimum=1, maximum=MAX_TERM_MONTHS)
    if data["min_term_months"] and data["max_term_months"] and data["min_term_months"] > data["max_term_months"]:
        errors["max_term_months"] = "最长期限不能短于最短期限"
    data["guarantee"] = forms.text(values, "guarantee", "担保方式", errors, max_length=60)
    data["repayment"] = forms.text(values, "repayment", "还款方式", errors, max_length=60)
    data["target"] = forms.text(values, "target", "适用对象", errors, max_length=200)
    data["region"] = forms.text(values, "region", "办理区域", errors, max_length=100)
    data["conditions"] = forms.text(values, "conditions", "贷款条件", errors, max_length=2000, required=False)
    data["description"] = forms.text(values, "description", "产品介绍", errors, max_length=2000)
    if errors:
        raise ValidationFailed(errors)
    return data


async def create_product(actor: CurrentUser, values: Mapping[str, str], ip: str = "") -> int:
    data = await _clean(actor, values)
    async with write_transaction():
        row = Product(**data, status="listed", is_sample=False, created_at=_now(), updated_at=_now())
        await row.save()
        await audit.record(actor, "product.create", "product", row.id, {"name": data["name"]}, ip)
    return row.id


async def update_product(actor: CurrentUser, product_id: int, values: Mapping[str, str], ip: str = "") -> None:
    await product_for(actor, product_id)
    data = await _clean(actor, values)
    async with write_transaction():
        await Product.update({**data, Product.updated_at: _now()}).where((Product.id == product_id) & _scope(actor))
        await audit.record(actor, "product.update", "product", product_id, {"name": data["name"]}, ip)


async def set_status(actor: CurrentUser, product_id: int, status: str, ip: str = "") -> None:
    """上架 / 下架. A delisted product leaves 融资超市; its applications go on."""
    if status not in STATUS_LABELS:
        raise ValidationFailed({"status": "未知的产品状态"})
    await product_for(actor, product_id)
    async with write_transaction():
        await Product.update({Product.status: status, Product.updated_at: _now()}).where((Product.id == product_id) & _scope(actor))
        await audit.record(actor, f"product.{status}", "product", product_id, {}, ip)
