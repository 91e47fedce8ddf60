"""The shared repository suite (``tests/support/claims_repository_contract.py``) against the SQL
repositories on a real PostgreSQL database: what the unit tests' fakes do, these do."""
from __future__ import annotations

import pytest

from services.claims.unit_of_work import ClaimsUnitOfWork
from shared.platform.db import make_engine, make_sessionmaker
from tests.support.claims_repository_contract import ClaimRepositoryContract


class TestSqlClaimRepositories(ClaimRepositoryContract):
    @pytest.fixture
    async def new_uow(self, infra):
        engine = make_engine(await infra.database("claims"), pool_size=2)
        sessionmaker = make_sessionmaker(engine)
        yield lambda: ClaimsUnitOfWork(sessionmaker)
        await engine.dispose()
