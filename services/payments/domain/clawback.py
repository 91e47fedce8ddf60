"""Clawback calculation (docs/design.md §4, DfE "Clawing back claims via Support after they have been paid").

Rules:
- Support enters, for each not-assured mentor of a claim, the hours the mentor actually worked:
  a whole number from 0 to the hours claimed for that mentor. More than claimed is refused
  ("... worked 4 hours but only 3 hours were claimed"); 0 is allowed (nothing was done).
- Hours clawed back = hours claimed − hours worked.
- Amount per mentor = hours clawed back × the claim's hourly rate (the rate of the school's region
  frozen in the claim), exact; the total is the sum of the mentors' amounts. Rates have whole
  pennies and hours are whole, so every amount is a whole number of pennies; amounts are still
  rounded half up to the penny explicitly where they are shown or stored.
- Which mentors: the ones the provider did not assure. When the service knows the provider's
  answer per mentor, exactly those mentors must be entered, each once; when it does not (no
  provider response was seen), any of the claim's mentors may be entered, each at most once.
- A total of 0 means nothing is owed: the claim goes back to Paid without a second approval.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from shared.contracts import Refused
from shared.contracts.money import Money


@dataclass(frozen=True)
class ClaimedMentor:
    trn: str
    full_name: str
    hours: int
    #: True / False from the provider's response; None when no response is known.
    assured: bool | None = None


@dataclass(frozen=True)
class HoursWorked:
    trn: str
    hours_worked: int
    notes: str = ""


@dataclass(frozen=True)
class MentorClawback:
    trn: str
    full_name: str
    hours_claimed: int
    hours_worked: int
    hours_clawed_back: int
    amount: Decimal
    notes: str = ""


@dataclass(frozen=True)
class ClawbackAssessment:
    hourly_rate: Decimal
    mentors: tuple[MentorClawback, ...]

    @property
    def hours_clawed_back(self) -> int:
        return sum(m.hours_clawed_back for m in self.mentors)

    @property
    def amount(self) -> Decimal:
        return Money(sum((m.amount for m in self.mentors), Decimal("0"))).rounded()

    @property
    def nothing_owed(self) -> bool:
        return self.amount == 0


def mentors_to_enter(mentors: Sequence[ClaimedMentor]) -> tuple[ClaimedMentor, ...]:
    """The mentors support enters hours for: the not-assured ones, or all when nobody's answer is known."""
    not_assured = tuple(m for m in mentors if m.assured is False)
    if not_assured:
        return not_assured
    if any(m.assured is not None for m in mentors):
        return ()  # every mentor was assured: nothing can be clawed back per mentor
    return tuple(mentors)


def mentor_amount(hours_clawed_back: int, hourly_rate: Decimal) -> Decimal:
    return Money(Decimal(hourly_rate) * hours_clawed_back).rounded()


def assess(*, reference: str, hourly_rate: Decimal, mentors: Sequence[ClaimedMentor],
           entries: Iterable[HoursWorked]) -> ClawbackAssessment:
    """Hours and amounts to claw back, or ``Refused`` naming the mentor and what is wrong."""
    entries = list(entries)
    eligible = mentors_to_enter(mentors)
    by_trn = {m.trn: m for m in eligible}
    all_trns = {m.trn: m for m in mentors}
    if not entries:
        raise Refused(f"Enter the hours worked for each mentor of claim {reference}", field="mentors")
    lines: list[MentorClawback] = []
    seen: set[str] = set()
    for row, entry in enumerate(entries, start=1):
        trn = entry.trn.strip()
        mentor = by_trn.get(trn)
        if mentor is None:
            if trn in all_trns:
                raise Refused(f"{all_trns[trn].full_name} was assured by the provider: there is nothing to "
                              f"claw back for this mentor", field="trn", row=row)
            raise Refused(f"Mentor {trn} is not on claim {reference}", field="trn", row=row)
        if trn in seen:
            raise Refused(f"{mentor.full_name} is entered more than once", field="trn", row=row)
        seen.add(trn)
        worked = entry.hours_worked
        if isinstance(worked, bool) or not isinstance(worked, int):
            raise Refused(f"Enter the hours {mentor.full_name} worked as a whole number", field="hours_worked",
                          row=row)
        if worked < 0:
            raise Refused(f"Enter the hours {mentor.full_name} worked: 0 or more", field="hours_worked", row=row)
        if worked > mentor.hours:
            raise Refused(f"The hours worked for {mentor.full_name} must be {mentor.hours} or fewer: "
                          f"{worked} hours were entered but only {mentor.hours} hours were claimed",
                          field="hours_worked", row=row)
        clawed = mentor.hours - worked
        lines.append(MentorClawback(trn=trn, full_name=mentor.full_name, hours_claimed=mentor.hours,
                                    hours_worked=worked, hours_clawed_back=clawed,
                                    amount=mentor_amount(clawed, hourly_rate), notes=entry.notes.strip()))
    known = any(m.assured is not None for m in mentors)
    if known:
        missing = [m.full_name for m in eligible if m.trn not in seen]
        if missing:
            raise Refused(f"Enter the hours worked for {', '.join(missing)}", field="mentors")
    return ClawbackAssessment(hourly_rate=Decimal(hourly_rate), mentors=tuple(lines))


def rejection_reasons(*, trns: Sequence[str], names: Mapping[str, str],
                      reasons: Mapping[str, str]) -> dict[str, str]:
    """A rejected clawback needs a reason for every mentor in it."""
    cleaned = {trn.strip(): (text or "").strip() for trn, text in reasons.items()}
    unknown = [t for t in cleaned if t not in trns]
    if unknown:
        raise Refused(f"Mentor {unknown[0]} is not in this clawback", field=unknown[0])
    for trn in trns:
        if not cleaned.get(trn):
            raise Refused(f"Enter a reason for rejecting the clawback for {names.get(trn, trn)}", field=trn)
    return {trn: cleaned[trn] for trn in trns}
