"""What every part of the ECF repository reads a row by: its id, checked as a UUID first, so a bad
id is "not found", never a database error."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncSession


def as_uuid(value: object) -> str | None:
    """The canonical form of a UUID string, or None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        return None


async def row_by_id(session: AsyncSession, table: Table, id: object, *conditions: ColumnElement[Any],
                    for_update: bool = False) -> RowMapping | None:
    """The row of ``table`` with this id that meets ``conditions`` (locked when ``for_update``), or None."""
    key = as_uuid(id)
    if key is None:
        return None
    query = select(table).where(table.c.id == key, *conditions)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).mappings().first()
