"""The ``ecf`` fixture: the ECF router running against a fresh payments database (tests/support/ecf.py)."""
from __future__ import annotations

from typing import AsyncIterator

import pytest

from tests.support.ecf import Ecf, running_ecf


@pytest.fixture
async def ecf(infra) -> AsyncIterator[Ecf]:
    async with running_ecf(infra) as running:
        yield running
