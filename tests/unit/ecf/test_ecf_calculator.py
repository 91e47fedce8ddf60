"""The statement calculator: worked examples, totals and clawbacks."""
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.payments.ecf.domain.calculator import Tally, calculate, tally
from services.payments.ecf.domain.rules import DECLARATION_TYPES, as_text
from services.payments.ecf.domain.statements import add_adjustment
from shared.contracts.money import Money

from tests.support.ecf_builders import bands, contract, declaration, statement

pytestmark = pytest.mark.unit


def lines_for(c, counts: dict[str, int], *, uplift=0):
    s1 = statement(1)
    return calculate(c, [s1], {"s1": Tally(additions=Counter(counts), uplift_additions=uplift)})[0]


@pytest.mark.parametrize("declaration_type, count, subtotal", [
    ("started", 1900, "226860"),
    ("retained-1", 1700, "152235"),
    ("retained-2", 1500, "134325"),
    ("retained-3", 1000, "89550"),
    ("retained-4", 800, "71640"),
    ("completed", 500, "59700"),
])
def test_output_fees_at_995_match_the_worked_examples(declaration_type, count, subtotal):
    lines = lines_for(contract(), {declaration_type: count})

    [line] = lines.output_fees
    assert (line.declaration_type, line.band, line.count) == (declaration_type, "A", count)
    assert line.subtotal == Money(subtotal)
    assert line.fee == Money("119.40" if declaration_type in ("started", "completed") else "89.55")


def test_extended_declarations_earn_15_percent_of_the_output_fee():
    [line] = lines_for(contract(), {"extended-2": 10}).output_fees

    assert line.fee == Money("89.55")


def test_uplift_is_paid_once_per_started_participant_with_pupil_premium_or_sparsity():
    # 100 sparsity, 200 pupil premium (some with both: the flag is one per declaration)
    declarations = [declaration(i, uplift=True) for i in range(300)] + [declaration(i) for i in range(300, 400)]
    [lines] = calculate(contract(), [statement(1)], tally(declarations))

    assert lines.uplift_count == 300
    assert lines.uplift == Money(30000)


def test_a_statement_total_adds_service_output_uplift_and_adjustments_less_clawbacks():
    c = contract()
    s1 = add_adjustment(statement(1), payment_type="Extra support", amount=Money("150.50"))
    [lines] = calculate(c, [s1], {"s1": Tally(additions=Counter({"started": 10}), uplift_additions=2)})

    assert lines.output_fee == Money("1194")
    assert lines.uplift == Money(200)
    assert lines.adjustments == Money("150.50")
    assert lines.vat == Money(0)
    assert lines.total == c.monthly_service_fee + Money("1194") + Money(200) + Money("150.50")
    assert as_text(lines.total) == "28992.78"


def test_vat_is_20_percent_of_the_total_when_the_contract_is_vat_chargeable():
    c = contract(vat_chargeable=True, monthly_service_fee=Money(1000))
    [lines] = calculate(c, [statement(1)], {"s1": Tally(additions=Counter({"started": 10}))})

    assert lines.vat == Money("438.80")
    assert lines.total == Money("2632.80")


def test_only_the_first_service_fee_months_statements_carry_a_service_fee():
    c = contract(service_fee_months=2)
    result = calculate(c, [statement(1), statement(2, output_fee=False), statement(3)], {})

    assert [r.service_fee for r in result] == [c.monthly_service_fee, c.monthly_service_fee, Money(0)]


def test_banding_runs_through_the_statements_in_order():
    c = contract()
    tallies = {"s1": Tally(additions=Counter({"started": 1900})),
               "s2": Tally(additions=Counter({"started": 2500}))}
    _, second = calculate(c, [statement(1), statement(2)], tallies)

    assert [(line.band, line.count) for line in second.output_fees] == [("A", 100), ("B", 2000), ("C", 400)]
    assert second.output_fee == Money(100 * Decimal("119.40") + 2000 * 108 + 400 * 96)


def test_band_d_pays_the_whole_of_band_c_price_as_output_fee():
    c = contract(bands=bands(d_max=6500))
    [lines] = calculate(c, [statement(1)], {"s1": Tally(additions=Counter({"started": 6600}))})

    assert lines.output_fees[-1].band == "D"
    assert lines.output_fees[-1].count == 500
    assert lines.output_fees[-1].fee == Money(160)
    assert lines.unpaid_overflow == {"started": 100}


def test_a_paid_declaration_voided_is_clawed_back_on_the_next_statement_with_its_uplift():
    c = contract()
    d = declaration(1, state="clawed_back", statement_id="s1", clawback_statement_id="s2", uplift=True)
    first, second = calculate(c, [statement(1), statement(2)], tally([d]))

    assert first.output_fee == Money("119.40") and first.uplift == Money(100)
    assert second.clawbacks == Money("219.40")
    assert [(x.declaration_type, x.band, x.count) for x in second.clawback_lines] == [("started", "A", 1)]
    assert first.total - first.service_fee + second.total - second.service_fee == Money(0)


def test_voided_submitted_and_ineligible_declarations_are_not_paid():
    ds = [declaration(1, state="voided"), declaration(2, state="ineligible"),
          declaration(3, state="submitted", statement_id=None), declaration(4, state="payable")]
    [lines] = calculate(contract(), [statement(1)], tally(ds))

    assert lines.output_fee == Money("119.40")


def _recomputed_total(c, s, lines):
    before_vat = (lines.service_fee + sum((x.subtotal for x in lines.output_fees), Money(0)) + lines.uplift
                  - sum((x.subtotal for x in lines.clawback_lines), Money(0))
                  - c.uplift_amount * lines.uplift_clawback_count
                  + sum((a.amount for a in s.adjustments), Money(0)))
    return before_vat + (before_vat * Decimal("0.2") if c.vat_chargeable else Money(0))


type_counts = st.dictionaries(st.sampled_from(DECLARATION_TYPES), st.integers(0, 3000), max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(type_counts, st.integers(0, 300), st.integers(-5000, 5000), st.integers(0, 100)),
                min_size=1, max_size=5),
       st.booleans(), st.booleans())
def test_a_statement_total_is_the_sum_of_its_lines(per_statement, vat, with_d):
    c = contract(vat_chargeable=vat, bands=bands(d_max=7000) if with_d else bands())
    statements, tallies = [], {}
    started = 0
    for i, (counts, uplift, adjustment, clawed) in enumerate(per_statement, start=1):
        s = statement(i)
        if adjustment:
            s = add_adjustment(s, payment_type="Manual", amount=Money(adjustment))
        statements.append(s)
        started += counts.get("started", 0)
        clawed = min(clawed, started)
        started -= clawed
        tallies[s.id] = Tally(additions=Counter(counts), uplift_additions=uplift,
                              clawbacks=Counter({"started": clawed}), uplift_clawbacks=clawed // 2)
    for s, lines in zip(statements, calculate(c, statements, tallies)):
        assert lines.total == _recomputed_total(c, s, lines)
        assert lines.output_fee == sum((x.subtotal for x in lines.output_fees), Money(0))
        assert lines.clawbacks == sum((x.subtotal for x in lines.clawback_lines), Money(0)) + lines.uplift_clawback
        assert all(x.subtotal == x.fee * x.count for x in lines.output_fees + lines.clawback_lines)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 7000), st.integers(1, 3000), st.data(), st.sampled_from(DECLARATION_TYPES), st.booleans())
def test_voiding_paid_declarations_nets_to_zero_over_the_paying_and_the_clawing_back_statement(
        earlier, paid, data, declaration_type, uplift):
    voided = data.draw(st.integers(1, paid))
    c = contract(bands=bands(d_max=7000))
    s0, s1, s2 = statement(1), statement(2), statement(3)
    before = {"s1": Tally(additions=Counter({declaration_type: earlier}))}
    tallies = dict(before)
    tallies["s2"] = Tally(additions=Counter({declaration_type: paid}), uplift_additions=paid if uplift else 0)
    tallies["s3"] = Tally(clawbacks=Counter({declaration_type: voided}), uplift_clawbacks=voided if uplift else 0)
    _, pay, claw = calculate(c, [s0, s1, s2], tallies)
    expected_remaining = calculate(c, [s0, s1], {
        **before, "s2": Tally(additions=Counter({declaration_type: paid - voided}),
                              uplift_additions=(paid - voided) if uplift else 0)})[1]

    assert (pay.output_fee + pay.uplift) - claw.clawbacks == expected_remaining.output_fee + expected_remaining.uplift
    if voided == paid:
        assert (pay.output_fee + pay.uplift) - claw.clawbacks == Money(0)


def test_grouped_counts_from_the_database_tally_the_same_as_the_declarations():
    from services.payments.ecf.domain.calculator import tally_groups
    ds = [declaration(1, uplift=True), declaration(2, uplift=True), declaration(3, declaration_type="completed"),
          declaration(4, state="awaiting_clawback", statement_id="s1", clawback_statement_id="s2", uplift=True)]
    groups = Counter((d.statement_id, d.clawback_statement_id, d.declaration_type, d.state, d.uplift) for d in ds)

    assert tally_groups(groups.items()) == tally(ds)
    assert tally(ds)["s1"].uplift_additions == 3
    assert tally(ds)["s2"].clawbacks == Counter({"started": 1})


def test_all_statements_of_170_providers_are_calculated_well_within_two_seconds():
    import time
    c = contract(bands=bands(d_max=7000), vat_chargeable=True)
    statements = [statement(i) for i in range(1, 37)]
    tallies = {s.id: Tally(additions=Counter({t: 17 for t in DECLARATION_TYPES}),
                           clawbacks=Counter({"started": 1}), uplift_additions=5, uplift_clawbacks=1)
               for s in statements}

    started = time.perf_counter()
    for _ in range(170):
        calculate(c, statements, tallies)

    assert time.perf_counter() - started < 2
