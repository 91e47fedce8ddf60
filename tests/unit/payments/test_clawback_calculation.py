"""Clawback calculation: the DfE worked examples (docs/design.md §4, issue 5)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.payments.domain.clawback import ClaimedMentor, HoursWorked, assess, mentors_to_enter, rejection_reasons
from services.payments.domain.payer_files import PayerRow, clawback_csv
from shared.contracts import Refused

REST_OF_ENGLAND = Decimal("43.80")
OUTER_LONDON = Decimal("48.25")


def _csv_cells(data: bytes) -> list[list[str]]:
    import csv
    import io
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _row(reference: str, amount: Decimal, clawback: Decimal) -> PayerRow:
    return PayerRow(reference=reference, school_urn="100001", school_name="Leeds High", school_local_authority="Leeds",
                    provider_name="Best Practice Network", amount=amount, school_type_of_establishment="Academy",
                    school_group="", submitted_at=date(2026, 11, 23), clawback_amount=clawback)


def test_rest_of_england_one_mentor_with_all_20_hours_clawed_back_claws_back_the_whole_claim():
    mentors = [ClaimedMentor("1234567", "Ada Lovelace", 20, assured=False)]
    a = assess(reference="12345678", hourly_rate=REST_OF_ENGLAND, mentors=mentors,
               entries=[HoursWorked("1234567", 0)])
    assert a.amount == Decimal("876.00")
    header, row = _csv_cells(clawback_csv([_row("12345678", REST_OF_ENGLAND * 20, a.amount)]))
    assert dict(zip(header, row))["claim_amount"] == "876.00"
    assert dict(zip(header, row))["clawback_amount"] == "876.00"


def test_outer_london_three_mentors_with_2_20_and_10_hours_clawed_back():
    mentors = [ClaimedMentor("1000001", "A", 18, False), ClaimedMentor("1000002", "B", 20, False),
               ClaimedMentor("1000003", "C", 10, False)]
    a = assess(reference="12345678", hourly_rate=OUTER_LONDON, mentors=mentors,
               entries=[HoursWorked("1000001", 16), HoursWorked("1000002", 0), HoursWorked("1000003", 0)])
    assert [m.hours_clawed_back for m in a.mentors] == [2, 20, 10]
    assert a.hours_clawed_back == 32
    header, row = _csv_cells(clawback_csv([_row("12345678", OUTER_LONDON * 48, a.amount)]))
    cells = dict(zip(header, row))
    assert (cells["claim_amount"], cells["clawback_amount"]) == ("2316.00", "1544.00")
    assert [str(m.amount) for m in a.mentors] == ["96.50", "965.00", "482.50"]


def test_a_mentor_who_claimed_15_hours_and_worked_5_has_10_hours_clawed_back():
    a = assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=[ClaimedMentor("1234567", "Ada", 15, False)],
               entries=[HoursWorked("1234567", 5)])
    assert a.mentors[0].hours_clawed_back == 10
    assert a.amount == Decimal("438.00")


def test_working_more_hours_than_were_claimed_is_refused_with_a_clear_message():
    with pytest.raises(Refused) as refused:
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=[ClaimedMentor("1234567", "Ada Lovelace", 3, False)],
               entries=[HoursWorked("1234567", 4)])
    assert "Ada Lovelace" in refused.value.message and "3" in refused.value.message and "4" in refused.value.message
    assert refused.value.field == "hours_worked"


def test_zero_hours_worked_is_allowed_and_claws_back_every_hour():
    a = assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=[ClaimedMentor("1234567", "Ada", 3, False)],
               entries=[HoursWorked("1234567", 0)])
    assert a.mentors[0].hours_clawed_back == 3 and a.amount == Decimal("131.40")


def test_two_mentors_at_20_hours_who_worked_20_and_8_have_0_and_12_hours_clawed_back():
    mentors = [ClaimedMentor("1000001", "A", 20, False), ClaimedMentor("1000002", "B", 20, False)]
    a = assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors,
               entries=[HoursWorked("1000001", 20), HoursWorked("1000002", 8)])
    assert [m.hours_clawed_back for m in a.mentors] == [0, 12]
    assert a.amount == Decimal("525.60")


def test_every_hour_worked_means_nothing_is_owed():
    a = assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=[ClaimedMentor("1234567", "Ada", 6, False)],
               entries=[HoursWorked("1234567", 6)])
    assert a.nothing_owed and a.amount == 0


def test_negative_hours_are_refused():
    with pytest.raises(Refused):
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=[ClaimedMentor("1234567", "Ada", 6, False)],
               entries=[HoursWorked("1234567", -1)])


def test_only_the_not_assured_mentors_are_entered_and_all_of_them_must_be():
    mentors = [ClaimedMentor("1000001", "Assured Anna", 10, True), ClaimedMentor("1000002", "Doubtful Dan", 10, False),
               ClaimedMentor("1000003", "Missing Mo", 5, False)]
    assert [m.trn for m in mentors_to_enter(mentors)] == ["1000002", "1000003"]
    with pytest.raises(Refused, match="Assured Anna was assured"):
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors,
               entries=[HoursWorked("1000001", 0), HoursWorked("1000002", 0), HoursWorked("1000003", 0)])
    with pytest.raises(Refused, match="Enter the hours worked for Missing Mo"):
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors, entries=[HoursWorked("1000002", 0)])


def test_without_the_providers_answer_any_mentor_of_the_claim_may_be_entered_but_only_once():
    mentors = [ClaimedMentor("1000001", "A", 10), ClaimedMentor("1000002", "B", 10)]
    a = assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors, entries=[HoursWorked("1000002", 4)])
    assert a.hours_clawed_back == 6
    with pytest.raises(Refused, match="more than once"):
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors,
               entries=[HoursWorked("1000002", 4), HoursWorked("1000002", 4)])
    with pytest.raises(Refused, match="not on claim"):
        assess(reference="1", hourly_rate=REST_OF_ENGLAND, mentors=mentors, entries=[HoursWorked("9999999", 4)])


def test_rejecting_a_clawback_needs_a_reason_for_every_mentor():
    with pytest.raises(Refused, match="Enter a reason for rejecting the clawback for Ada"):
        rejection_reasons(trns=["1", "2"], names={"1": "Ada", "2": "Bo"}, reasons={"2": "evidence found"})
    assert rejection_reasons(trns=["1"], names={"1": "Ada"}, reasons={"1": " seen the log "}) == {"1": "seen the log"}
