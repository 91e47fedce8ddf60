"""Sampling rounds and reminders, read and written in SQL (never commits).

A **round** is a confirmed sample upload (a file or a generated sample): its id is the upload's.
Per provider it has one provider sampling; its claims are ``sampled_claims``; how they were answered
is ``provider_answers``; its emails are the one-time ``download_links`` of the sampling (who, when,
downloaded when); reminders are ``sampling_reminders``.

A claim is **answered** when it has a provider answer, or has left ``sampling_in_progress`` without
one (support approved it, or it was answered before answers were kept); otherwise it is **open**.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .domain.wording import PROVIDER_NOT_APPROVED, SAMPLING_IN_PROGRESS

#: A round's claims with their answer, if any (a claim sampled twice counts in each of its rounds).
_ROUND_CLAIMS = (
    "SELECT ps.upload_id, ps.id AS sampling_id, ps.provider_id, sc.claim_reference, c.status, c.awaiting,"
    "  pa.via, pa.assured, pa.reason_codes,"
    "  (pa.claim_reference IS NOT NULL OR coalesce(c.status, '') <> :in_progress OR c.awaiting IS NOT NULL)"
    "    AS answered"
    " FROM provider_samplings ps"
    " JOIN sampled_claims sc ON sc.provider_sampling_id = ps.id"
    " LEFT JOIN claims c ON c.reference = sc.claim_reference"
    " LEFT JOIN provider_answers pa ON pa.claim_reference = sc.claim_reference")


class RoundsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- rounds ---------------------------------------------------------------------------------
    async def rounds(self, *, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
        """Confirmed sample uploads, newest first, with their claims answered and open."""
        rows = await self.session.execute(text(
            "WITH page AS ("
            "  SELECT u.id, u.file_name, u.claim_count, u.provider_ids, u.decided_by, u.decided_at,"
            "    u.generation IS NOT NULL AS generated FROM uploads u"
            "  WHERE u.kind = 'sample' AND u.status = 'confirmed'"
            "  ORDER BY u.decided_at DESC, u.id DESC LIMIT :limit OFFSET :offset"
            "), claims_of AS (" + _ROUND_CLAIMS + " WHERE ps.upload_id IN (SELECT id FROM page)"
            "), answered AS (SELECT co.upload_id, count(*) AS n FROM claims_of co WHERE co.answered GROUP BY 1)"
            " SELECT p.*, coalesce((SELECT a.n FROM answered a WHERE a.upload_id = p.id), 0) AS answered,"
            "   (SELECT min(ps.completion_date) FROM provider_samplings ps WHERE ps.upload_id = p.id)"
            "     AS completion_date"
            " FROM page p ORDER BY p.decided_at DESC, p.id DESC"),
            {"limit": per_page, "offset": (page - 1) * per_page, "in_progress": SAMPLING_IN_PROGRESS})
        total = await self.session.scalar(text(
            "SELECT count(*) FROM uploads WHERE kind = 'sample' AND status = 'confirmed'"))
        return [dict(r) for r in rows.mappings()], int(total or 0)

    async def round(self, upload_id: str) -> dict[str, Any] | None:
        row = (await self.session.execute(text(
            "SELECT id, file_name, claim_count, provider_ids, decided_by, decided_at,"
            " generation IS NOT NULL AS generated"
            " FROM uploads WHERE id = :id AND kind = 'sample' AND status = 'confirmed'"), {"id": upload_id})
               ).mappings().first()
        return dict(row) if row else None

    async def round_providers(self, upload_id: str) -> list[dict[str, Any]]:
        """Per provider sampling of the round: the provider, its dates, its claims answered (and how)
        and open, whom its links went to, when, and when one was first downloaded."""
        rows = await self.session.execute(text(
            "WITH claims_of AS (" + _ROUND_CLAIMS + " WHERE ps.upload_id = :id),"
            # One pass over the round's claims, grouped by provider sampling.
            " per AS (SELECT co.sampling_id, count(*) FILTER (WHERE co.answered) AS answered,"
            "   count(*) FILTER (WHERE co.via = 'csv') AS via_csv,"
            "   count(*) FILTER (WHERE co.via = 'account') AS via_account,"
            "   count(*) FILTER (WHERE co.via = 'support') AS via_support"
            "   FROM claims_of co GROUP BY co.sampling_id)"
            " SELECT ps.id AS sampling_id, ps.provider_id, coalesce(p.name, ps.provider_id) AS provider_name,"
            "   ps.claim_count, ps.sent_on, ps.completion_date, ps.created_at,"
            "   coalesce(per.answered, 0) AS answered, coalesce(per.via_csv, 0) AS via_csv,"
            "   coalesce(per.via_account, 0) AS via_account, coalesce(per.via_support, 0) AS via_support,"
            "   (SELECT coalesce(array_agg(DISTINCT l.recipient), '{}') FROM download_links l"
            "      WHERE l.kind = 'provider_sampling' AND l.subject_id = ps.id AND l.recipient IS NOT NULL)"
            "     AS emailed_to,"
            "   (SELECT max(l.created_at) FROM download_links l"
            "      WHERE l.kind = 'provider_sampling' AND l.subject_id = ps.id) AS last_link_at,"
            "   (SELECT min(l.used_at) FROM download_links l"
            "      WHERE l.kind = 'provider_sampling' AND l.subject_id = ps.id) AS downloaded_at"
            " FROM provider_samplings ps LEFT JOIN providers p ON p.id = ps.provider_id"
            " LEFT JOIN per ON per.sampling_id = ps.id"
            " WHERE ps.upload_id = :id ORDER BY provider_name, ps.provider_id"),
            {"id": upload_id, "in_progress": SAMPLING_IN_PROGRESS})
        return [dict(r) for r in rows.mappings()]

    async def round_reasons(self, upload_id: str) -> dict[str, int]:
        """Reason code → how many mentors were not assured for it, over the round's answers."""
        rows = await self.session.execute(text(
            "WITH claims_of AS (" + _ROUND_CLAIMS + " WHERE ps.upload_id = :id)"
            " SELECT code, count(*) FROM claims_of co CROSS JOIN LATERAL unnest(co.reason_codes) AS code"
            " GROUP BY code"), {"id": upload_id, "in_progress": SAMPLING_IN_PROGRESS})
        return {r[0]: int(r[1]) for r in rows}

    async def reminders_of(self, kind: str, recipients: Sequence[str]) -> list[dict[str, Any]]:
        """Reminders sent to these recipients, oldest first."""
        if not recipients:
            return []
        rows = await self.session.execute(text(
            "SELECT recipient, due_on, sent_at, sent_by, claim_count, addresses FROM sampling_reminders"
            " WHERE kind = :kind AND recipient = ANY(:recipients) ORDER BY sent_at, due_on"),
            {"kind": kind, "recipients": list(recipients)})
        return [dict(r) for r in rows.mappings()]

    # -- reminders ------------------------------------------------------------------------------
    async def claim_due_day(self, kind: str, due_on: date, *, now: datetime) -> bool:
        """Claim one run of a due day's reminders (the row (kind, ``*``, due day)); False when another
        run or replica has claimed it already. A run that fails rolls its claim back with it."""
        row = await self.session.execute(text(
            "INSERT INTO sampling_reminders (kind, recipient, due_on, sent_at, sent_by)"
            " VALUES (:kind, '*', :due, :now, 'schedule') ON CONFLICT DO NOTHING RETURNING 1"),
            {"kind": kind, "due": due_on, "now": now})
        return row.first() is not None

    async def providers_to_remind(self, *, sampled_before: datetime,
                                  provider_id: str | None = None) -> list[dict[str, Any]]:
        """Providers with open claims from samplings confirmed by ``sampled_before``: how many
        and the earliest answer-by date among them."""
        rows = await self.session.execute(text(
            "SELECT ps.provider_id, count(DISTINCT sc.claim_reference) AS open_count,"
            "   min(ps.completion_date) AS completion_date"
            " FROM provider_samplings ps"
            " JOIN sampled_claims sc ON sc.provider_sampling_id = ps.id"
            # In progress, or sampled a moment ago and claims has not applied it yet.
            " JOIN claims c ON c.reference = sc.claim_reference AND c.awaiting IS NULL"
            "   AND (c.status = :in_progress OR (c.status = 'paid' AND sc.created_at >= c.updated_at))"
            " WHERE ps.created_at <= :before AND (CAST(:provider AS text) IS NULL OR ps.provider_id = :provider)"
            "   AND NOT EXISTS (SELECT 1 FROM provider_answers pa WHERE pa.claim_reference = sc.claim_reference)"
            " GROUP BY ps.provider_id ORDER BY ps.provider_id"),
            {"in_progress": SAMPLING_IN_PROGRESS, "before": sampled_before, "provider": provider_id})
        return [dict(r) for r in rows.mappings()]

    async def schools_to_remind(self) -> list[dict[str, Any]]:
        """Schools (with an email address) with claims the provider did not approve, not yet decided."""
        rows = await self.session.execute(text(
            "SELECT c.school_urn, min(c.school_name) AS school_name, min(c.school_email) AS school_email,"
            "   array_agg(c.reference ORDER BY c.reference) AS claim_refs,"
            "   array_agg(DISTINCT c.provider_name) AS provider_names"
            " FROM open_claims o JOIN claims c ON c.reference = o.reference"
            " WHERE o.status = :not_approved AND c.awaiting IS NULL AND c.school_email <> ''"
            " GROUP BY c.school_urn ORDER BY c.school_urn"), {"not_approved": PROVIDER_NOT_APPROVED})
        return [dict(r) for r in rows.mappings()]

    async def record_reminders(self, kind: str, due_on: date, rows: Sequence[dict[str, Any]], *,
                               now: datetime, sent_by: str) -> set[str]:
        """Record the reminders of a due day, each (kind, recipient, due day) once; the recipients
        recorded now (the others had theirs already: they are not sent again)."""
        if not rows:
            return set()
        inserted = await self.session.execute(text(
            "INSERT INTO sampling_reminders (kind, recipient, due_on, sent_at, sent_by, claim_count, addresses)"
            " SELECT :kind, r.recipient, :due, :now, :by, r.n, string_to_array(r.addresses, ',')"
            " FROM unnest(CAST(:recipients AS text[]), CAST(:counts AS int[]), CAST(:addresses AS text[]))"
            "   AS r(recipient, n, addresses)"
            " ON CONFLICT DO NOTHING RETURNING recipient"),
            {"kind": kind, "due": due_on, "now": now, "by": sent_by,
             "recipients": [r["recipient"] for r in rows], "counts": [r["claim_count"] for r in rows],
             "addresses": [",".join(r["addresses"]) for r in rows]})
        return set(inserted.scalars())
