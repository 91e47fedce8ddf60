"""The provider's download and the answer-by date (provider_csv.py, dates.py)."""
from __future__ import annotations

from datetime import date

import pytest

from services.sampling.domain import (MentorView, completion_date, provider_csv,
                                      validate_provider_response)
from tests.support.sampling_claims import JANE, JOHN, SAM, claim, projection

pytestmark = pytest.mark.unit


def test_the_provider_csv_has_one_row_per_mentor_ordered_by_claim_then_mentor_name():
    data = provider_csv([claim("22222222", mentors=[JOHN]), claim("11111111", mentors=[SAM, JOHN, JANE])])
    assert data.decode("utf-8-sig").split("\r\n") == [
        "claim_reference,school_urn,school_name,school_postcode,mentor_full_name,"
        "mentor_hours_of_training,claim_assured,claim_not_assured_reason",
        "11111111,100000,Hogwarts Primary,SW1A 1AA,Jane Doe,6,,",
        "11111111,100000,Hogwarts Primary,SW1A 1AA,John Smith,10,,",
        "11111111,100000,Hogwarts Primary,SW1A 1AA,Sam Jones,4,,",
        "22222222,100000,Hogwarts Primary,SW1A 1AA,John Smith,10,,",
        "",
    ]


def test_the_provider_csv_neutralises_formulas_in_names():
    data = provider_csv([claim("11111111", mentors=[MentorView("1234567", "=HYPERLINK(\"x\")", 2)],
                               school_name="@Evil, School")])
    assert "'=HYPERLINK" in data.decode("utf-8-sig")
    assert '"\'@Evil, School"' in data.decode("utf-8-sig")


def test_the_provider_csv_filled_in_and_uploaded_again_is_a_valid_response():
    claims = [claim("11111111", "sampling_in_progress", mentors=[JOHN, JANE]),
              claim("22222222", "sampling_in_progress",
                    mentors=[MentorView("7654321", "=Odd Name", 3)])]
    lines = provider_csv(claims).decode("utf-8-sig").split("\r\n")
    answered = [lines[0]] + [line[:-2] + ",yes," for line in lines[1:] if line]
    response = validate_provider_response("\r\n".join(answered).encode(), "r.csv", claims=projection(*claims))
    assert [(c.reference, c.assured) for c in response.claims] == [("11111111", True), ("22222222", True)]


@pytest.mark.parametrize(("sent_on", "due"), [
    (date(2024, 10, 1), date(2024, 10, 22)),   # Tuesday → Tuesday
    (date(2024, 10, 4), date(2024, 10, 25)),   # Friday → Friday
    (date(2024, 10, 5), date(2024, 10, 28)),   # Saturday → the Monday after
    (date(2024, 10, 6), date(2024, 10, 28)),   # Sunday → the Monday after
    (date(2024, 12, 14), date(2025, 1, 6)),    # across the year end, Saturday → Monday
    (date(2024, 2, 10), date(2024, 3, 4)),     # leap year: 2 March is a Saturday
])
def test_the_completion_date_is_21_days_ahead_moved_off_weekends(sent_on, due):
    assert completion_date(sent_on) == due
    assert completion_date(sent_on).weekday() < 5
