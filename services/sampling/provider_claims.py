"""Read-only queries of a provider's own claims (docs/design.md §12), from sampling's projection of
claims (every claim from ``submitted`` on: claims publishes ``ClaimSubmitted`` at submission).

Rules:
- Every query is scoped by the provider ids the gateway passes (a provider user's, from its
  user record); ``None`` is support or the service itself (no scope).
- Claims needing action (sampling_in_progress, not being answered at this moment) come first,
  then newest submitted first, then by reference.
- A claim's audit deadline is the completion date of the latest provider sampling that named it;
  ``days_left`` counts from today (negative once passed).
- Labels are the provider's (``shared.contracts.claim_status.provider_label``): a paid claim that
  went through an audit is "Approved".
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Sequence

from shared.contracts.claim_status import PROVIDER_VISIBLE, ClaimStatus, provider_label
from shared.contracts.money import Money

IN_PROGRESS = ClaimStatus.SAMPLING_IN_PROGRESS.value


@dataclass(frozen=True)
class ProviderFilters:
    provider_ids: tuple[str, ...] | None
    status: str | None = None
    school_urn: str | None = None
    academic_year: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        """The WHERE clause (``c`` is ``claims``) and its parameters ($1...)."""
        clauses, params = ["c.status = ANY($1::text[])"], [list(PROVIDER_VISIBLE)]
        if self.provider_ids is not None:
            params.append(list(self.provider_ids))
            clauses.append(f"c.provider_id = ANY(${len(params)}::text[])")
        for column, value in (("status", self.status), ("school_urn", self.school_urn),
                              ("academic_year", self.academic_year)):
            if value:
                params.append(value)
                clauses.append(f"c.{column} = ${len(params)}")
        return " AND ".join(clauses), params


_ROW = ("c.reference, c.status, c.awaiting, c.school_urn, c.school_name, c.school_postcode, c.provider_id,"
        " c.provider_name, c.academic_year, c.amount, c.submitted_at, c.sample_reason, c.provider_comment")
#: The latest sampling of a claim: its deadline, and that the claim was audited.
_SAMPLING = ("LEFT JOIN LATERAL (SELECT ps.completion_date FROM upload_claims uc"
             " JOIN provider_samplings ps ON ps.upload_id = uc.upload_id AND ps.provider_id = uc.provider_id"
             " WHERE uc.claim_reference = c.reference ORDER BY ps.confirmed_at DESC LIMIT 1) s ON true")


def item(row: Any, today: date) -> dict[str, Any]:
    deadline = row["completion_date"]
    audited = deadline is not None or row["answered"]
    needs_action = row["status"] == IN_PROGRESS and row["awaiting"] is None
    return {"reference": row["reference"], "status": row["status"],
            "status_label": provider_label(row["status"], audited=audited),
            "school": {"urn": row["school_urn"], "name": row["school_name"], "postcode": row["school_postcode"]},
            "provider": {"id": row["provider_id"], "name": row["provider_name"]},
            "academic_year": row["academic_year"], "amount": str(Money(row["amount"])),
            "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else None,
            "audit_deadline": deadline.isoformat() if deadline else None,
            "days_left": (deadline - today).days if deadline and row["status"] == IN_PROGRESS else None,
            "needs_action": needs_action}


class ProviderClaims:
    def __init__(self, driver) -> None:
        self.driver = driver  # an asyncpg connection (the session's)

    async def page(self, filters: ProviderFilters, *, page: int, per_page: int, today: date
                   ) -> tuple[list[dict[str, Any]], int]:
        where, params = filters.where()
        n = len(params)
        rows = await self.driver.fetch(
            f"SELECT {_ROW}, s.completion_date,"
            " EXISTS (SELECT 1 FROM provider_answers a WHERE a.claim_reference = c.reference) AS answered"
            f" FROM (SELECT * FROM claims c WHERE {where}"
            "        ORDER BY (c.status = 'sampling_in_progress' AND c.awaiting IS NULL) DESC,"
            "                 c.submitted_at DESC NULLS LAST, c.reference"
            f"       LIMIT ${n + 1} OFFSET ${n + 2}) c {_SAMPLING}"
            " ORDER BY (c.status = 'sampling_in_progress' AND c.awaiting IS NULL) DESC,"
            "          c.submitted_at DESC NULLS LAST, c.reference",
            *params, per_page, (page - 1) * per_page)
        total = await self.driver.fetchval(f"SELECT count(*) FROM claims c WHERE {where}", *params)
        return [item(r, today) for r in rows], int(total or 0)

    async def options(self, provider_ids: tuple[str, ...] | None) -> tuple[list[dict[str, str]], list[str]]:
        """The schools and academic years of the provider's claims (the filters' choices)."""
        where, params = ProviderFilters(provider_ids).where()
        schools = await self.driver.fetch(
            f"SELECT DISTINCT c.school_urn, c.school_name FROM claims c WHERE {where} ORDER BY 2, 1", *params)
        years = await self.driver.fetch(
            f"SELECT DISTINCT c.academic_year FROM claims c WHERE {where} AND c.academic_year <> '' ORDER BY 1 DESC",
            *params)
        return [{"urn": r[0], "name": r[1]} for r in schools], [r[0] for r in years]

    async def all_with_mentors(self, filters: ProviderFilters, *, today: date) -> list[tuple[dict[str, Any],
                                                                                             list[Any]]]:
        """Every matching claim (list order) with its mentors, for the CSV download."""
        where, params = filters.where()
        rows = await self.driver.fetch(
            f"SELECT {_ROW}, s.completion_date,"
            " EXISTS (SELECT 1 FROM provider_answers a WHERE a.claim_reference = c.reference) AS answered"
            f" FROM claims c {_SAMPLING} WHERE {where}"
            " ORDER BY (c.status = 'sampling_in_progress' AND c.awaiting IS NULL) DESC,"
            "          c.submitted_at DESC NULLS LAST, c.reference", *params)
        mentors: dict[str, list[Any]] = {}
        references = [r["reference"] for r in rows]
        for m in await self.driver.fetch(
                "SELECT claim_reference, trn, full_name, hours FROM claim_mentors"
                " WHERE claim_reference = ANY($1::text[]) ORDER BY claim_reference, full_name, trn", references):
            mentors.setdefault(m["claim_reference"], []).append(m)
        return [(item(r, today), mentors.get(r["reference"], [])) for r in rows]

    async def detail(self, reference: str, provider_ids: tuple[str, ...] | None, *, today: date
                     ) -> dict[str, Any] | None:
        where, params = ProviderFilters(provider_ids).where()
        params.append(reference)
        row = await self.driver.fetchrow(
            f"SELECT {_ROW}, s.completion_date,"
            " EXISTS (SELECT 1 FROM provider_answers a WHERE a.claim_reference = c.reference) AS answered"
            f" FROM claims c {_SAMPLING} WHERE {where} AND c.reference = ${len(params)}", *params)
        if row is None:
            return None
        claim = item(row, today)
        claim["sample_reason"] = row["sample_reason"]
        claim["provider_comment"] = row["provider_comment"]
        claim["mentors"] = [{"trn": m["trn"], "full_name": m["full_name"], "hours": m["hours"]}
                            for m in await self.driver.fetch(
                                "SELECT trn, full_name, hours FROM claim_mentors WHERE claim_reference = $1"
                                " ORDER BY full_name, trn", reference)]
        answer = await self.driver.fetchrow(
            "SELECT via, assured, reason_codes, answered_by, answered_at FROM provider_answers"
            " WHERE claim_reference = $1", reference)
        claim["answer"] = ({"via": answer["via"], "assured": answer["assured"],
                            "reason_codes": list(answer["reason_codes"]), "answered_by": answer["answered_by"],
                            "answered_at": answer["answered_at"].isoformat()} if answer else None)
        return claim


def csv_rows(claims: Sequence[tuple[dict[str, Any], list[Any]]]) -> list[list[Any]]:
    """One row per mentor (the provider response file's columns first, so the file can be filled in
    and uploaded back, then the claim's status and deadline)."""
    return [[c["reference"], c["school"]["urn"], c["school"]["name"], c["school"]["postcode"], m["full_name"],
             m["hours"], "", "", c["status_label"], c["audit_deadline"] or "", c["academic_year"]]
            for c, mentors in claims for m in mentors]


CSV_HEADERS = ("claim_reference", "school_urn", "school_name", "school_postcode", "mentor_full_name",
               "mentor_hours_of_training", "claim_assured", "claim_not_assured_reason", "claim_status",
               "audit_deadline", "academic_year")
