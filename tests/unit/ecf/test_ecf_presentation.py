"""The statement's API document and CSV files."""
import csv
import dataclasses
import io
from collections import Counter
from datetime import date

import pytest

from services.payments.ecf.domain.calculator import Tally, calculate, tally
from services.payments.ecf.domain.presentation import statement_document
from services.payments.ecf.exports import declarations_csv, statement_csv
from services.payments.ecf.domain.statements import add_adjustment, authorise
from shared.contracts.money import Money

from tests.support.ecf_builders import at, contract, declaration, statement

pytestmark = pytest.mark.unit


def test_the_statement_document_shows_amounts_as_strings_in_pennies_rounded_half_up():
    s = authorise(add_adjustment(statement(1), payment_type="Extra", amount=Money("0.005")),
                  assurance_checks_done=True, at=at("2026-10-05T09:30:00"))
    [lines] = calculate(contract(), [s], {"s1": Tally(additions=Counter({"started": 1900}), uplift_additions=3)})

    doc = statement_document(s, lines, today=date(2026, 10, 5))

    assert doc["state"] == "paid"
    assert doc["service_fee"] == "27448.28"
    assert doc["output_fee"] == "226860.00"
    assert doc["uplift"] == "300.00"
    assert doc["adjustments"] == "0.01"
    assert doc["total"] == "254608.28"  # 27448.2758… + 226860 + 300 + 0.005, rounded once
    assert doc["output_fees"] == [{"declaration_type": "started", "band": "A", "count": 1900,
                                   "fee": "119.40", "subtotal": "226860.00"}]
    assert doc["authorised_for_payment"] == "Authorised for payment at 10:30am on 5 Oct 2026"


def test_the_statement_csv_lists_its_lines_then_its_totals():
    c = contract()
    ds = [declaration(1, state="paid", statement_id="s1", uplift=True),
          declaration(2, state="clawed_back", statement_id="s1", clawback_statement_id="s2", uplift=True),
          declaration(3, declaration_type="retained-1", state="eligible", statement_id="s2")]
    s2 = add_adjustment(statement(2), payment_type="Extra support", amount=Money(50))
    _, lines = calculate(c, [statement(1), s2], tally(ds))

    rows = list(csv.DictReader(io.StringIO(statement_csv(s2, lines).decode())))

    assert [(r["line"], r["declaration_type"], r["band"], r["count"], r["amount"]) for r in rows[:4]] == [
        ("output_fee", "retained-1", "A", "1", "89.55"),
        ("clawback", "started", "A", "1", "-119.40"),
        ("uplift_clawback", "started", "", "1", "-100.00"),
        ("adjustment", "Extra support", "", "", "50.00"),
    ]
    assert rows[-1]["line"] == "total"
    assert rows[-1]["amount"] == f"{(c.monthly_service_fee + Money('89.55') - Money('219.40') + Money(50)).rounded():.2f}"


def test_the_declarations_csv_has_one_row_per_declaration():
    rows = list(csv.DictReader(io.StringIO(declarations_csv([declaration(1), declaration(2, uplift=True)]).decode())))

    assert [(r["id"], r["state"], r["uplift"]) for r in rows] == [("d1", "eligible", "no"), ("d2", "eligible", "yes")]


FORMULAS = ("=HYPERLINK(\"http://evil.example\")", "+1+2", "-2+3", "@SUM(A1:A2)")


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_payment_type_that_looks_like_a_formula_is_written_as_text_in_the_statement_csv(formula):
    s = add_adjustment(statement(1), payment_type=formula, amount=Money(-12))
    [lines] = calculate(contract(), [s], {})

    rows = list(csv.reader(io.StringIO(statement_csv(s, lines).decode())))

    assert ["adjustment", "'" + formula, "", "", "", "-12.00"] in rows


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_declaration_field_that_looks_like_a_formula_is_written_as_text_in_the_declarations_csv(formula):
    hostile = dataclasses.replace(declaration(1), participant_id=formula, course_identifier=formula)

    [row] = list(csv.DictReader(io.StringIO(declarations_csv([hostile]).decode())))

    assert (row["participant_id"], row["course_identifier"]) == ("'" + formula, "'" + formula)
