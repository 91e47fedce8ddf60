"""Errors and logs never carry a statement's parameters and stay short whatever the statement
(issue 26, item 8: one crash wrote a 7 MB log line), on real PostgreSQL."""
from __future__ import annotations

import json
import logging
import sys

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.exc import DBAPIError

from shared.platform.db import MAX_ERROR_SQL_CHARS, make_engine
from shared.platform.logging import JsonFormatter

pytestmark = pytest.mark.integration

SECRET = "REF-4242-secret"


def _log_line(error: BaseException) -> str:
    try:
        raise error
    except BaseException:  # noqa: BLE001 - formatted as the services log it
        record = logging.LogRecord("uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application",
                                   None, sys.exc_info())
    return JsonFormatter().format(record)


async def test_a_failed_statement_names_none_of_its_parameters(infra):
    engine = make_engine(await infra.database("claims"), pool_size=1)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text("SELECT 1 / 0 WHERE :reference = :reference"), {"reference": SECRET})
    finally:
        await engine.dispose()
    assert "division by zero" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert SECRET not in _log_line(caught.value)


async def test_a_statement_of_200000_parameters_fails_in_a_short_error_and_a_short_log_line(infra):
    references = [f"{SECRET}-{n:06d}" for n in range(200_000)]
    engine = make_engine(await infra.database("claims"), pool_size=1)
    try:
        async with engine.connect() as conn:
            statement = text("SELECT :first WHERE 'x' IN :references").bindparams(
                bindparam("references", expanding=True))
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(statement, {"first": SECRET, "references": references})
    finally:
        await engine.dispose()
    message = str(caught.value)
    assert "32767" in message  # asyncpg's own words say what went wrong
    assert SECRET not in message
    assert len(message) < MAX_ERROR_SQL_CHARS + 1_000
    line = _log_line(caught.value)
    assert SECRET not in line
    assert len(line) < 40_000
    assert json.loads(line)["msg"] == "Exception in ASGI application"
