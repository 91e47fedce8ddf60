"""Support's view of the sampling rounds (docs/design.md §12): each confirmed sample upload, and per
provider its claims, whom it was emailed to and when, when the link was downloaded, the claims
answered (and how: CSV, account, support) and open, the reminders sent and the days left; the
round's counts per structured reason. Read only."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts import NotFound
from shared.contracts.reasons import REASONS

from ..domain import reminders as schedule
from ..ports import Clock, SamplingUnitOfWork
from .generation import evaluation

VIA = ("csv", "account", "support")


@dataclass(frozen=True)
class ListRounds:
    page: int = 1
    per_page: int = 25


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _round_head(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "file_name": r["file_name"], "generated": r["generated"],
            "confirmed_at": _iso(r["decided_at"]), "confirmed_by": r["decided_by"],
            "claim_count": r["claim_count"], "provider_count": len(r["provider_ids"])}


async def handle_list_rounds(command: ListRounds, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    rows, total = await uow.rounds.rounds(page=command.page, per_page=command.per_page)
    today = schedule.uk_today(clock.now())
    items = []
    for r in rows:
        answered = int(r["answered"])
        items.append({**_round_head(r), "answered_claims": answered, "open_claims": r["claim_count"] - answered,
                      "completion_date": _iso(r["completion_date"]),
                      "days_left": schedule.days_left(r["completion_date"], today) if r["completion_date"] else None})
    return {"items": items, "total": total, "page": command.page, "per_page": command.per_page}


async def handle_round(upload_id: str, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    found = await uow.rounds.round(upload_id)
    if found is None:
        raise NotFound("There is no such sampling round", field="round_id")
    providers = await uow.rounds.round_providers(upload_id)
    reminders = await uow.rounds.reminders_of(schedule.PROVIDER, [p["provider_id"] for p in providers])
    reasons = await uow.rounds.round_reasons(upload_id)
    today = schedule.uk_today(clock.now())
    items = []
    for p in providers:
        answered = int(p["answered"])
        via = {k: int(p[f"via_{k}"]) for k in VIA}
        items.append({
            "provider_id": p["provider_id"], "provider_name": p["provider_name"],
            "provider_sampling_id": p["sampling_id"], "claims": p["claim_count"],
            "emailed_to": sorted(p["emailed_to"] or []), "emailed_at": _iso(p["created_at"]),
            "last_link_sent_at": _iso(p["last_link_at"]), "downloaded_at": _iso(p["downloaded_at"]),
            "answered_claims": answered, "open_claims": p["claim_count"] - answered, "answered_via": via,
            "completion_date": _iso(p["completion_date"]),
            "days_left": schedule.days_left(p["completion_date"], today),
            # The provider's reminders since this round was sent (a reminder covers all its open claims).
            "reminders": [{"sent_at": _iso(r["sent_at"]), "due_on": _iso(r["due_on"]), "sent_by": r["sent_by"],
                           "claim_count": r["claim_count"], "sent_to": list(r["addresses"])}
                          for r in reminders if r["recipient"] == p["provider_id"] and r["sent_at"] >= p["created_at"]],
        })
    answered = sum(i["answered_claims"] for i in items)
    view = {**_round_head(found), "answered_claims": answered, "open_claims": found["claim_count"] - answered,
            "providers": items,
            "reasons": [{"code": code, "label": label, "count": reasons.get(code, 0)}
                        for code, label in REASONS.items()]}
    # A monetary-unit sample's round states its projected misstatement and upper bound once every
    # claim is answered and decided (docs/design.md §13).
    upload = await uow.uploads.get(upload_id, kind="sample") if found["generated"] else None
    if upload is not None and (evaluated := await evaluation(upload, uow)) is not None:
        view["evaluation"] = evaluated
    return view
