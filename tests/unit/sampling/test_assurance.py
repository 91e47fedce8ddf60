"""An answer given in the service (docs/design.md §12): its rules, and that it is the same fact as
the provider response CSV giving the same answer, so the claim ends in the same status with the
same amounts whichever way the provider answered."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.claims.domain.status import next_status
from services.claims.handlers.facts import trigger_of
from services.sampling.domain import validate_provider_response
from services.sampling.domain.assurance import (CHOOSE_MENTORS, CHOOSE_YES_OR_NO, AnswerRefused, MentorAnswer,
                                                check_assurance, response_fact)
from shared.contracts.reasons import REASONS, Reason
from shared.csvfiles import write_csv
from tests.support.sampling_claims import JANE, JOHN, SAM, claim

REF = "12345678"
AT = datetime(2026, 12, 7, 10, tzinfo=timezone.utc)
SAMPLED = claim(REF, "sampling_in_progress", mentors=(JOHN, JANE, SAM))


def refused(**answer) -> dict[str, str]:
    with pytest.raises(AnswerRefused) as caught:
        check_assurance(SAMPLED, **answer)
    return {e.field: e.message for e in caught.value.errors}


def test_yes_assures_every_mentor_and_the_claim():
    answer = check_assurance(SAMPLED, assured=True)
    assert answer.assured and answer.comment == ""
    assert [(m.full_name, m.assured, m.hours_confirmed) for m in answer.mentors] == [
        ("Jane Doe", True, None), ("John Smith", True, None), ("Sam Jones", True, None)]


def test_no_keeps_each_chosen_mentors_hours_and_reason_and_assures_the_others():
    answer = check_assurance(SAMPLED, assured=False, mentors=[
        MentorAnswer(JOHN.trn, 0, "no_record_of_mentor"),
        MentorAnswer(JANE.trn, "4", "hours_not_completed", "Only 4 sessions")])
    assert not answer.assured
    mentors = {m.trn: m for m in answer.mentors}
    assert (mentors[JOHN.trn].assured, mentors[JOHN.trn].hours_confirmed) == (False, 0)
    assert mentors[JANE.trn].reason == "hours_not_completed: Only 4 sessions"
    assert mentors[JANE.trn].hours_confirmed == 4
    assert (mentors[SAM.trn].assured, mentors[SAM.trn].hours_confirmed) == (True, None)
    assert answer.comment == "Jane Doe: hours_not_completed: Only 4 sessions\nJohn Smith: no_record_of_mentor"


def test_no_needs_yes_or_no_and_at_least_one_mentor():
    assert refused(assured=None) == {"assured": CHOOSE_YES_OR_NO}
    assert refused(assured=False, mentors=[]) == {"mentors": CHOOSE_MENTORS}
    assert refused(assured=False, mentors=[MentorAnswer("9999999", 0, "other", "x")]) == {
        "mentors": "Select a mentor on this claim"}


@pytest.mark.parametrize("hours", [10, 11, -1, "", "ten", "１", None, True])
def test_changed_hours_are_a_whole_number_from_0_to_one_less_than_claimed(hours):
    assert refused(assured=False, mentors=[MentorAnswer(JOHN.trn, hours, "claimed_elsewhere")]) == {
        f"hours_confirmed-{JOHN.trn}": "Enter the hours John Smith did as a whole number from 0 to 9 (they claimed 10)"}


def test_a_reason_is_one_of_the_list_and_other_needs_details_every_error_at_once():
    errors = refused(assured=False, mentors=[MentorAnswer(JOHN.trn, 3, "other", " "),
                                             MentorAnswer(JANE.trn, 20, "made_up")])
    assert errors == {f"reason-{JOHN.trn}": "Enter details of the reason for John Smith",
                      f"hours_confirmed-{JANE.trn}": ("Enter the hours Jane Doe did as a whole number from 0 to 5 "
                                                     "(they claimed 6)"),
                      f"reason_code-{JANE.trn}": "Select a reason for Jane Doe"}


def test_a_mentor_is_answered_once():
    assert refused(assured=False, mentors=[MentorAnswer(JOHN.trn, 1, "claimed_elsewhere"),
                                           MentorAnswer(JOHN.trn, 2, "claimed_elsewhere")]) == {
        "mentors": "Select each mentor only once"}


# ------------------------------------------------------------------ the same fact either way
def csv_of(answers: dict[str, tuple[bool, Reason | None]], mentors) -> bytes:
    """The provider response file giving the same answers (reasons as "code: details" text)."""
    rows = [[REF, m.full_name, m.hours, "yes" if answers[m.trn][0] else "no",
             "" if answers[m.trn][0] else answers[m.trn][1].as_text()] for m in mentors]
    return write_csv(("claim_reference", "mentor_full_name", "mentor_hours_of_training", "claim_assured",
                      "claim_not_assured_reason"), rows)


def end_state(fact, status: str = "sampling_in_progress", amount: Decimal = Decimal("876.00")):
    """Where claims takes the claim on this fact: its status, and the amount (a provider's answer never
    changes it; the clawback does, from the hours support enters)."""
    trigger, fields = trigger_of(fact)
    return next_status(REF, status, trigger), amount, fields


details = st.text(alphabet=st.characters(codec="ascii", categories=("L", "N", "Zs")), max_size=30).map(str.strip)
reasons = st.builds(Reason, st.sampled_from(list(REASONS)), details).filter(lambda r: r.code != "other" or r.details)


@settings(max_examples=150, deadline=None)
@given(answers=st.lists(st.one_of(st.none(), st.tuples(reasons, st.integers(min_value=0, max_value=20))),
                        min_size=3, max_size=3))
def test_whatever_the_provider_answers_the_account_and_the_csv_give_the_same_fact_and_end(answers):
    mentors = (JOHN, JANE, SAM)
    chosen = [(m, a) for m, a in zip(mentors, answers) if a is not None]
    in_account = [MentorAnswer(m.trn, hours % m.hours, reason.code, reason.details) for m, (reason, hours) in chosen]
    account = check_assurance(SAMPLED, assured=not chosen, mentors=in_account)

    by_trn = {m.trn: (True, None) for m in mentors} | {m.trn: (False, reason) for m, (reason, _) in chosen}
    from_csv, = validate_provider_response(csv_of(by_trn, mentors), "response.csv", claims={REF: SAMPLED}).claims

    def without_hours(answer):
        return answer.__class__(**{**answer.__dict__, "mentors": tuple(m.model_copy(update={"hours_confirmed": None})
                                                                       for m in answer.mentors)})

    assert without_hours(account) == from_csv  # only the account knows the confirmed hours
    facts = [response_fact(a, upload_id="u", actor=None, occurred_at=AT, event_id=EVENT) for a in (account, from_csv)]
    assert facts[0].model_dump(exclude={"mentors"}) == facts[1].model_dump(exclude={"mentors"})
    assert end_state(facts[0]) == end_state(facts[1])
    assert end_state(facts[0])[0] == ("paid" if not chosen else "sampling_provider_not_approved")


EVENT = "00000000-0000-0000-0000-000000000001"
