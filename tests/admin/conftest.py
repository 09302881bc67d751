"""Demand and admin tests create many accounts: hash their passwords cheaply."""

from tests.support.demand_data import fast_password_hashing  # noqa: F401
