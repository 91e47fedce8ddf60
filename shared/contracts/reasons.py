"""The structured reasons for a claim not being assured or approved, spelled once (docs/design.md §12).

One list, used by providers when they do not assure a mentor's training, by support when it
rejects a claim and when it rejects a clawback, and counted per reason on a sampling round.

Rules:
- A reason is a code of ``REASONS`` and, for ``other``, details in the user's words (required).
- In a provider response CSV, ``claim_not_assured_reason`` may start with a code followed by a
  colon (``hours_not_completed: only 10 hours``); any other text is the details of ``other``.
- A reason travels as text "<code>: <details>" (or the code alone) in the facts that already
  carry a free-text reason, so older consumers keep working and the code can be read back.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

NOT_ITT_TRAINING = "not_itt_training"
HOURS_NOT_COMPLETED = "hours_not_completed"
NO_RECORD_OF_MENTOR = "no_record_of_mentor"
NOT_WITH_THIS_PROVIDER = "not_with_this_provider"
CLAIMED_ELSEWHERE = "claimed_elsewhere"
OTHER = "other"

#: code → label, in the order pages and the API list them (docs/design.md §12).
REASONS: Mapping[str, str] = MappingProxyType({
    NOT_ITT_TRAINING: "The mentor's training was for the early career framework (ECF), not ITT",
    HOURS_NOT_COMPLETED: "The mentor did not complete the hours claimed",
    NO_RECORD_OF_MENTOR: "The provider has no record of this mentor",
    NOT_WITH_THIS_PROVIDER: "The mentor trained with a different provider",
    CLAIMED_ELSEWHERE: "This training has been claimed on another claim",
    OTHER: "Other",
})

#: The error for a reason code that is not on the list.
CHOOSE_A_REASON = "Select a reason"
#: The error for "Other" without details.
DETAILS_FOR_OTHER = "Enter details of the reason"


@dataclass(frozen=True)
class Reason:
    """A structured reason: its code and the details given with it ("" when none)."""

    code: str
    details: str = ""

    @property
    def label(self) -> str:
        return REASONS[self.code]

    def as_text(self) -> str:
        """How the reason travels in a fact's free-text field: "<code>: <details>" or the code alone."""
        return f"{self.code}: {self.details}" if self.details else self.code

    def describe(self) -> str:
        """The reason in words for a page or an email: the label, then the details."""
        if self.code == OTHER:
            return self.details or REASONS[OTHER]
        return f"{self.label}: {self.details}" if self.details else self.label


def parse_reason(text: str) -> Reason:
    """A reason read from text: "<code>: <details>", "<code>" alone, or free text (→ ``other``).

    A blank text is ``Reason(OTHER, "")``; callers that need details check ``Reason.details``."""
    stripped = (text or "").strip()
    head, sep, rest = stripped.partition(":")
    code = head.strip().lower()
    if code in REASONS and (sep or stripped.lower() == code):
        return Reason(code, rest.strip())
    return Reason(OTHER, stripped)


def check_reason(code: str, details: str) -> tuple[Reason | None, str | None]:
    """(the reason, None) for a valid choice, else (None, the error message in the Design System's words)."""
    code = (code or "").strip()
    details = (details or "").strip()
    if code not in REASONS:
        return None, CHOOSE_A_REASON
    if code == OTHER and not details:
        return None, DETAILS_FOR_OTHER
    return Reason(code, details), None


def count_reasons(texts: list[str]) -> dict[str, int]:
    """How many times each reason code appears in reasons travelling as text (every code, 0 included)."""
    counts = {code: 0 for code in REASONS}
    for text in texts:
        if text and text.strip():
            counts[parse_reason(text).code] += 1
    return counts
