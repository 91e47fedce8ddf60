"""In-memory fakes of the claims unit of work and repositories: they satisfy the Protocols of
``services/claims/ports.py`` as the SQL adapters do, so rule-heavy handlers are tested in
milliseconds. ``tests/support/claims_repository_contract.py`` runs one suite against both.

Transactions are modelled: a unit of work works on a copy of the database, which its ``commit``
makes the database (with the outbox rows ``emit`` queued); leaving without a commit, or a
``rollback``, keeps nothing.
"""
from __future__ import annotations

import copy
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Any, Iterable

from services.claims.domain.funding import PriorLine
from shared.contracts import Message, NotFound, Refused, decode
from shared.contracts.claims import item_event_id

CLAIM_DEFAULTS = {"trust_id": None, "created_by": None, "submitted_at": None, "assigned_to": None,
                  "sample_reason": None, "provider_comment": None, "clawback_amount": None, "unpaid_reason": None,
                  "mentor_names": ""}
MENTOR_DEFAULTS = {"assured": None, "not_assured_reason": None, "hours_clawed_back": None}
SCHOOL_DEFAULTS = {"postcode": "", "local_authority": "", "type_of_establishment": "", "district_code": None,
                   "trust_id": None, "email": None}


@dataclass
class Tables:
    trusts: dict[str, dict[str, Any]] = field(default_factory=dict)
    schools: dict[str, dict[str, Any]] = field(default_factory=dict)
    providers: dict[str, dict[str, Any]] = field(default_factory=dict)
    windows: dict[str, dict[str, Any]] = field(default_factory=dict)
    claims: dict[str, dict[str, Any]] = field(default_factory=dict)
    mentors: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)
    activity: list[Any] = field(default_factory=list)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[tuple[str, Message]] = field(default_factory=list)


class FakeClaimRepository:
    def __init__(self, t: Tables) -> None:
        self.t = t

    async def exists(self, reference: str) -> bool:
        return reference in self.t.claims

    async def add(self, claim: dict[str, Any], mentors: list[dict[str, Any]]) -> None:
        if claim["reference"] in self.t.claims:
            raise AssertionError(f"claim {claim['reference']} stored twice")  # the primary key's refusal
        self.t.claims[claim["reference"]] = {**CLAIM_DEFAULTS, **claim}
        for m in mentors:
            self.t.mentors[(m["claim_reference"], m["trn"])] = {**MENTOR_DEFAULTS, **m}

    async def get(self, reference: str, *, for_update: bool = False) -> dict[str, Any]:
        if reference not in self.t.claims:
            raise NotFound(f"There is no claim with the reference {reference}", field="reference")
        return dict(self.t.claims[reference])

    async def mentors(self, reference: str) -> list[dict[str, Any]]:
        rows = [dict(m) for (ref, _), m in self.t.mentors.items() if ref == reference]
        return sorted(rows, key=lambda m: (m["full_name"], m["trn"]))

    async def prior_lines(self, provider_id: str, trns: Iterable[str]) -> dict[str, list[PriorLine]]:
        wanted = set(trns)
        found: dict[str, list[PriorLine]] = {}
        for m in self.t.mentors.values():
            if m["provider_id"] == provider_id and m["trn"] in wanted:
                claim = self.t.claims[m["claim_reference"]]
                found.setdefault(m["trn"], []).append(
                    PriorLine(claim["reference"], claim["academic_year"], claim["status"], m["hours"]))
        return found

    async def update(self, reference: str, **values: Any) -> None:
        if reference in self.t.claims:
            self.t.claims[reference].update(values)

    async def update_mentor(self, reference: str, trn: str, **values: Any) -> None:
        if (reference, trn) in self.t.mentors:
            self.t.mentors[(reference, trn)].update(values)

    async def add_status_change(self, **row: Any) -> None:
        self.t.history.append({"id": len(self.t.history) + 1, "event_id": None, "actor_email": None, "reason": None,
                               **row})

    async def history(self, reference: str) -> list[dict[str, Any]]:
        return [dict(h) for h in reversed(self.t.history) if h["claim_reference"] == reference]


class FakeOrganisationRepository:
    def __init__(self, t: Tables) -> None:
        self.t = t

    async def upsert_trusts(self, rows: list[dict[str, Any]]) -> None:
        for r in rows:
            self.t.trusts[r["id"]] = dict(r)

    async def upsert_schools(self, rows: list[dict[str, Any]]) -> tuple[int, int]:
        existing = sum(1 for r in rows if r["urn"] in self.t.schools)
        for r in rows:
            self.t.schools[r["urn"]] = {**SCHOOL_DEFAULTS, **r}
        return len(rows) - existing, existing

    async def school(self, urn: str) -> dict[str, Any]:
        if urn not in self.t.schools:
            raise NotFound(f"There is no school with URN {urn}", field="school_urn")
        school = dict(self.t.schools[urn])
        trust = self.t.trusts.get(school["trust_id"]) if school["trust_id"] else None
        return {**school, "trust_name": trust["name"] if trust else None}

    async def add_provider(self, row: dict[str, Any]) -> None:
        if any(p["code"] == row["code"] for p in self.t.providers.values()):
            raise Refused(f"An accredited provider with the code {row['code']} already exists", field="code")
        self.t.providers[row["id"]] = {"email_addresses": [], **row}

    async def provider(self, provider_id: str) -> dict[str, Any]:
        if provider_id not in self.t.providers:
            raise NotFound("Select an accredited provider", field="provider_id")
        return dict(self.t.providers[provider_id])

    async def add_window(self, row: dict[str, Any]) -> None:
        for w in self.t.windows.values():
            if row["starts_on"] <= w["ends_on"] and w["starts_on"] <= row["ends_on"]:
                raise Refused("Select a date that is not within an existing claim window", field="starts_on")
        self.t.windows[row["id"]] = dict(row)

    async def window_on(self, day: date) -> dict[str, Any] | None:
        for w in self.t.windows.values():
            if w["starts_on"] <= day <= w["ends_on"]:
                return dict(w)
        return None

    async def update_provider(self, provider_id: str, values: dict[str, Any]) -> None:
        if any(p["code"] == values["code"] for k, p in self.t.providers.items() if k != provider_id):
            raise Refused(f"An accredited provider with the code {values['code']} already exists", field="code")
        self.t.providers[provider_id].update(values)

    async def window(self, window_id: str) -> dict[str, Any]:
        if window_id not in self.t.windows:
            raise NotFound("There is no such claim window", field="claim_window_id")
        return dict(self.t.windows[window_id])

    async def list_windows(self) -> list[dict[str, Any]]:
        return sorted((dict(w) for w in self.t.windows.values()), key=lambda w: w["starts_on"], reverse=True)

    async def update_window(self, window_id: str, values: dict[str, Any]) -> None:
        for k, w in self.t.windows.items():
            if k != window_id and values["starts_on"] <= w["ends_on"] and w["starts_on"] <= values["ends_on"]:
                raise Refused("Select a date that is not within an existing claim window", field="starts_on")
        self.t.windows[window_id].update(values)

    async def delete_window(self, window_id: str) -> None:
        self.t.windows.pop(window_id, None)

    async def window_has_claims(self, window_id: str) -> bool:
        return any(c["claim_window_id"] == window_id for c in self.t.claims.values())


class FakeActivityRepository:
    def __init__(self, t: Tables) -> None:
        self.t = t

    async def add_many(self, entries: list[Any]) -> None:
        self.t.activity.extend(entries)


class FakeBulkClaims:
    def __init__(self, t: Tables) -> None:
        self.t = t

    async def lock(self, references: list[str]) -> dict[str, Any]:
        return {r: SimpleNamespace(reference=r, status=c["status"], provider_id=c["provider_id"], amount=c["amount"])
                for r in sorted(references) if (c := self.t.claims.get(r))}

    async def sample(self, references: list[str], statuses: list[str], reasons: list[str]) -> None:
        for reference, status, reason in zip(references, statuses, reasons):
            if reference in self.t.claims:
                self.t.claims[reference].update(status=status, sample_reason=reason)

    async def add_history(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            await FakeClaimRepository(self.t).add_status_change(**row)

    async def statuses(self, references: list[str]) -> dict[str, str]:
        return {r: self.t.claims[r]["status"] for r in references if r in self.t.claims}


class FakeClaimsUnitOfWork:
    """One transaction over ``database`` (a ``Tables`` shared by the units of work of a test)."""

    def __init__(self, database: Tables) -> None:
        self.database = database
        self.committed = 0
        self._begin()

    def _begin(self) -> None:
        self._work = copy.deepcopy(self.database)
        self._pending: list[tuple[str, Message]] = []
        self.claims = FakeClaimRepository(self._work)
        self.organisations = FakeOrganisationRepository(self._work)
        self.activity = FakeActivityRepository(self._work)
        self.bulk = FakeBulkClaims(self._work)

    async def __aenter__(self) -> "FakeClaimsUnitOfWork":
        self._begin()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self._begin()  # anything not committed is gone

    def emit(self, message: Message, *, topic: str | None = None) -> None:
        target = topic or message.topic
        if not target:
            raise ValueError(f"{message.type} has no topic")
        self._pending.append((target, message))

    async def record_dead_letter(self, **row: Any) -> None:
        self._work.dead_letters.append(row)

    async def apply_sampled_batches(self, *, batch_ids, actor_emails, changed_ats, templates, references, reasons,
                                    batch_of, partitions, moves, caused_by, topic) -> list[int]:
        """What the SQL statement does, claim by claim: a claim in a from-status of ``moves`` moves,
        with its history row (the item's derived id) and its ``ClaimStatusChanged`` in the outbox
        (one per claim: the fake does not group them by partition); the others are refused."""
        refused = []
        for n, (reference, reason, m) in enumerate(zip(references, reasons, batch_of), start=1):
            claim = self._work.claims.get(reference)
            if claim is None or claim["status"] not in moves:
                refused.append(n)
                continue
            from_status, to_status = claim["status"], moves[claim["status"]]
            claim.update(status=to_status, sample_reason=reason)
            item_id = str(uuid.UUID(hashlib.md5(f"{batch_ids[m - 1]}{reference}".encode()).hexdigest()))
            await self.claims.add_status_change(claim_reference=reference, from_status=from_status,
                                                to_status=to_status, caused_by=caused_by, event_id=item_id,
                                                actor_email=actor_emails[m - 1], reason=None,
                                                changed_at=changed_ats[m - 1])
            wire = {**json.loads(templates[m - 1]), "event_id": str(item_event_id(item_id)), "reference": reference,
                    "from_status": from_status, "to_status": to_status, "caused_by_event_id": item_id,
                    "provider_id": claim["provider_id"], "amount": str(claim["amount"])}
            self._pending.append((topic, decode(wire)))
        return refused

    async def commit(self) -> None:
        self._work.outbox.extend(self._pending)
        self._pending = []
        for name in Tables.__dataclass_fields__:
            setattr(self.database, name, copy.deepcopy(getattr(self._work, name)))
        self.committed += 1

    async def rollback(self) -> None:
        self._begin()


async def tables_with_organisations() -> Tables:
    """In-memory claims tables holding the shared suite's schools, providers and claim windows
    (``claims_repository_contract.organisations``), committed."""
    from tests.support.claims_repository_contract import organisations

    database = Tables()
    async with FakeClaimsUnitOfWork(database) as uow:
        await organisations(uow)
        await uow.commit()
    return database
