"""Cutting an accepted upload into one file per group of rows, each as it was written (the rules
are in the package docstring): how a provider response answering for several accredited providers
is kept as one file per provider."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator

from .reading import _decode_as, _is_blank


def split_upload(data: bytes, group_of_row: Callable[[int], str | None]) -> dict[str, bytes]:
    """A file ``read_csv_upload`` accepted, cut into one file per group: each holds the header row
    and the data rows ``group_of_row`` (given the spreadsheet row number) puts in that group, in
    file order, exactly as they were written (same encoding, byte order mark, quoting and line
    endings). Blank rows, and rows of no group (``None``), are left out. A last row without a line
    ending gets the file's first line ending, so it can be followed by another."""
    decoded = _decode_as(data)
    if decoded is None:
        raise ValueError("split_upload needs a file read_csv_upload accepted")
    text, bom, encoding = decoded
    text = text.removesuffix("\x1a")
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in io.StringIO(text, newline=""):
            consumed.append(line)
            yield line

    ending = next((m.group(0) for m in re.finditer(r"\r\n|\r|\n", text)), "\r\n")
    header: str | None = None
    groups: dict[str, list[str]] = {}
    number = 0
    for cells in csv.reader(lines(), strict=True):
        number += 1
        raw = "".join(consumed)
        consumed.clear()
        if not raw.endswith(("\n", "\r")):
            raw += ending
        if _is_blank(cells):
            continue
        if header is None:
            header = raw
            continue
        group = group_of_row(number)
        if group is not None:
            groups.setdefault(group, []).append(raw)
    return {group: bom + (header or "").encode(encoding) + "".join(rows).encode(encoding)
            for group, rows in groups.items()}
