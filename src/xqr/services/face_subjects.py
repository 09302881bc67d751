"""The certification requests as the face check sees them: whose face, and where the result goes."""

from __future__ import annotations

from datetime import datetime

from xqr.services.face_check import FaceSubject
from xqr.services.sealing import unseal
from xqr.tables.certification import CertificationRequest


class CertificationRequests:
    """Submitted requests (审核中) await the legal representative's face check: their data no longer changes."""

    async def load(self, request_id: int) -> FaceSubject | None:
        row = await CertificationRequest.select(
            CertificationRequest.id,
            CertificationRequest.enterprise,
            CertificationRequest.legal_representative,
            CertificationRequest.legal_id_sealed,
        ).where((CertificationRequest.id == request_id) & (CertificationRequest.status == "submitted")).first()
        if row is None or not row["legal_representative"] or not row["legal_id_sealed"]:
            return None
        return FaceSubject(row["id"], row["enterprise"], row["legal_representative"], unseal(row["legal_id_sealed"]))

    async def record(self, request_id: int, status: str, finished_at: datetime) -> None:
        await CertificationRequest.update(
            {CertificationRequest.face_check_status: status, CertificationRequest.face_check_at: finished_at}
        ).where(CertificationRequest.id == request_id)
