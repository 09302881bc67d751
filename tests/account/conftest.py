"""我的管理 / 产品查询 / 信用记录 tests: cheap password hashing, no background outbox loop.

Several logged-in clients run the app's lifespan each; the delivery loop is not under test here.
"""

import dataclasses

import pytest

from tests.support.demand_data import fast_password_hashing  # noqa: F401


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, outbox_interval_seconds=0)
