"""The platform's live figures on the home page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xqr.tables.accounts import Enterprise
from xqr.tables.catalogue import Institution, Product


@dataclass(frozen=True)
class PlatformFigures:
    institutions: int
    products: int
    certified_enterprises: int
    applications: int
    approved_amount: Decimal  #: 万元


async def platform_figures() -> PlatformFigures:
    return PlatformFigures(
        institutions=await Institution.count().where(Institution.is_active.eq(True)),
        products=await Product.count().where(Product.status == "listed"),
        certified_enterprises=await Enterprise.count().where(Enterprise.cert_status == "certified"),
        applications=0,
        approved_amount=Decimal(0),
    )
