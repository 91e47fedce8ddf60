"""The finance CSV downloads of the ECF engine, written by ``shared.csvfiles.write_csv`` like every
other file the service hands out: a cell a lead provider or finance user typed (a payment type, a
course identifier) that starts with = + - @ is written as text, so a spreadsheet never runs it.
UTF-8 without a byte order mark, CRLF line endings."""
from __future__ import annotations

from typing import Iterable

from shared.csvfiles import write_csv

from .domain.calculator import StatementLines
from .domain.declarations import Declaration
from .domain.presentation import (DECLARATIONS_CSV_HEADERS, STATEMENT_CSV_HEADERS, declarations_csv_rows,
                                  statement_csv_rows)
from .domain.statements import Statement


def statement_csv(statement: Statement, lines: StatementLines) -> bytes:
    return write_csv(STATEMENT_CSV_HEADERS, statement_csv_rows(statement, lines), bom=False)


def declarations_csv(declarations: Iterable[Declaration]) -> bytes:
    return write_csv(DECLARATIONS_CSV_HEADERS, declarations_csv_rows(declarations), bom=False)
