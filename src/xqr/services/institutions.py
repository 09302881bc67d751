"""Admins manage the financial institutions (机构管理)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping

from piccolo.query.functions.aggregate import Count

from xqr.db import is_unique_violation, write_transaction
from xqr.services import audit, forms
from xqr.services.errors import NotFound, ValidationFailed
from xqr.tables.accounts import User
from xqr.tables.catalogue import Institution, Product
from xqr.web.current_user import CurrentUser

NAME_TAKEN = "该机构名称已存在"


async def list_institutions() -> list[dict]:
    rows = await Institution.select().order_by(Institution.name)
    products = await Product.select(Product.institution, Count(Product.id, alias="n")).where(Product.status == "listed").group_by(Product.institution)
    staff = await User.select(User.institution, Count(User.id, alias="n")).where(User.institution.is_not_null()).group_by(User.institution)
    product_counts = {row["institution"]: row["n"] for row in products}
    staff_counts = {row["institution"]: row["n"] for row in staff}
    for row in rows:
        row["products"] = product_counts.get(row["id"], 0)
        row["staff"] = staff_counts.get(row["id"], 0)
    return rows


async def institution(institution_id: int) -> dict:
    row = await Institution.select().where(Institution.id == institution_id).first()
    if row is None:
        raise NotFound("该机构不存在")
    return row


def _clean(values: Mapping[str, str]) -> str:
    errors: dict[str, str] = {}
    name = forms.text(values, "name", "机构名称", errors, max_length=100)
    if errors:
        raise ValidationFailed(errors)
    return name


async def _saving(action):
    try:
        async with write_transaction():
            return await action()
    except Exception as error:
        if is_unique_violation(error):
            raise ValidationFailed({"name": NAME_TAKEN}) from error
        raise


async def create_institution(actor: CurrentUser, values: Mapping[str, str], ip: str = "") -> int:
    name = _clean(values)

    async def create() -> int:
        row = Institution(name=name, is_active=True, created_at=datetime.now(timezone.utc))
        await row.save()
        await audit.record(actor, "institution.create", "institution", row.id, {"name": name}, ip)
        return row.id

    return await _saving(create)


async def rename_institution(actor: CurrentUser, institution_id: int, values: Mapping[str, str], ip: str = "") -> None:
    old = await institution(institution_id)
    name = _clean(values)

    async def rename() -> None:
        await Institution.update({Institution.name: name}).where(Institution.id == institution_id)
        await audit.record(actor, "institution.rename", "institution", institution_id, {"from": old["name"], "to": name}, ip)

    await _saving(rename)


async def set_active(actor: CurrentUser, institution_id: int, active: bool, ip: str = "") -> None:
    """停用 hides the institution's products from 融资超市; its staff keep handling open applications."""
    await institution(institution_id)
    async with write_transaction():
        await Institution.update({Institution.is_active: active}).where(Institution.id == institution_id)
        await audit.record(actor, "institution.enable" if active else "institution.disable", "institution", institution_id, {}, ip)
