"""What the generated sample reads from sampling's projection (docs/design.md §13). Never commits.

The population is read in one statement through the asyncpg driver (100,000 claims in a fraction of
a second); mentors' names are read only for claims whose submitter is known (the only ones the
mentor rule can take)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import claim_status

from .domain.generation import Candidate

#: A claim is in scope by its claim window, or by its academic year.
_SCOPE = "(CASE WHEN $1::text IS NOT NULL THEN c.claim_window_id = $1 ELSE c.academic_year = $2 END)"
#: A claim whose audit found it wrong counts its whole amount as clawed back; one still waiting
#: for its answer or decision keeps the evaluation open.
CLAWED_BACK = claim_status.AUDIT_FAILED
STILL_OPEN = claim_status.SAMPLING_WAITING


class GenerationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _driver(self):
        connection = await self.session.connection()
        return (await connection.get_raw_connection()).driver_connection

    async def population(self, *, claim_window_id: str | None, academic_year: str | None
                         ) -> tuple[list[Candidate], dict[str, Decimal], int]:
        """(the paid claims in scope never sampled and not waiting on claims, each school's total
        over all its claims in scope, how many claims in scope were sampled before)."""
        driver = await self._driver()
        # The claims sampled before, once (a hash join), rather than a look-up per claim in scope.
        rows = await driver.fetch(
            "SELECT c.reference, c.school_urn, c.provider_id, c.amount, c.school_type_of_establishment,"
            " c.school_phase_of_education, c.school_urban_rural, c.submitted_by_name,"
            " CASE WHEN c.submitted_by_name <> '' THEN ARRAY(SELECT m.full_name FROM claim_mentors m"
            "      WHERE m.claim_reference = c.reference) END,"
            " c.status = 'paid' AND c.awaiting IS NULL, s.claim_reference IS NOT NULL"
            " FROM claims c LEFT JOIN (SELECT DISTINCT claim_reference FROM sampled_claims) s"
            f"   ON s.claim_reference = c.reference WHERE {_SCOPE}", claim_window_id, academic_year)
        candidates: list[Candidate] = []
        totals: dict[str, Decimal] = {}
        sampled_before = 0
        zero = Decimal(0)
        for reference, urn, provider, amount, kind, phase, urban, by, mentors, paid, sampled in rows:
            totals[urn] = totals.get(urn, zero) + amount
            if sampled:
                sampled_before += 1
            elif paid:
                candidates.append(Candidate(reference, urn, provider, amount, kind, phase, urban, by,
                                            tuple(mentors) if mentors else ()))
        return candidates, totals, sampled_before

    async def sample_rows(self, upload_id: str) -> list[dict[str, Any]]:
        """A sample upload's claims in order, in the sampling file's columns."""
        driver = await self._driver()
        rows = await driver.fetch(
            "SELECT uc.claim_reference, c.school_urn, c.provider_id, c.claim_window_id, c.submitted_at,"
            " uc.sample_reason FROM upload_claims uc LEFT JOIN claims c ON c.reference = uc.claim_reference"
            " WHERE uc.upload_id = $1 ORDER BY uc.n", upload_id)
        return [{"claim_reference_number": r[0], "school_id": r[1] or "", "provider_id": r[2] or "",
                 "claim_window_id": r[3] or "", "submitted_at": r[4].isoformat() if r[4] else "",
                 "claim_sample_reason": r[5]} for r in rows]

    async def outcome(self, upload_id: str) -> tuple[dict[str, Decimal], dict[str, Decimal], int]:
        """(reference → amount of each claim of the upload, reference → amount clawed back, how many
        are still waiting for an answer or a decision)."""
        driver = await self._driver()
        rows = await driver.fetch(
            "SELECT uc.claim_reference, c.amount, c.status FROM upload_claims uc"
            " JOIN claims c ON c.reference = uc.claim_reference WHERE uc.upload_id = $1", upload_id)
        amounts = {r[0]: r[1] for r in rows}
        wrong = {r[0]: r[1] for r in rows if r[2] in CLAWED_BACK}
        still_open = sum(1 for r in rows if r[2] in STILL_OPEN)
        return amounts, wrong, still_open
