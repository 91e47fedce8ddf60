"""Schools, trusts, accredited providers and claim windows: the claims service's organisations.
Like every repository here it never commits: the unit of work does."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import NotFound, Refused

from .tables import claim_windows, claims, providers, schools, trusts


class OrganisationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_trusts(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            stmt = pg_insert(trusts)
            await self.session.execute(stmt.on_conflict_do_update(
                index_elements=[trusts.c.id], set_={"name": stmt.excluded.name}), rows)

    async def upsert_schools(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        """Insert or update schools; returns (created, updated)."""
        if not rows:
            return 0, 0
        existing = set((await self.session.execute(
            select(schools.c.urn).where(schools.c.urn.in_([r["urn"] for r in rows])))).scalars())
        stmt = pg_insert(schools)
        cols = ("name", "postcode", "local_authority", "type_of_establishment", "district_code", "region",
                "trust_id", "email", "phase_of_education", "urban_rural")
        known = set(schools.c.keys())
        rows = [{k: v for k, v in r.items() if k in known} for r in rows]
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[schools.c.urn],
            set_={**{c: stmt.excluded[c] for c in cols}, "updated_at": func.now()}), rows)
        return len(rows) - len(existing), len(existing)

    async def school(self, urn: str) -> dict[str, Any]:
        row = (await self.session.execute(
            select(schools, trusts.c.name.label("trust_name")).outerjoin(trusts, trusts.c.id == schools.c.trust_id)
            .where(schools.c.urn == urn))).mappings().first()
        if row is None:
            raise NotFound(f"There is no school with URN {urn}", field="school_urn")
        return dict(row)

    async def add_provider(self, row: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(providers.insert().values(**row))
        except IntegrityError:
            raise Refused(f"An accredited provider with the code {row['code']} already exists",
                          field="code") from None

    async def provider(self, provider_id: str) -> dict[str, Any]:
        row = (await self.session.execute(select(providers).where(providers.c.id == provider_id))).mappings().first()
        if row is None:
            raise NotFound("Select an accredited provider", field="provider_id")
        return dict(row)

    async def list_providers(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(providers).order_by(providers.c.name))
        return [dict(r) for r in rows.mappings()]

    async def update_provider(self, provider_id: str, values: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(providers.update().where(providers.c.id == provider_id).values(**values))
        except IntegrityError:
            raise Refused(f"An accredited provider with the code {values['code']} already exists",
                          field="code") from None

    async def update_window(self, window_id: str, values: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(
                    claim_windows.update().where(claim_windows.c.id == window_id).values(**values))
        except IntegrityError as exc:
            if "ex_windows_overlap" in str(exc.orig):
                raise Refused("Select a date that is not within an existing claim window",
                              field="starts_on") from None
            raise

    async def delete_window(self, window_id: str) -> None:
        await self.session.execute(claim_windows.delete().where(claim_windows.c.id == window_id))

    async def window_has_claims(self, window_id: str) -> bool:
        found = await self.session.execute(select(claims.c.reference).where(claims.c.claim_window_id == window_id)
                                           .limit(1))
        return found.first() is not None

    async def add_window(self, row: dict[str, Any]) -> None:
        try:
            async with self.session.begin_nested():
                await self.session.execute(claim_windows.insert().values(**row))
        except IntegrityError as exc:
            if "ex_windows_overlap" in str(exc.orig):
                raise Refused("Select a date that is not within an existing claim window",
                              field="starts_on") from None
            raise

    async def window(self, window_id: str) -> dict[str, Any]:
        row = (await self.session.execute(select(claim_windows).where(claim_windows.c.id == window_id))).mappings().first()
        if row is None:
            raise NotFound("There is no such claim window", field="claim_window_id")
        return dict(row)

    async def window_on(self, day: date) -> dict[str, Any] | None:
        row = (await self.session.execute(select(claim_windows).where(
            claim_windows.c.starts_on <= day, claim_windows.c.ends_on >= day))).mappings().first()
        return dict(row) if row else None

    async def list_windows(self) -> list[dict[str, Any]]:
        rows = await self.session.execute(select(claim_windows).order_by(claim_windows.c.starts_on.desc()))
        return [dict(r) for r in rows.mappings()]

