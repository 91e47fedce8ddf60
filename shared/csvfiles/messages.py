"""The words of CSV upload errors (GOV.UK Design System file upload messages) and the error value
that carries them; the rules are in the package docstring."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from shared.contracts.errors import Refused

FILE_FIELD = "file"
#: The default upload limit, as the message states it.
MAX_UPLOAD_LABEL = "50MB"
#: How many of the file's column names the "Right now it has ..." message lists.
SHOWN_COLUMNS = 10
SHOWN_NAME_CHARS = 40
#: How many errors an answer lists before one last error counts the rest ("and 399,887 more
#: errors"): the Design System keeps error lists short, and a refused 200,000-row file must not be
#: answered with 30 MB of JSON.
SHOWN_ERRORS = 100

SELECT_A_FILE = "Select a CSV file to upload"
MUST_BE_CSV = "The selected file must be a CSV"
FILE_IS_EMPTY = "The selected file is empty"
TOO_LARGE = f"The selected file must be smaller than {MAX_UPLOAD_LABEL}"
USE_COMMAS = "Separate the columns in your file with commas"
EXTRA_CELLS = "This row has more values than there are columns"
#: The most files one upload may hold (several provider response files, docs/design.md §12).
MAX_FILES = 20
TOO_MANY_FILES = f"Select no more than {MAX_FILES} files"


class CsvRejected(Refused):
    """An upload that cannot be used, with the errors found (file-level errors or row errors).

    ``errors`` holds at most ``SHOWN_ERRORS`` of them, in the order given, then, when there were
    more, one file error counting the rest: "and 1 more error", "and 399,887 more errors".
    ``error_count`` is how many there were in all. ``message`` is the first error's message, so
    code that only knows ``Refused`` still shows something true; show ``errors`` to people."""

    def __init__(self, errors: Iterable[Refused]) -> None:
        shown: list[Refused] = []
        count = 0
        for error in errors:
            count += 1
            if count <= SHOWN_ERRORS:
                shown.append(error)
        if not count:
            raise ValueError("CsvRejected needs at least one error")
        if count > SHOWN_ERRORS:
            rest = count - SHOWN_ERRORS
            shown.append(file_error(f"and {rest:,} more {'error' if rest == 1 else 'errors'}"))
        self.errors: tuple[Refused, ...] = tuple(shown)
        self.error_count = count
        first = self.errors[0]
        super().__init__(first.message, field=first.field, row=first.row)

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]


def file_error(message: str) -> Refused:
    return Refused(message, field=FILE_FIELD)


def in_row_order(errors: Iterable[Refused]) -> list[Refused]:
    """Row errors by row (the order found kept within a row), then the errors of no row."""
    return sorted(errors, key=lambda e: (e.row is None, e.row or 0))


def error_payload(errors: Iterable[Refused]) -> dict[str, list[dict[str, Any]]]:
    """The gateway's error body: ``{"errors": [{"message", "row", "field"}]}``."""
    return {"errors": [{"message": e.message, "row": e.row, "field": e.field,
                        **({"file": e.file} if getattr(e, "file", None) is not None else {})} for e in errors]}


def quoted(name: str) -> str:
    """‘name’, on one line and shortened to a readable length."""
    name = " ".join(name.split())
    if len(name) > SHOWN_NAME_CHARS:
        name = name[: SHOWN_NAME_CHARS - 1] + "…"
    return f"‘{name}’"


def join_names(names: Sequence[str], *, conjunction: str = "and", limit: int | None = None) -> str:
    """‘a’ · ‘a’ and ‘b’ · ‘a’, ‘b’ and ‘c’ (GOV.UK style: no comma before "and").

    With ``limit``, names past it are counted: ‘a’, ‘b’ and 3 others."""
    shown = [quoted(n) for n in names]
    if limit is not None and len(shown) > limit:
        rest = len(shown) - limit
        return ", ".join(shown[:limit]) + f" and {rest} {'other' if rest == 1 else 'others'}"
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]
