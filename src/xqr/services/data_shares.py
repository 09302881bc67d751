"""Data authorizations (数据授权): which institution may see an enterprise's certification facts and documents.

An enterprise authorizes sharing when it applies for a product (application_share, the product's
institution) and when it posts a demand (demand_share, each institution that takes the demand).
The authorization is the Consent row; revoking it sets revoked_at, and from then on
`has_active_share` answers False for that institution unless another live authorization remains.

Every place that shows an institution an enterprise's certification facts or documents must ask
`has_active_share(enterprise_id, institution_id)` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from xqr.db import write_transaction
from xqr.services.errors import Conflict, NotFound
from xqr.tables.accounts import Consent
from xqr.tables.applications import LoanApplication
from xqr.tables.demands import Demand, DemandResponse

DOCUMENT_LABELS = {
    "application_share": "融资申请信息共享授权",
    "demand_share": "融资需求信息共享授权",
}
SCOPE_LABELS = {
    "application_share": "企业认证信息及认证资料",
    "demand_share": "企业认证信息及需求联系方式",
}


@dataclass
class Share:
    consent_id: int
    document: str
    version: str
    #: what the authorization was given for, e.g. 融资需求 300万元/12个月
    subject_label: str
    #: link to the application or demand
    link: str
    institutions: list[str]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self.document]

    @property
    def scope(self) -> str:
        return SCOPE_LABELS[self.document]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _live(consent_column) -> object:
    return consent_column.is_not_null() & consent_column.revoked_at.is_null()


async def has_active_share(enterprise_id: int, institution_id: int | None) -> bool:
    """Whether the enterprise has an unrevoked authorization letting this institution see its data."""
    if institution_id is None:
        return False
    if await LoanApplication.exists().where(
        (LoanApplication.enterprise == enterprise_id) & (LoanApplication.institution == institution_id) & _live(LoanApplication.consent)
    ):
        return True
    return await DemandResponse.exists().where(
        (DemandResponse.institution == institution_id)
        & DemandResponse.taken_at.is_not_null()
        & (DemandResponse.demand.enterprise == enterprise_id)
        & _live(DemandResponse.demand.consent)
    )


async def _demand_shares(enterprise_id: int) -> list[Share]:
    demands = await Demand.select(
        Demand.id,
        Demand.amount,
        Demand.term_months,
        Demand.consent.id.as_alias("consent_id"),
        Demand.consent.version.as_alias("version"),
        Demand.consent.created_at.as_alias("consented_at"),
        Demand.consent.revoked_at.as_alias("revoked_at"),
    ).where((Demand.enterprise == enterprise_id) & Demand.consent.is_not_null())
    takers = await DemandResponse.select(DemandResponse.demand, DemandResponse.institution.name.as_alias("institution")).where(
        DemandResponse.demand.is_in([d["id"] for d in demands] or [-1]) & DemandResponse.taken_at.is_not_null()
    ).order_by(DemandResponse.taken_at)
    return [
        Share(
            consent_id=d["consent_id"],
            document="demand_share",
            version=d["version"],
            subject_label=f"融资需求 {d['amount'].normalize():f}万元/{d['term_months']}个月",
            link=f"/my/demands/{d['id']}",
            institutions=[t["institution"] for t in takers if t["demand"] == d["id"]],
            created_at=d["consented_at"],
            revoked_at=d["revoked_at"],
        )
        for d in demands
    ]


async def _application_shares(enterprise_id: int) -> list[Share]:
    rows = await LoanApplication.select(
        LoanApplication.id,
        LoanApplication.number,
        LoanApplication.product.name.as_alias("product"),
        LoanApplication.institution.name.as_alias("institution"),
        LoanApplication.consent.id.as_alias("consent_id"),
        LoanApplication.consent.version.as_alias("version"),
        LoanApplication.consent.created_at.as_alias("consented_at"),
        LoanApplication.consent.revoked_at.as_alias("revoked_at"),
    ).where((LoanApplication.enterprise == enterprise_id) & LoanApplication.consent.is_not_null())
    return [
        Share(
            consent_id=row["consent_id"],
            document="application_share",
            version=row["version"],
            subject_label=f"融资申请 {row['number']}（{row['product']}）",
            link=f"/my/applications#{row['number']}",
            institutions=[row["institution"]],
            created_at=row["consented_at"],
            revoked_at=row["revoked_at"],
        )
        for row in rows
    ]


async def shares_of(enterprise_id: int) -> list[Share]:
    """Every authorization the enterprise has given, newest first."""
    shares = await _application_shares(enterprise_id) + await _demand_shares(enterprise_id)
    return sorted(shares, key=lambda share: share.created_at, reverse=True)


async def revoke(enterprise_id: int, consent_id: int) -> Share:
    """撤回授权: the institutions lose access from now on; another enterprise's consent is NotFound."""
    share = next((s for s in await shares_of(enterprise_id) if s.consent_id == consent_id), None)
    if share is None:
        raise NotFound("该授权不存在")
    async with write_transaction():
        updated = await Consent.update({Consent.revoked_at: datetime.now(timezone.utc)}).where(
            (Consent.id == consent_id) & Consent.revoked_at.is_null()
        ).returning(Consent.id)
    if not updated:
        raise Conflict("该授权已撤回")
    return share
