"""The shared repository suite (``tests/support/claims_repository_contract.py``) against the in-memory fakes."""
from __future__ import annotations

import pytest

from tests.support.claims_fakes import FakeClaimsUnitOfWork, Tables
from tests.support.claims_repository_contract import ClaimRepositoryContract


class TestFakeClaimRepositories(ClaimRepositoryContract):
    @pytest.fixture
    def new_uow(self):
        database = Tables()
        return lambda: FakeClaimsUnitOfWork(database)
