"""Demand and admin tests create many accounts (cheap password hashing) and share one app among clients."""

from tests.support.demand_data import fast_password_hashing, settings  # noqa: F401
