"""SQL repositories of the sampling service. They never commit: the unit of work does.

Everything that touches many claims is one set-based statement (arrays bound as parameters,
``unnest`` on the server): a 100,000-claim upload costs a handful of round trips, never one per
claim (the benchmark in ``bench/sampling_apply.py`` holds us to that).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Sequence

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .domain import ClaimView, MentorView
from .domain.wording import WAITING
from .tables import (claim_mentors, claim_status_counts, claims, links, open_claims, provider_samplings, providers,
                     response_files, upload_batches, upload_claims, uploads)


@dataclass
class ProjectionBatch:
    """Changes to the claims projection queued by the consumer handlers of one batch, written at
    commit with one statement per kind, in the order that keeps them right: providers from claim
    snapshots (only if unknown), registered providers, claims, mentors, then status changes."""

    snapshot_providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    registered_providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: list[dict[str, Any]] = field(default_factory=list)
    mentors: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)

    def mark(self) -> tuple:
        """Where the queue stands, to drop what a refused run of messages added (``reset``)."""
        return (dict(self.snapshot_providers), dict(self.registered_providers), len(self.claims),
                len(self.mentors), len(self.status_changes))

    def reset(self, mark: tuple) -> None:
        self.snapshot_providers, self.registered_providers = dict(mark[0]), dict(mark[1])
        del self.claims[mark[2]:], self.mentors[mark[3]:], self.status_changes[mark[4]:]

    def __bool__(self) -> bool:
        return bool(self.snapshot_providers or self.registered_providers or self.claims or self.mentors
                    or self.status_changes)


class ProjectionRepository:
    """The claims and providers sampling keeps from claims events."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.batch = ProjectionBatch()

    async def flush(self) -> None:
        batch, self.batch = self.batch, ProjectionBatch()
        if not batch:
            return
        if batch.snapshot_providers:
            await self.session.execute(pg_insert(providers).on_conflict_do_nothing(),
                                       list(batch.snapshot_providers.values()))
        if batch.registered_providers:
            stmt = pg_insert(providers)
            await self.session.execute(stmt.on_conflict_do_update(
                index_elements=[providers.c.id],
                set_={"name": stmt.excluded.name, "code": stmt.excluded.code,
                      "email_addresses": stmt.excluded.email_addresses, "updated_at": func.now()}),
                list(batch.registered_providers.values()))
        if batch.claims:
            await self.session.execute(pg_insert(claims).on_conflict_do_nothing(), batch.claims)
        if batch.mentors:
            await self.session.execute(pg_insert(claim_mentors).on_conflict_do_nothing(), batch.mentors)
        if batch.status_changes:
            # One UPDATE for the whole batch, each claim once with what applying its changes in
            # arrival order leaves: the last status and reason, the last comment given (a change
            # without one keeps the comment the claim had).
            final: dict[str, dict[str, Any]] = {}
            for change in batch.status_changes:
                kept = final.get(change["ref"])
                comment = change["comment"] if change["comment"] is not None or kept is None else kept["comment"]
                final[change["ref"]] = {**change, "comment": comment}
            await self.session.execute(text(
                "UPDATE claims AS c SET status = u.to_status, status_reason = u.reason,"
                " provider_comment = coalesce(u.comment, c.provider_comment), awaiting = NULL, updated_at = now()"
                " FROM unnest(CAST(:refs AS text[]), CAST(:statuses AS text[]), CAST(:reasons AS text[]),"
                "             CAST(:comments AS text[])) AS u(ref, to_status, reason, comment)"
                " WHERE c.reference = u.ref"),
                {"refs": list(final), "statuses": [c["to_status"] for c in final.values()],
                 "reasons": [c["reason"] for c in final.values()],
                 "comments": [c["comment"] for c in final.values()]})

    # -- reading -------------------------------------------------------------------------------
    async def _driver(self):
        """The asyncpg connection under this session's transaction: big reads skip SQLAlchemy's
        row processing (100,000 claims in a fraction of a second)."""
        connection = await self.session.connection()
        return (await connection.get_raw_connection()).driver_connection

    async def claim_views(self, references: Sequence[str], *, with_mentors: bool = False,
                          brief: bool = False) -> dict[str, ClaimView]:
        """The claims named (unknown ones are simply absent). A claim sampling is waiting on reads
        as status ``awaiting_<what>`` (answered or decided: ``awaiting``; sampled: a sampling
        confirmed after the projection last changed), so no upload or decision asks claims to
        move it twice. ``brief``: reference, status and provider only (what a sampling file
        without its optional columns is checked against: 100,000 claims in a fraction of a second)."""
        if not references:
            return {}
        driver = await self._driver()
        status = ("CASE WHEN c.awaiting IS NOT NULL THEN 'awaiting_' || c.awaiting"
                  " WHEN EXISTS (SELECT 1 FROM sampled_claims sc WHERE sc.claim_reference = c.reference"
                  "              AND sc.created_at >= c.updated_at) THEN 'awaiting_sampling' ELSE c.status END")
        if brief:
            rows = await driver.fetch(f"SELECT c.reference, {status}, c.provider_id FROM claims c"
                                      " WHERE c.reference = ANY($1::text[])", list(references))
            return {r[0]: ClaimView(r[0], r[1], "", r[2], "", "") for r in rows}
        rows = await driver.fetch(
            f"SELECT c.reference, {status}, c.school_urn, c.school_name, c.school_postcode,"
            " c.provider_id, c.provider_name, c.claim_window_id, c.submitted_at"
            " FROM claims c WHERE c.reference = ANY($1::text[])", list(references))
        mentors: dict[str, list[MentorView]] = {}
        if with_mentors:
            for m in await driver.fetch("SELECT claim_reference, trn, full_name, hours FROM claim_mentors"
                                        " WHERE claim_reference = ANY($1::text[])", list(references)):
                mentors.setdefault(m[0], []).append(MentorView(m[1], m[2], m[3]))
        return {r[0]: ClaimView(
            reference=r[0], status=r[1], school_urn=r[2], school_name=r[3], school_postcode=r[4],
            provider_id=r[5], provider_name=r[6], claim_window_id=r[7],
            submitted_at=r[8] or "1970-01-01T00:00:00+00:00", mentors=tuple(mentors.get(r[0], ())))
            for r in rows}

    async def claim(self, reference: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(claims).where(claims.c.reference == reference))).mappings().first()
        return dict(row) if row else None

    async def providers(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(providers).where(providers.c.id.in_(ids)))
        return {r["id"]: dict(r) for r in rows.mappings()}

    async def provider(self, provider_id: str) -> dict[str, Any] | None:
        return (await self.providers([provider_id])).get(provider_id)

    async def schools_of(self, references: Sequence[str]) -> dict[str, dict[str, Any]]:
        rows = await self.session.execute(text(
            "SELECT reference, school_name, school_email, provider_name FROM claims WHERE reference = ANY(:refs)"),
            {"refs": list(references)})
        return {r[0]: {"school_name": r[1], "school_email": r[2], "provider_name": r[3]} for r in rows}

    async def count_by_status(self) -> dict[str, int]:
        """Claims per status, not counting those waiting for claims to apply a move sampling asked
        for (a sum over a few delta rows, kept by triggers: migration 0003)."""
        rows = await self.session.execute(
            select(claim_status_counts.c.status, func.sum(claim_status_counts.c.n))
            .where(claim_status_counts.c.awaiting.is_(None)).group_by(claim_status_counts.c.status)
            .having(func.sum(claim_status_counts.c.n) != 0))
        return {status: int(count) for status, count in rows}

    async def waiting_page(self, statuses: Sequence[str], *, page: int, per_page: int
                           ) -> tuple[list[dict[str, Any]], int]:
        """A page of the claims in ``statuses`` (some of ``wording.WAITING``: the statuses of
        ``open_claims``), in reference order, each with the reason it was sampled."""
        if not set(statuses) <= set(WAITING):
            raise ValueError(f"the Sampling section lists claims in {WAITING}, not {tuple(statuses)}")
        rows = await self.session.execute(text(
            "SELECT c.*, coalesce(c.sample_reason, (SELECT sc.sample_reason FROM sampled_claims sc"
            "   WHERE sc.claim_reference = c.reference ORDER BY sc.created_at DESC LIMIT 1)) AS reason_sampled"
            " FROM open_claims o JOIN claims c ON c.reference = o.reference"
            " WHERE o.status = ANY(:statuses) ORDER BY o.reference LIMIT :limit OFFSET :offset"),
            {"statuses": list(statuses), "limit": per_page, "offset": (page - 1) * per_page})
        total = await self.session.scalar(select(func.count()).select_from(open_claims)
                                          .where(open_claims.c.status.in_(list(statuses))))
        return [{**dict(r), "sample_reason": r["reason_sampled"]} for r in rows.mappings()], total or 0

    # -- marking claims sampling has asked claims to move -------------------------------------
    async def mark_awaiting(self, references: list[str], *, status: str, awaiting: str) -> set[str]:
        rows = await self.session.execute(text(
            "UPDATE claims SET awaiting = :awaiting, updated_at = now()"
            " WHERE reference = ANY(:refs) AND status = :status AND awaiting IS NULL RETURNING reference"),
            {"refs": references, "status": status, "awaiting": awaiting})
        return set(rows.scalars())

    # -- the provider files ---------------------------------------------------------------------
    async def provider_file_claims(self, sampling_id: str) -> list[ClaimView]:
        """The claims of one provider sampling with their mentors, for the provider's CSV."""
        driver = await self._driver()
        rows = await driver.fetch(
            "SELECT c.reference, c.school_urn, c.school_name, c.school_postcode, c.provider_id,"
            " m.full_name, m.trn, m.hours FROM sampled_claims sc"
            " JOIN claims c ON c.reference = sc.claim_reference"
            " JOIN claim_mentors m ON m.claim_reference = c.reference"
            " WHERE sc.provider_sampling_id = $1", sampling_id)
        schools: dict[str, tuple[str, str, str, str]] = {}
        mentors: dict[str, list[MentorView]] = {}
        for reference, urn, school, postcode, provider_id, full_name, trn, hours in rows:
            schools.setdefault(reference, (urn, school, postcode, provider_id))
            mentors.setdefault(reference, []).append(MentorView(trn, full_name, hours))
        return [ClaimView(reference=ref, status="sampling", school_urn=urn, school_name=school,
                          school_postcode=postcode, provider_id=provider_id, claim_window_id="", submitted_at="",
                          mentors=tuple(mentors[ref]))
                for ref, (urn, school, postcode, provider_id) in schools.items()]


class UploadRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, **row: Any) -> None:
        await self.session.execute(insert(uploads).values(**row))

    async def get(self, upload_id: str, *, kind: str | None = None) -> dict[str, Any] | None:
        query = select(uploads.c.id, uploads.c.kind, uploads.c.status, uploads.c.file_name,
                       uploads.c.row_count, uploads.c.claim_count, uploads.c.provider_ids,
                       uploads.c.created_by, uploads.c.created_at, uploads.c.decided_by,
                       uploads.c.decided_at, uploads.c.generation, uploads.c.provider_scope
                       ).where(uploads.c.id == upload_id)
        if kind:
            query = query.where(uploads.c.kind == kind)
        row = (await self.session.execute(query)).mappings().first()
        return dict(row) if row else None

    async def decide(self, upload_id: str, *, kind: str, to_status: str, by: str | None, at: datetime
                     ) -> dict[str, Any] | None:
        """Move a pending upload to ``to_status`` and return it with its rows; None when it is not
        pending (a second confirm waits on the row lock of the first, then finds it decided)."""
        row = (await self.session.execute(
            update(uploads).where(uploads.c.id == upload_id, uploads.c.kind == kind, uploads.c.status == "pending")
            .values(status=to_status, decided_by=by, decided_at=at)
            .returning(*[c for c in uploads.c if c.name != "rows"]))).mappings().first()
        return dict(row) if row else None

    async def rows(self, upload_id: str) -> Any:
        return await self.session.scalar(select(uploads.c.rows).where(uploads.c.id == upload_id))

    async def add_response_files(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(response_files), rows)

    async def response_files(self, upload_id: str) -> list[dict[str, Any]]:
        """An upload's per-provider files, without their content, by provider and name."""
        query = (select(response_files.c.id, response_files.c.provider_id, response_files.c.file_name,
                        response_files.c.row_count)
                 .where(response_files.c.upload_id == upload_id)
                 .order_by(response_files.c.provider_id, response_files.c.file_name))
        return [dict(r) for r in (await self.session.execute(query)).mappings()]

    async def response_file(self, file_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(response_files.c.file_name, response_files.c.content)
                                          .where(response_files.c.id == file_id))).mappings().first()
        return dict(row) if row else None

    async def add_sample_claims(self, upload_id: str, claims_in_order: Sequence[tuple[str, str, str, int]], *,
                                batch_size: int) -> None:
        """Hold a sample upload's claims (reference, reason, provider, row), in file order, for its
        confirm: the rows with COPY, and the ``claims`` member of each ``ClaimsSampled`` of
        ``batch_size`` claims as JSON text (what ``SampledClaimItem`` writes), so that the confirm,
        which claims waits on, neither unpacks nor builds them (migration 0006)."""
        connection = await self.session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        await driver.copy_records_to_table(
            "upload_claims", columns=["upload_id", "provider_id", "n", "claim_reference", "sample_reason", "row"],
            records=[(upload_id, provider_id, n, reference, reason, row)
                     for n, (reference, reason, provider_id, row) in enumerate(claims_in_order, start=1)])
        batches = []
        for batch, start in enumerate(range(0, len(claims_in_order), batch_size)):
            chunk = claims_in_order[start:start + batch_size]
            batches.append({"upload_id": upload_id, "batch": batch, "claim_count": len(chunk), "claims": json.dumps(
                [{"reference": reference, "sample_reason": reason, "provider_id": provider_id}
                 for reference, reason, provider_id, _ in chunk], separators=(",", ":"), ensure_ascii=False)})
        if batches:
            await self.session.execute(insert(upload_batches), batches)

    async def sample_references(self, upload_id: str) -> list[str]:
        """A sample upload's claim references in file order."""
        return list((await self.session.execute(
            select(upload_claims.c.claim_reference).where(upload_claims.c.upload_id == upload_id)
            .order_by(upload_claims.c.n))).scalars())


class SamplingRepository:
    """Provider samplings, their claims and their download links."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_provider_samplings(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(provider_samplings), rows)

    async def lock_confirms(self) -> None:
        """Serialise sampling confirms, so two uploads naming one claim cannot both pass the check."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('sampling-confirm'))"))

    async def upload_conflicts(self, upload_id: str) -> list[tuple[str, int]]:
        """(reference, row) of the upload's claims that can no longer be sampled: not paid any more,
        or already waiting for claims to apply a sampling or an answer. Runs before the upload's
        own provider samplings exist, so its own claims are not yet in ``sampled_claims``."""
        rows = await self.session.execute(text(
            "SELECT uc.claim_reference, uc.row FROM upload_claims uc"
            " LEFT JOIN claims c ON c.reference = uc.claim_reference"
            " WHERE uc.upload_id = :id AND (c.reference IS NULL OR c.status <> 'paid' OR c.awaiting IS NOT NULL"
            "   OR EXISTS (SELECT 1 FROM sampled_claims sc WHERE sc.claim_reference = c.reference"
            "              AND sc.created_at >= c.updated_at))"), {"id": upload_id})
        return [(r[0], r[1]) for r in rows]

    async def upload_providers(self, upload_id: str) -> dict[str, int]:
        """Accredited provider → how many of the upload's claims are theirs."""
        rows = await self.session.execute(text(
            "SELECT provider_id, count(*) FROM upload_claims WHERE upload_id = :id GROUP BY 1 ORDER BY 1"),
            {"id": upload_id})
        return {r[0]: r[1] for r in rows}

    async def sampling(self, sampling_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(select(provider_samplings).where(provider_samplings.c.id == sampling_id))
               ).mappings().first()
        return dict(row) if row else None

    async def keep_file(self, sampling_id: str, content: bytes) -> None:
        await self.session.execute(update(provider_samplings).where(provider_samplings.c.id == sampling_id)
                                   .values(file_content=content))

    async def latest_for_provider(self, provider_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(
            select(provider_samplings).where(provider_samplings.c.provider_id == provider_id)
            .order_by(provider_samplings.c.created_at.desc(), provider_samplings.c.id.desc()).limit(1)
            .with_for_update())).mappings().first()
        return dict(row) if row else None

    async def of_round(self, upload_id: str, provider_id: str) -> dict[str, Any] | None:
        """The provider's sampling in one round (sample upload), locked like ``latest_for_provider``."""
        row = (await self.session.execute(
            select(provider_samplings).where(provider_samplings.c.upload_id == upload_id,
                                             provider_samplings.c.provider_id == provider_id)
            .with_for_update())).mappings().first()
        return dict(row) if row else None

    async def add_links(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(links), rows)

    async def record_answers(self, rows: list[dict[str, Any]]) -> None:
        """Keep provider answers, one statement for any number (arrays, not a parameter per row);
        a claim answered before keeps its first answer."""
        if not rows:
            return
        await self.session.execute(text(
            "INSERT INTO provider_answers (claim_reference, provider_id, via, assured, reason_codes, answered_by,"
            " answered_at, upload_id)"
            " SELECT r.ref, r.provider, :via, r.assured, string_to_array(r.codes, ','), :by, :at, :upload"
            " FROM unnest(CAST(:refs AS text[]), CAST(:providers AS text[]), CAST(:assured AS boolean[]),"
            "             CAST(:codes AS text[])) AS r(ref, provider, assured, codes)"
            " ON CONFLICT (claim_reference) DO NOTHING"),
            {"refs": [r["claim_reference"] for r in rows], "providers": [r["provider_id"] for r in rows],
             "assured": [r["assured"] for r in rows],
             "codes": [",".join(r.get("reason_codes") or ()) for r in rows],
             "via": rows[0]["via"], "by": rows[0].get("answered_by", ""), "at": rows[0]["answered_at"],
             "upload": rows[0].get("upload_id")})


    async def answer(self, reference: str) -> dict[str, Any] | None:
        """The provider's answer kept for a claim (``provider_answers``), if any."""
        row = (await self.session.execute(text(
            "SELECT claim_reference, provider_id, via, assured, reason_codes, answered_by, answered_at"
            " FROM provider_answers WHERE claim_reference = :ref"), {"ref": reference})).mappings().first()
        return dict(row) if row else None
