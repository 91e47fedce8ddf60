"""Schools as support sees them, and pending GIAS uploads. Never commits.

A confirmed upload is applied by two set-based statements that read the upload's own JSON rows in
PostgreSQL (``jsonb_to_recordset``): a 50,000-school extract is written in about a second, and a
school whose values did not change is not written at all.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import NotFound
from shared.contracts.identifiers import is_ascii_digits
from shared.platform.db import containing

from ..tables import gias_uploads, schools, trusts

#: The school values an extract sets; a school is "changed" when one of them differs.
COMPARED = ("name", "postcode", "local_authority", "type_of_establishment", "district_code", "region", "trust_id",
            "phase_of_education", "urban_rural", "establishment_status", "closed_on", "successor_urn")
_TYPES = {"closed_on": "date"}
_RECORD = ", ".join(f"{c} {_TYPES.get(c, 'text')}" for c in ("urn", *COMPARED))

APPLY_TRUSTS = text("""
INSERT INTO trusts (id, name)
SELECT t.id, t.name FROM gias_uploads u CROSS JOIN jsonb_to_recordset(u.trusts) AS t(id text, name text)
WHERE u.id = :id
ON CONFLICT (id) DO UPDATE SET name = excluded.name WHERE trusts.name IS DISTINCT FROM excluded.name
""")
APPLY_SCHOOLS = text(f"""
INSERT INTO schools (urn, {", ".join(COMPARED)}, updated_at)
SELECT r.urn, {", ".join(f"r.{c}" for c in COMPARED)}, now()
FROM gias_uploads u CROSS JOIN jsonb_to_recordset(u.schools) AS r({_RECORD})
WHERE u.id = :id
ON CONFLICT (urn) DO UPDATE SET {", ".join(f"{c} = excluded.{c}" for c in COMPARED)}, updated_at = now()
WHERE ({", ".join(f"schools.{c}" for c in COMPARED)}) IS DISTINCT FROM ({", ".join(f"excluded.{c}" for c in COMPARED)})
""")


class GiasRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def known_schools(self) -> dict[str, tuple]:
        """URN -> the compared values (in ``COMPARED`` order) of every school."""
        rows = await self.session.execute(select(schools.c.urn, *(schools.c[c] for c in COMPARED)))
        return {r[0]: tuple(r[1:]) for r in rows}

    async def add_upload(self, row: dict[str, Any]) -> None:
        await self.session.execute(gias_uploads.insert().values(**row))

    async def upload(self, upload_id: str, *, for_update: bool = False) -> dict[str, Any]:
        query = select(*(c for c in gias_uploads.c if c.name not in ("schools", "trusts"))).where(
            gias_uploads.c.id == upload_id)
        row = (await self.session.execute(query.with_for_update() if for_update else query)).mappings().first()
        if row is None:
            raise NotFound("There is no such upload", field="upload_id")
        return dict(row)

    async def apply(self, upload_id: str) -> None:
        await self.session.execute(APPLY_TRUSTS, {"id": upload_id})
        await self.session.execute(APPLY_SCHOOLS, {"id": upload_id})

    async def finish(self, upload_id: str, *, status: str, at: Any) -> None:
        """Mark the upload confirmed or cancelled and drop its rows (they are in ``schools`` now)."""
        await self.session.execute(update(gias_uploads).where(gias_uploads.c.id == upload_id).values(
            status=status, confirmed_at=at if status == "confirmed" else None, schools=None, trusts=None))

    async def search(self, q: str | None, *, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
        """Schools by name (any part) or URN (its start), by name."""
        where = []
        if q:
            pattern = containing(q)
            where.append(or_(schools.c.name.ilike(pattern), schools.c.urn.like(q.strip() + "%"))
                         if is_ascii_digits(q.strip()) else schools.c.name.ilike(pattern))
        total = (await self.session.execute(select(func.count()).select_from(schools).where(*where))).scalar_one()
        rows = await self.session.execute(
            select(schools, trusts.c.name.label("trust_name")).outerjoin(trusts, trusts.c.id == schools.c.trust_id)
            .where(*where).order_by(schools.c.name, schools.c.urn).limit(per_page).offset((page - 1) * per_page))
        return [dict(r) for r in rows.mappings()], total

    async def names(self, urns: list[str]) -> dict[str, str]:
        rows = await self.session.execute(select(schools.c.urn, schools.c.name).where(schools.c.urn.in_(urns)))
        return {r.urn: r.name for r in rows}
