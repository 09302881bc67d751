"""The platform's live figures on the home page."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from xqr.services.applications import totals as application_totals
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
    applications, approved_amount = await application_totals()
    return PlatformFigures(
        institutions=await Institution.count().where(Institution.is_active.eq(True)),
        products=await Product.count().where(Product.status == "listed"),
        certified_enterprises=await Enterprise.count().where(Enterprise.cert_status == "certified"),
        applications=applications,
        approved_amount=approved_amount,
    )
