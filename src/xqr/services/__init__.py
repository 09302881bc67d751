"""Business rules. Services take plain values, raise domain errors, never see HTTP."""
