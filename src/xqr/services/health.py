"""Whether the parts the platform needs answer."""

from __future__ import annotations

import logging

from xqr.storage import Storage
from xqr.tables.catalogue import Institution

logger = logging.getLogger("xqr.health")


async def check_health(storage: Storage) -> dict:
    checks: dict[str, str] = {}
    try:
        await Institution.raw("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # any failure means unhealthy; the log keeps the detail
        logger.warning("database health check failed: %s", error)
        checks["database"] = "unavailable"
    try:
        await storage.check()
        checks["storage"] = "ok"
    except Exception as error:
        logger.warning("storage health check failed: %s", error)
        checks["storage"] = "unavailable"
    return {"ok": all(v == "ok" for v in checks.values()), **checks}
