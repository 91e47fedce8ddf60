"""The statement calculator: a pure function from a contract, its statements in order and the
counts of declarations on each, to every statement's lines.

Policy:
- total = service fee + output fees + uplift − clawbacks + manual adjustments, plus VAT at 20% of
  that when the contract is VAT chargeable.
- Service fee: each of the contract's first ``service_fee_months`` statements (in order) carries
  one month's service fee (``Contract.monthly_service_fee``); later statements carry none.
- Output fees: per declaration type, each band's new declarations × the band's fee for the type
  (``banding`` decides the bands; overflow past the last band is not paid).
- Uplift: the uplift amount for each started declaration with the uplift flag on the statement.
- Clawbacks: declarations voided after being paid, on the statement that claws them back, at the
  fee of the band they come off (the highest first), plus the uplift they had earned.
- Mentors (``ecf-mentor``): on an ``ittecf_ectp`` contract each mentor declaration earns the flat
  fee × its weighting (started 50%, completed 50%), outside the bands, with no uplift; a clawback
  takes the same fee back. On an ``ecf`` contract mentors are banded like everyone else.
- Rounding: none; every amount is exact (see ``rules``).

Input is counts (``Tally``), not declarations: the database groups declarations by statement,
type, state, uplift and course, and the calculator's cost is the number of statements × types × bands.
``tally`` builds the counts from declarations for tests and small in-memory uses.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from shared.contracts.money import Money

from .banding import bounds_of, place
from .contract import Contract
from .declarations import BILLABLE, REFUNDABLE, Declaration
from .rules import DECLARATION_TYPES, MENTOR, VAT_RATE
from .statements import Statement

_ZERO = Decimal(0)


@dataclass
class Tally:
    """Counts of one statement's declarations: paid for on it, and clawed back on it."""

    additions: Counter = field(default_factory=Counter)  # declaration type → count
    clawbacks: Counter = field(default_factory=Counter)
    uplift_additions: int = 0
    uplift_clawbacks: int = 0
    # Mentors' (``ecf-mentor``) declarations, kept apart: flat rate or banded, as the contract says.
    mentor_additions: Counter = field(default_factory=Counter)
    mentor_clawbacks: Counter = field(default_factory=Counter)
    mentor_uplift_additions: int = 0
    mentor_uplift_clawbacks: int = 0

    def banded(self, *, with_mentors: bool) -> tuple[Counter, Counter, int, int]:
        """Additions, clawbacks and uplift counts that go through the bands."""
        if not with_mentors:
            return self.additions, self.clawbacks, self.uplift_additions, self.uplift_clawbacks
        return (self.additions + self.mentor_additions, self.clawbacks + self.mentor_clawbacks,
                self.uplift_additions + self.mentor_uplift_additions,
                self.uplift_clawbacks + self.mentor_uplift_clawbacks)


@dataclass(frozen=True)
class FeeLine:
    """Declarations of one type in one band: an output fee line, or a clawback line."""

    declaration_type: str
    band: str
    count: int
    fee: Money
    subtotal: Money


@dataclass(frozen=True)
class StatementLines:
    statement_id: str
    output_fees: tuple[FeeLine, ...]
    clawback_lines: tuple[FeeLine, ...]
    service_fee: Money
    output_fee: Money
    uplift_count: int
    uplift: Money
    uplift_clawback_count: int
    uplift_clawback: Money  # part of ``clawbacks``
    clawbacks: Money  # a positive amount (fee lines + uplift clawed back), taken off the total
    adjustments: Money
    vat: Money
    total: Money
    unpaid_overflow: Mapping[str, int]  # declarations past the last band, per type
    # Flat-rate mentors (``ittecf_ectp``): lines per declaration type (band "mentor"); the fee is
    # in ``mentor_output_fee`` (not in ``output_fee``), its clawbacks in ``clawbacks``.
    mentor_output_fees: tuple[FeeLine, ...] = ()
    mentor_clawback_lines: tuple[FeeLine, ...] = ()
    mentor_output_fee: Money = Money(0)

    @property
    def total_before_vat(self) -> Money:
        return self.total - self.vat


def tally(declarations: Iterable[Declaration]) -> dict[str, Tally]:
    """Counts per statement id from declarations (small data; the database groups large data)."""
    return tally_rows((d.statement_id, d.clawback_statement_id, d.declaration_type, d.state, d.uplift,
                       d.course_identifier) for d in declarations)


def tally_rows(rows: Iterable[tuple]) -> dict[str, Tally]:
    """Counts from rows of (statement_id, clawback_statement_id, declaration_type, state, uplift[,
    course_identifier])."""
    return tally_groups(Counter(rows).items())


def tally_groups(groups: Iterable[tuple[tuple, int]]) -> dict[str, Tally]:
    """Counts from groups of ((statement_id, clawback_statement_id, declaration_type, state, uplift[,
    course_identifier]), number of declarations): what a database ``GROUP BY`` of the columns
    returns. Without a course the declarations count as early career teachers'."""
    tallies: dict[str, Tally] = {}
    for key, n in groups:
        statement_id, clawback_statement_id, declaration_type, state, uplift = key[:5]
        mentor = len(key) > 5 and key[5] == MENTOR
        if state in BILLABLE and statement_id is not None:
            t = tallies.setdefault(statement_id, Tally())
            (t.mentor_additions if mentor else t.additions)[declaration_type] += n
            if uplift:
                if mentor:
                    t.mentor_uplift_additions += n
                else:
                    t.uplift_additions += n
        if state in REFUNDABLE and clawback_statement_id is not None:
            t = tallies.setdefault(clawback_statement_id, Tally())
            (t.mentor_clawbacks if mentor else t.clawbacks)[declaration_type] += n
            if uplift:
                if mentor:
                    t.mentor_uplift_clawbacks += n
                else:
                    t.uplift_clawbacks += n
    return tallies


def calculate(
    contract: Contract,
    statements: Sequence[Statement],
    tallies: Mapping[str, Tally],
) -> list[StatementLines]:
    """Lines of every statement, in the order given (the contract's payment order: see
    ``statements.order_statements``). Banding runs through them in that order, so pass them all,
    from the first, even when only the latest is wanted."""
    bounds = bounds_of(contract.capacities)
    band_names = [b.name for b in contract.bands]
    fees = {t: [b.output_fee(t).amount for b in contract.bands] for t in DECLARATION_TYPES}
    fee_money = {t: [Money(f) for f in fs] for t, fs in fees.items()}
    monthly = contract.monthly_service_fee.amount
    uplift_amount = contract.uplift_amount.amount
    levels: dict[str, int] = dict.fromkeys(DECLARATION_TYPES, 0)
    flat = contract.flat_rate_mentors
    mentor_fees = {t: contract.mentor_fee(t) for t in DECLARATION_TYPES}
    empty = Tally()
    out: list[StatementLines] = []
    for ordinal, statement in enumerate(statements):
        t = tallies.get(statement.id, empty)
        additions, clawbacks, uplift_added, uplift_removed = t.banded(with_mentors=not flat)
        output_lines: list[FeeLine] = []
        clawback_lines: list[FeeLine] = []
        output_total = _ZERO
        clawback_total = _ZERO
        overflow: dict[str, int] = {}
        for declaration_type in DECLARATION_TYPES:
            added = additions.get(declaration_type, 0)
            removed = clawbacks.get(declaration_type, 0)
            if not added and not removed:
                continue
            band_added, band_removed, levels[declaration_type] = place(
                bounds, levels[declaration_type], added, removed)
            type_fees = fees[declaration_type]
            paid = 0
            for i, count in enumerate(band_added):
                if count:
                    paid += count
                    subtotal = type_fees[i] * count
                    output_total += subtotal
                    output_lines.append(FeeLine(declaration_type, band_names[i], count,
                                                fee_money[declaration_type][i], Money(subtotal)))
            for i, count in enumerate(band_removed):
                if count:
                    paid -= count
                    subtotal = type_fees[i] * count
                    clawback_total += subtotal
                    clawback_lines.append(FeeLine(declaration_type, band_names[i], count,
                                                  fee_money[declaration_type][i], Money(subtotal)))
            net_overflow = (added - removed) - paid
            if net_overflow:
                overflow[declaration_type] = net_overflow
        service = monthly if ordinal < contract.service_fee_months else _ZERO
        mentor_lines, mentor_back_lines = (_mentor_lines(t.mentor_additions, mentor_fees),
                                           _mentor_lines(t.mentor_clawbacks, mentor_fees)) if flat else ((), ())
        mentor_total = sum((x.subtotal.amount for x in mentor_lines), _ZERO)
        clawback_total += sum((x.subtotal.amount for x in mentor_back_lines), _ZERO)
        uplift = uplift_amount * uplift_added
        uplift_back = uplift_amount * uplift_removed
        clawback_total += uplift_back
        adjustments = sum((a.amount.amount for a in statement.adjustments), _ZERO)
        before_vat = service + output_total + mentor_total + uplift - clawback_total + adjustments
        vat = before_vat * VAT_RATE if contract.vat_chargeable else _ZERO
        out.append(StatementLines(
            statement_id=statement.id,
            output_fees=tuple(output_lines),
            clawback_lines=tuple(clawback_lines),
            service_fee=Money(service),
            output_fee=Money(output_total),
            uplift_count=uplift_added,
            uplift=Money(uplift),
            uplift_clawback_count=uplift_removed,
            uplift_clawback=Money(uplift_back),
            clawbacks=Money(clawback_total),
            adjustments=Money(adjustments),
            vat=Money(vat),
            total=Money(before_vat + vat),
            unpaid_overflow=overflow,
            mentor_output_fees=mentor_lines,
            mentor_clawback_lines=mentor_back_lines,
            mentor_output_fee=Money(mentor_total),
        ))
    return out


def _mentor_lines(counts: Mapping[str, int], fees: Mapping[str, Money]) -> tuple[FeeLine, ...]:
    return tuple(FeeLine(t, "mentor", counts[t], fees[t], fees[t] * counts[t])
                 for t in DECLARATION_TYPES if counts.get(t))
