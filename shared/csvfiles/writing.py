"""Writing CSV files that are safe to open in a spreadsheet (rule in the package docstring)."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(value: object) -> str:
    """The text of a cell, neutralised against formula injection (rule in the package docstring).

    ``None`` is an empty cell; other values are written with ``str`` (``Money`` gives ``876.00``)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.startswith(_FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def write_csv(
    headers: Sequence[str],
    rows: Iterable[Sequence[object] | Mapping[str, object]],
    *,
    bom: bool = True,
) -> bytes:
    """A CSV file: the header row, then each row (a sequence in header order, or a mapping by
    header, missing keys blank), every cell through ``safe_cell``. UTF-8 (with a byte order mark
    unless ``bom=False``), CRLF line endings, quoting only where needed."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in headers])
    width = len(headers)
    for row in rows:
        if isinstance(row, Mapping):
            cells = [row.get(h) for h in headers]
        else:
            cells = list(row)
            if len(cells) != width:
                raise ValueError(f"a row has {len(cells)} cells for {width} headers")
        writer.writerow([safe_cell(c) for c in cells])
    text = buffer.getvalue()
    return ("\ufeff" + text if bom else text).encode("utf-8")
