"""A provider's answer given in the service (docs/design.md §12): by the provider in its account,
or by support recording the provider's answer by hand.

Rules:
- A provider user answers only for claims of its own providers (``provider_ids``, passed by the
  gateway from the user record); another provider's claim is "not found", as if it did not exist.
  Support (``provider_ids`` None) answers for any claim.
- Only a claim in sampling_in_progress can be answered, once: a claim answered before (in the
  account, by CSV or by support) is refused with when and how it was answered; a claim being
  answered at this moment (a second click) is refused too.
- The answer is the fact a provider response CSV gives (``domain.assurance``), so claims,
  support's decision, clawbacks and the school's email carry on unchanged; the answer is kept in
  ``provider_answers`` with how it came (``account`` or ``support``) and its reason codes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.contracts import ActivityRecorded, Actor, NotFound, Refused, SendNotification
from shared.contracts.claim_status import provider_label
from shared.contracts.reasons import parse_reason

from ..domain import normalise_reference, wording
from ..domain.assurance import MentorAnswer, check_assurance, response_fact
from ..ports import Clock, SamplingUnitOfWork
from .activity import SERVICE

HOW = {"account": "in the provider's account", "support": "by support", "csv": "in a response file"}


@dataclass(frozen=True)
class AssureClaim:
    reference: str
    assured: bool | None
    mentors: tuple[MentorAnswer, ...]
    actor: Actor
    #: The providers the user acts for; None for support (any claim).
    provider_ids: tuple[str, ...] | None = None

    @property
    def via(self) -> str:
        return "account" if self.provider_ids is not None else "support"


def not_found(reference: str) -> NotFound:
    return NotFound(f"There is no claim with the reference {reference}", field="reference")


async def handle_assure_claim(command: AssureClaim, uow: SamplingUnitOfWork, clock: Clock) -> dict[str, Any]:
    reference = normalise_reference(command.reference)
    claim = await uow.projection.claim(reference)
    if claim is None or (command.provider_ids is not None and claim["provider_id"] not in command.provider_ids):
        raise not_found(reference)
    previous = await uow.samplings.answer(reference)
    if previous is not None and (claim["status"] != wording.SAMPLING_IN_PROGRESS or claim["awaiting"]):
        when = previous["answered_at"].strftime("%-d %B %Y")
        answer = "the claim is correct" if previous["assured"] else "the claim is not correct"
        raise Refused(f"Claim {reference} has already been answered: {answer} (answered {HOW.get(previous['via'], '')} "
                      f"on {when}). An answer cannot be changed", field="reference")
    if claim["awaiting"]:
        raise Refused(f"Claim {reference} is already being updated: refresh the page to see its status",
                      field="reference")
    if claim["status"] != wording.SAMPLING_IN_PROGRESS:
        raise Refused(f"Claim {reference} cannot be answered: it is ‘{provider_label(claim['status'])}’ "
                      f"(only a claim whose audit was requested can be)", field="reference")
    view = (await uow.projection.claim_views([reference], with_mentors=True))[reference]
    answer = check_assurance(view._replace(status=claim["status"]), assured=command.assured, mentors=command.mentors)
    if not await uow.projection.mark_awaiting([reference], status=wording.SAMPLING_IN_PROGRESS, awaiting="response"):
        raise Refused(f"Claim {reference} is already being updated: refresh the page to see its status",
                      field="reference")
    now, actor = clock.now(), command.actor
    correlation = f"provider-answer:{reference}"
    uow.emit(response_fact(answer, upload_id=f"{command.via}:{reference}", actor=actor, occurred_at=now,
                           correlation_id=correlation))
    provider = await uow.projection.provider(claim["provider_id"])
    provider_name = (provider or {}).get("name") or claim["provider_name"]
    if answer.assured:
        title = f"Provider {provider_name} assured claim {reference}"
    else:
        title = wording.provider_rejected(provider_name, reference)
    if command.via == "support":
        title += " (recorded by support)"
    uow.emit(ActivityRecorded(title=title, action="provider_assured_audit" if answer.assured else "provider_rejected_audit",
                              claim_references=(reference,), source=SERVICE, actor=actor, occurred_at=now,
                              correlation_id=correlation))
    if not answer.assured and claim["school_email"]:
        uow.emit(SendNotification(
            notification_id=f"{command.via}:{reference}:not-assured", template="school_claim_not_assured",
            to=claim["school_email"],
            personalisation={"claim_reference": reference, "provider_name": provider_name,
                             "school_name": claim["school_name"], "provider_comment": answer.comment},
            reference=reference, actor=actor, occurred_at=now, correlation_id=correlation))
    await uow.samplings.record_answers([{
        "claim_reference": reference, "provider_id": claim["provider_id"], "assured": answer.assured,
        "reason_codes": [parse_reason(m.reason).code for m in answer.mentors if not m.assured],
        "via": command.via, "answered_by": actor.email, "answered_at": now, "upload_id": None}])
    await uow.commit()
    return {"reference": reference, "assured": answer.assured, "comment": answer.comment,
            "mentors": [m.model_dump() for m in answer.mentors]}
