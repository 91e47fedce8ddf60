"""Every (status, trigger) pair: allowed ones move, all others are refused and change nothing."""
from __future__ import annotations

import pytest

from services.claims.domain.status import STATUSES, TRANSITIONS, Trigger, label, next_status
from shared.contracts import Refused

EXPECTED = {  # docs/design.md §3, written out independently of the table under test
    ("draft", Trigger.SUBMIT): "submitted",
    ("submitted", Trigger.SENT_TO_PAYER): "payment_in_progress",
    ("payment_in_progress", Trigger.PAYER_PAID): "paid",
    ("payment_in_progress", Trigger.PAYER_NEEDS_INFORMATION): "payment_information_requested",
    ("payment_information_requested", Trigger.INFORMATION_SENT): "payment_information_sent",
    ("payment_information_requested", Trigger.PAYER_REJECTED): "payment_not_approved",
    ("payment_information_sent", Trigger.PAYER_PAID): "paid",
    ("payment_information_sent", Trigger.PAYER_REJECTED): "payment_not_approved",
    ("paid", Trigger.SAMPLED): "sampling_in_progress",
    ("sampling_in_progress", Trigger.PROVIDER_ASSURED): "paid",
    ("sampling_in_progress", Trigger.PROVIDER_NOT_ASSURED): "sampling_provider_not_approved",
    ("sampling_provider_not_approved", Trigger.SUPPORT_APPROVED): "paid",
    ("sampling_in_progress", Trigger.SUPPORT_APPROVED): "paid",  # §12: support approves a claim still in sampling
    ("sampling_provider_not_approved", Trigger.SUPPORT_REJECTED): "sampling_not_approved",
    ("sampling_not_approved", Trigger.CLAWBACK_ASSESSED): "clawback_requires_approval",
    ("sampling_not_approved", Trigger.CLAWBACK_NOTHING_OWED): "paid",
    ("clawback_rejected", Trigger.CLAWBACK_ASSESSED): "clawback_requires_approval",
    ("clawback_rejected", Trigger.CLAWBACK_NOTHING_OWED): "paid",
    ("clawback_requires_approval", Trigger.CLAWBACK_APPROVED): "clawback_requested",
    ("clawback_requires_approval", Trigger.CLAWBACK_REJECTED): "clawback_rejected",
    ("clawback_requested", Trigger.CLAWBACK_SENT): "clawback_in_progress",
    ("clawback_in_progress", Trigger.CLAWBACK_COMPLETED): "clawback_complete",
    ("submitted", Trigger.PROVIDER_MARKED_INVALID): "invalid_provider",
    ("invalid_provider", Trigger.PROVIDER_CHANGED): "submitted",
}
PAIRS = [(s, t) for s in STATUSES for t in Trigger]


def test_there_are_sixteen_statuses_with_the_labels_support_users_see():
    assert len(STATUSES) == 16
    assert label("payment_information_requested") == "Payer needs information"
    assert label("sampling_not_approved") == "Claim not approved"


@pytest.mark.parametrize(("status", "trigger"), PAIRS, ids=[f"{s}-{t.name}" for s, t in PAIRS])
def test_every_status_and_trigger_pair(status, trigger):
    expected = EXPECTED.get((status, trigger))
    if expected:
        assert next_status("12345678", status, trigger) == expected
    else:
        with pytest.raises(Refused) as refused:
            next_status("12345678", status, trigger)
        assert "12345678" in refused.value.message and label(status) in refused.value.message


def test_the_table_has_no_transition_the_design_does_not():
    table = {(s, t): to for t, moves in TRANSITIONS.items() for s, to in moves.items()}
    assert table == EXPECTED
