"""Mentors are funded once (docs/design.md §15), whatever the lead provider.

Policy:
- "Funded" means a mentor (``ecf-mentor``) declaration of the same TRN on another participant record
  that will be, or has been, paid: eligible, payable or paid. A voided or clawed back one does not
  count (the money did not stay with the lead provider).
- Any mentor whose TRN has a funded ``completed`` declaration gets no declaration again.
- A replacement mentor (a mentor who replaces an early career teacher's mentor part way through,
  whom the lead provider puts on an ``ecf-replacement-*`` schedule, as the ECF API v3 asks) is
  funded only if not funded before: any funded mentor declaration of the TRN, ``started`` included,
  refuses the replacement mentor's declarations.
- Both are refused with every other reason of the request (nothing is stored), naming the
  participant.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from shared.contracts.errors import Refused

from .rules import MENTOR, is_replacement_schedule

if TYPE_CHECKING:
    from .declarations import Participant

MENTOR_FUNDED_MESSAGE = ("This mentor has already been funded for completed mentor training, so they cannot be "
                         "funded again")
REPLACEMENT_MENTOR_FUNDED_MESSAGE = ("This replacement mentor has already been funded for mentor training, so they "
                                     "cannot be funded again")


def mentor_funding_refusal(participant: "Participant", funded_types: Iterable[str]) -> Refused | None:
    """Why this mentor cannot be funded again, or None. ``funded_types``: the mentor declaration
    types already funded for the participant's TRN on other participant records."""
    funded = set(funded_types)
    if participant.course_identifier != MENTOR or not funded:
        return None
    if "completed" in funded:
        return Refused(MENTOR_FUNDED_MESSAGE, field="participant_id")
    if is_replacement_schedule(participant.schedule_identifier):
        return Refused(REPLACEMENT_MENTOR_FUNDED_MESSAGE, field="participant_id")
    return None
