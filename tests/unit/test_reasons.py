"""The structured reasons of docs/design.md §12: one list, codes read back from text, "Other" needs details."""
from __future__ import annotations

from hypothesis import given, strategies as st

from shared.contracts.reasons import (CHOOSE_A_REASON, DETAILS_FOR_OTHER, HOURS_NOT_COMPLETED, OTHER, REASONS,
                                      Reason, check_reason, count_reasons, parse_reason)


def test_the_list_is_the_six_reasons_of_the_design_in_order():
    assert list(REASONS) == ["not_itt_training", "hours_not_completed", "no_record_of_mentor",
                             "not_with_this_provider", "claimed_elsewhere", "other"]
    assert REASONS[OTHER] == "Other"


def test_a_reason_may_start_with_a_code_or_be_free_text():
    assert parse_reason("hours_not_completed: only 10 hours") == Reason(HOURS_NOT_COMPLETED, "only 10 hours")
    assert parse_reason(" Hours_Not_Completed ") == Reason(HOURS_NOT_COMPLETED, "")
    assert parse_reason("Did not attend the training") == Reason(OTHER, "Did not attend the training")
    assert parse_reason("note: the mentor left") == Reason(OTHER, "note: the mentor left")
    assert parse_reason("") == Reason(OTHER, "")


def test_other_needs_details_and_an_unknown_code_is_refused():
    assert check_reason("other", "  ") == (None, DETAILS_FOR_OTHER)
    assert check_reason("made_up", "x") == (None, CHOOSE_A_REASON)
    assert check_reason("", "") == (None, CHOOSE_A_REASON)
    assert check_reason("other", "Left the school") == (Reason(OTHER, "Left the school"), None)
    assert check_reason("claimed_elsewhere", "") == (Reason("claimed_elsewhere"), None)


def test_counts_name_every_reason():
    counts = count_reasons(["hours_not_completed: 2 hours", "free words", "hours_not_completed", "", "  "])
    assert counts == {**{code: 0 for code in REASONS}, "hours_not_completed": 2, "other": 1}


@given(st.sampled_from(list(REASONS)), st.text(max_size=40))
def test_a_reason_travels_as_text_and_reads_back_the_same(code, details):
    reason = Reason(code, details.strip())
    if code == OTHER and not reason.details:
        return
    back = parse_reason(reason.as_text())
    assert back.code == code
    assert back.details == reason.details.strip()
