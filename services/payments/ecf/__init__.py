"""ECF lead provider payments: contracts, declarations, statements and the statement calculator.

``ecf.domain`` is pure (stdlib + shared.contracts); this package re-exports what the persistence
and API layers call. Rules: docs/design.md §7; decisions: docs/decisions.md.
"""
from .domain.banding import band_counts, fill
from .domain.calculator import FeeLine, StatementLines, Tally, calculate, tally, tally_groups, tally_rows
from .domain.contract import Band, Contract, PricedBand
from .domain.declarations import (
    BILLABLE, BILLABLE_OR_CHANGEABLE, REFUNDABLE, STATES, Declaration, DeclarationRefused, Participant,
    after_deadline, make_eligible, on_authorise, parse_declaration_date, submit, void,
)
from .domain.presentation import declarations_csv_rows, statement_csv_rows, statement_document
from .domain.rules import DECLARATION_TYPES, EVIDENCE_HELD, WEIGHTINGS, as_text, pennies
from .domain.schedules import Milestone, Schedule
from .domain.statements import (
    AUTHORISE_CLAWBACK_TRANSITIONS, AUTHORISE_TRANSITIONS, DEADLINE_TRANSITIONS, Adjustment, Statement,
    add_adjustment, authorise, authorised_for_payment_text, next_output_statement, order_statements,
)

__all__ = [
    "band_counts", "fill", "FeeLine", "StatementLines", "Tally", "calculate", "tally", "tally_groups",
    "tally_rows", "Band", "Contract", "PricedBand", "BILLABLE", "BILLABLE_OR_CHANGEABLE", "REFUNDABLE", "STATES",
    "Declaration", "DeclarationRefused", "Participant", "after_deadline", "make_eligible", "on_authorise",
    "parse_declaration_date", "submit", "void", "declarations_csv_rows", "statement_csv_rows", "statement_document",
    "DECLARATION_TYPES", "EVIDENCE_HELD", "WEIGHTINGS", "as_text", "pennies", "Milestone", "Schedule",
    "AUTHORISE_CLAWBACK_TRANSITIONS", "AUTHORISE_TRANSITIONS", "DEADLINE_TRANSITIONS", "Adjustment",
    "Statement", "add_adjustment", "authorise", "authorised_for_payment_text", "next_output_statement",
    "order_statements",
]
