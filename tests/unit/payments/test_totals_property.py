"""Property: for any claims and clawbacks, Σ paid − Σ clawed back per school equals what the payment
and clawback CSVs say, to the penny."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from services.payments.domain.clawback import ClaimedMentor, HoursWorked, assess
from services.payments.domain.payer_files import PayerRow, clawback_csv, payment_csv

RATES = [Decimal("53.60"), Decimal("48.25"), Decimal("45.10"), Decimal("43.80")]

mentor = st.tuples(st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=20))
claim = st.tuples(st.sampled_from(["100001", "100002", "100003"]), st.sampled_from(RATES),
                  st.lists(mentor, min_size=1, max_size=4), st.booleans())


def read_back(files: list[bytes], column: str) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for data in files:
        for r in csv.DictReader(io.StringIO(data.decode("utf-8-sig"))):
            totals[r["school_urn"]] = totals.get(r["school_urn"], Decimal(0)) + Decimal(r[column])
    return totals


@settings(max_examples=200, deadline=None)
@given(claims=st.lists(claim, min_size=1, max_size=12), batch_size=st.integers(min_value=1, max_value=5))
def test_net_funding_per_school_matches_the_payment_and_clawback_files(claims, batch_size):
    expected: dict[str, Decimal] = {}
    paid_rows, clawback_rows = [], []
    for n, (urn, rate, mentors, clawed) in enumerate(claims):
        reference = f"{n:08d}"
        amount = rate * sum(hours for hours, _ in mentors)
        row = dict(reference=reference, school_urn=urn, school_name=f"School {urn}", school_local_authority="",
                   provider_name="P", amount=amount, school_type_of_establishment="", school_group="",
                   submitted_at=date(2026, 11, 23))
        paid_rows.append(PayerRow(**row))
        expected[urn] = expected.get(urn, Decimal(0)) + amount
        if clawed:
            lines = [ClaimedMentor(f"{i:07d}", f"M{i}", hours, False) for i, (hours, _) in enumerate(mentors)]
            a = assess(reference=reference, hourly_rate=rate, mentors=lines,
                       entries=[HoursWorked(f"{i:07d}", min(worked, hours)) for i, (hours, worked) in enumerate(mentors)])
            if not a.nothing_owed:
                clawback_rows.append(PayerRow(**row, clawback_amount=a.amount))
                expected[urn] -= sum(rate * (hours - min(worked, hours)) for hours, worked in mentors)
    batches = lambda rows: [rows[i:i + batch_size] for i in range(0, len(rows), batch_size)]  # noqa: E731
    paid = read_back([payment_csv(b) for b in batches(paid_rows)], "claim_amount")
    clawed = read_back([clawback_csv(b) for b in batches(clawback_rows)], "clawback_amount")
    from_files = {urn: paid.get(urn, Decimal(0)) - clawed.get(urn, Decimal(0)) for urn in paid}
    assert from_files == expected
