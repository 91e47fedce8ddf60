"""The shared repository suite (``repository_contract.py``) against the in-memory fakes."""
from __future__ import annotations

import pytest

from .fakes import FakeClaimsUnitOfWork, Tables
from .repository_contract import ClaimRepositoryContract


class TestFakeClaimRepositories(ClaimRepositoryContract):
    @pytest.fixture
    def new_uow(self):
        database = Tables()
        return lambda: FakeClaimsUnitOfWork(database)
