"""Fixtures the customer, merge and vehicle tests share."""

from __future__ import annotations

import pytest

from core.permissions import Actor
from models import Stage
from tests.core.customer_helpers import make_actor, make_stage


@pytest.fixture
async def admin(db) -> Actor:
    return await make_actor("admin", admin=True)


@pytest.fixture
async def stage(db) -> Stage:
    return await make_stage()
