"""RECT's contracts (docs/design.md §15): per-band output/service shares, the set-up fee spread over band A's
capacity, its worked examples, and ittecf_ectp contracts paying mentors a flat rate."""
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from services.payments.ecf.domain.banding import band_counts
from services.payments.ecf.domain.calculator import Tally, calculate, tally
from services.payments.ecf.domain.contract import Band, Contract
from shared.contracts.errors import Refused
from shared.contracts.money import Money

from tests.support.ecf_builders import declaration, statement

pytestmark = pytest.mark.unit


def rect(bands, *, target, set_up_fee="0", **kw) -> Contract:
    return Contract.create(id="c", lead_provider_id="lp-1", cohort=2026, recruitment_target=target, bands=bands,
                           set_up_fee=Money(set_up_fee), **kw)


def test_band_a_at_800_with_40_percent_service_target_100_and_500_set_up_fee_pays_31500_over_29_months():
    c = rect([Band("A", 0, 100, Money(800), Decimal(60))], target=100, set_up_fee="500")

    assert c.service_fee_total == Money(31500)
    assert c.monthly_service_fee == Money(31500) / 29


def test_a_band_b_at_600_for_50_more_participants_brings_the_service_fee_to_43500_over_29():
    c = rect([Band("A", 0, 100, Money(800)), Band("B", 101, 150, Money(600))], target=150, set_up_fee="500")

    assert c.service_fee_total == Money(43500)
    assert c.monthly_service_fee == Money(43500) / 29


def test_a_target_of_50_on_a_band_a_of_100_recoups_only_half_the_set_up_fee():
    c = rect([Band("A", 0, 100, Money(800))], target=50, set_up_fee="500")

    assert c.service_fee_total == Money(15750)
    assert c.monthly_service_fee == Money(15750) / 29


def test_part_one_set_up_fee_example_still_gives_485_a_participant():
    c = rect([Band("A", 0, 2000, Money(1400)), Band("B", 2001, 4000, Money(900))], target=2000,
             set_up_fee="150000")

    assert c.band("A").service_fee_per_participant == Money(485)


def test_bands_of_two_two_and_two_place_three_started_as_two_in_a_and_one_in_b():
    assert band_counts((2, 2, 2), new=3) == (2, 1, 0)


def test_bands_of_two_two_and_two_place_two_started_after_one_earlier_as_one_in_a_and_one_in_b():
    assert band_counts((2, 2, 2), new=2, previous=1) == (1, 1, 0)


def test_each_band_has_its_own_output_share_and_the_rest_is_service_fee():
    c = rect([Band("A", 0, 10, Money(1000), Decimal(70)), Band("B", 11, 20, Money(500), Decimal(50))], target=20)

    assert c.band("A").output_fee("started") == Money(140)  # 1000 × 70% × 20%
    assert c.band("A").service_fee_per_participant == Money(300)
    assert c.band("B").service_fee_per_participant == Money(250)
    assert c.service_fee_total == Money(5500)


def test_band_d_is_paid_wholly_as_output_fee_by_default():
    c = rect([Band("A", 0, 1, Money(3)), Band("B", 2, 2, Money(2)), Band("C", 3, 3, Money(1)),
              Band("D", 4, 5, None)], target=5)

    assert c.band("D").output_share == 1
    assert c.band("D").service_fee_per_participant == Money(0)
    assert c.band("A").output_share == Decimal("0.6")


@pytest.mark.parametrize("percent", [Decimal(-1), Decimal(101), Decimal("NaN")])
def test_an_output_share_outside_0_to_100_percent_is_refused_naming_the_band(percent):
    with pytest.raises(Refused) as refused:
        rect([Band("A", 0, 10, Money(800), percent)], target=10)

    assert refused.value.message == "Enter band A’s output fee share as a percentage from 0 to 100"
    assert refused.value.field == "bands[0]"


def mentor_contract(fee="1000") -> Contract:
    return rect([Band("A", 0, 2, Money(800)), Band("B", 3, 4, Money(600))], target=4,
                contract_type="ittecf_ectp", mentor_fee_per_declaration=Money(fee))


def test_an_ittecf_ectp_contract_needs_a_mentor_fee_and_an_ecf_contract_refuses_one():
    with pytest.raises(Refused) as missing:
        rect([Band("A", 0, 2, Money(800))], target=2, contract_type="ittecf_ectp")
    with pytest.raises(Refused) as extra:
        rect([Band("A", 0, 2, Money(800))], target=2, mentor_fee_per_declaration=Money(10))
    with pytest.raises(Refused) as unknown:
        rect([Band("A", 0, 2, Money(800))], target=2, contract_type="npq")

    assert missing.value.field == extra.value.field == "mentor_fee_per_declaration"
    assert unknown.value.message == "Enter a contract type: ecf or ittecf_ectp"


def mentor(n, declaration_type="started", **kw):
    return replace(declaration(n, declaration_type=declaration_type, **kw), course_identifier="ecf-mentor")


def test_flat_rate_mentors_earn_half_the_fee_when_started_and_half_when_completed_outside_the_bands():
    c = mentor_contract()
    found = [mentor(i) for i in range(5)] + [mentor(10 + i, "completed") for i in range(3)] \
        + [declaration(100 + i) for i in range(3)]
    [lines] = calculate(c, [statement(1)], tally(found))

    assert lines.mentor_output_fee == Money(4000)  # 5 × 500 + 3 × 500: no cap, no band
    assert [(x.declaration_type, x.band, x.count, x.fee) for x in lines.mentor_output_fees] == [
        ("started", "mentor", 5, Money(500)), ("completed", "mentor", 3, Money(500))]
    # the three early career teachers fill band A (2) then B (1): mentors took no place
    assert [(x.band, x.count) for x in lines.output_fees] == [("A", 2), ("B", 1)]
    assert lines.total == lines.service_fee + lines.output_fee + Money(4000)


def test_flat_rate_mentors_earn_no_uplift_and_no_service_fee():
    c = rect([Band("A", 0, 2, Money(800))], target=2, contract_type="ittecf_ectp",
             mentor_fee_per_declaration=Money(1000))
    [lines] = calculate(c, [statement(1)], tally([mentor(1, uplift=True)]))

    assert lines.uplift == Money(0)
    assert lines.service_fee == c.monthly_service_fee == Money(640) / 29  # early career teachers' only


def test_a_clawed_back_flat_rate_mentor_declaration_takes_its_fee_back_on_the_later_statement():
    c = mentor_contract()
    s1, s2 = statement(1), statement(2)
    clawed = mentor(1, state="awaiting_clawback", statement_id="s1", clawback_statement_id="s2")
    first, second = calculate(c, [s1, s2], tally([clawed]))

    assert first.mentor_output_fee == Money(500)
    assert second.clawbacks == Money(500)
    assert [(x.band, x.count) for x in second.mentor_clawback_lines] == [("mentor", 1)]


def test_on_an_ecf_contract_mentors_are_banded_with_everyone():
    c = rect([Band("A", 0, 2, Money(800)), Band("B", 3, 4, Money(600))], target=4)
    [lines] = calculate(c, [statement(1)], tally([mentor(1), mentor(2), declaration(3)]))

    assert [(x.band, x.count) for x in lines.output_fees] == [("A", 2), ("B", 1)]
    assert lines.mentor_output_fee == Money(0)


def test_counts_without_a_course_are_early_career_teachers():
    t = Tally(additions=Counter({"started": 1}))
    [lines] = calculate(mentor_contract(), [statement(1)], {"s1": t})

    assert lines.output_fee == Money(96)
