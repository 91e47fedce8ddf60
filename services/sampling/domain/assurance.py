"""A provider's answer given in the service (docs/design.md §12), and the one fact both ways of
answering build.

Rules:
- Only a claim in sampling_in_progress can be answered, and only once.
- Yes: every mentor is assured.
- No: at least one mentor is chosen ("Select the mentors whose training is not correct"); each
  chosen mentor is a mentor of the claim, once; its confirmed hours are a whole number from 0
  ("Remove all hours") to the hours claimed minus one ("Change the hours"); it has a reason from
  ``shared.contracts.reasons`` ("Other" needs details). Mentors not chosen are assured.
- The answer becomes the same ``ClaimAssurance`` a provider response CSV gives for the same
  answer (``assurance_of``, used by both): the mentors in name order, the claim assured only when
  every mentor is, the comment "<mentor>: <reason>" a line for the mentors not assured, the reason
  travelling as "<code>: <details>" text. Only the in-service answer knows the confirmed hours
  (a CSV's ``mentor_hours_of_training`` is there to help and is not read).
- Every error is reported at once, each naming its field: ``assured``, ``mentors``, and per mentor
  ``hours_confirmed-<trn>``, ``reason_code-<trn>``, ``reason-<trn>`` (the pages' field ids).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.contracts import Actor, Refused
from shared.contracts.identifiers import is_ascii_digits
from shared.contracts.reasons import check_reason
from shared.contracts.sampling import MentorAssurance, ProviderResponseRecorded

from .projection import SAMPLING_IN_PROGRESS, ClaimView, MentorView, name_key

CHOOSE_YES_OR_NO = "Select yes if the information in this claim is correct"
CHOOSE_MENTORS = "Select the mentors whose training is not correct"
NOT_A_MENTOR = "Select a mentor on this claim"
MENTOR_TWICE = "Select each mentor only once"


@dataclass(frozen=True)
class MentorAnswer:
    """A mentor the provider says is wrong: the hours it confirms and why."""

    trn: str
    hours_confirmed: int | str | None
    reason_code: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ClaimAssurance:
    """The provider's answer for one claim (from a CSV or from the service)."""

    reference: str
    provider_id: str
    assured: bool
    comment: str
    mentors: tuple[MentorAssurance, ...]


class AnswerRefused(Refused):
    """An answer with errors: ``errors`` holds every one (the first is also the message)."""

    def __init__(self, errors: Sequence[Refused]) -> None:
        super().__init__(errors[0].message, field=errors[0].field)
        self.errors = list(errors)


def ordered(mentors: Sequence[MentorView]) -> list[MentorView]:
    return sorted(mentors, key=lambda m: (name_key(m.full_name), m.trn))


def assurance_of(claim: ClaimView, answered: Mapping[str, MentorAssurance]) -> ClaimAssurance:
    """The claim's answer from each mentor's (by TRN): what both the CSV and the service give."""
    mentors = tuple(answered[m.trn] for m in ordered(claim.mentors))
    not_assured = [m for m in mentors if not m.assured]
    return ClaimAssurance(reference=claim.reference, provider_id=claim.provider_id, assured=not not_assured,
                          comment="\n".join(f"{m.full_name}: {m.reason}" for m in not_assured), mentors=mentors)


def hours_error(mentor: MentorView) -> str:
    if mentor.hours <= 1:
        return f"Enter 0 hours for {mentor.full_name}: they claimed {mentor.hours} hour"
    return (f"Enter the hours {mentor.full_name} did as a whole number from 0 to {mentor.hours - 1} "
            f"(they claimed {mentor.hours})")


def _hours(value: int | str | None) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    return int(text) if is_ascii_digits(text) and len(text) <= 3 else None


def check_assurance(claim: ClaimView, *, assured: bool | None, mentors: Sequence[MentorAnswer] = ()
                    ) -> ClaimAssurance:
    """The answer as the fact will carry it, or ``AnswerRefused`` with every error. The claim's
    status is the caller's to check (it knows whether the claim was answered before)."""
    if assured is None:
        raise AnswerRefused([Refused(CHOOSE_YES_OR_NO, field="assured")])
    if assured:
        return assurance_of(claim, {m.trn: MentorAssurance(trn=m.trn, full_name=m.full_name, assured=True)
                                    for m in claim.mentors})
    if not mentors:
        raise AnswerRefused([Refused(CHOOSE_MENTORS, field="mentors")])
    by_trn = {m.trn: m for m in claim.mentors}
    errors: list[Refused] = []
    answered: dict[str, MentorAssurance] = {}
    seen: set[str] = set()
    for answer in mentors:
        trn = (answer.trn or "").strip()
        mentor = by_trn.get(trn)
        if mentor is None:
            errors.append(Refused(NOT_A_MENTOR, field="mentors"))
            continue
        if trn in seen:
            errors.append(Refused(MENTOR_TWICE, field="mentors"))
            continue
        seen.add(trn)
        hours = _hours(answer.hours_confirmed)
        if hours is None or not 0 <= hours < mentor.hours:
            errors.append(Refused(hours_error(mentor), field=f"hours_confirmed-{trn}"))
        reason, problem = check_reason(answer.reason_code, answer.reason)
        if problem:
            field = f"reason-{trn}" if answer.reason_code == "other" else f"reason_code-{trn}"
            errors.append(Refused(f"{problem} for {mentor.full_name}", field=field))
        if reason is not None and hours is not None:
            answered[trn] = MentorAssurance(trn=trn, full_name=mentor.full_name, assured=False,
                                            reason=reason.as_text(), hours_confirmed=hours)
    if errors:
        raise AnswerRefused(errors)
    for mentor in claim.mentors:
        answered.setdefault(mentor.trn, MentorAssurance(trn=mentor.trn, full_name=mentor.full_name, assured=True))
    return assurance_of(claim, answered)


def can_answer(claim: ClaimView) -> bool:
    return claim.status == SAMPLING_IN_PROGRESS


def response_fact(answer: ClaimAssurance, *, upload_id: str, actor: Actor | None, occurred_at: datetime,
                  correlation_id: str | None = None, **more: Any) -> ProviderResponseRecorded:
    """The fact claims applies (assured → paid; not → sampling_provider_not_approved), whichever
    way the provider answered."""
    if correlation_id is not None:
        more["correlation_id"] = correlation_id
    return ProviderResponseRecorded(reference=answer.reference, assured=answer.assured, comment=answer.comment,
                                    mentors=answer.mentors, upload_id=upload_id, provider_id=answer.provider_id,
                                    actor=actor, occurred_at=occurred_at, **more)
