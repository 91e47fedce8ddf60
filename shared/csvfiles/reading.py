"""Reading an uploaded CSV file (the rules and their order are in the package docstring)."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from shared.contracts.errors import Refused

from .messages import (EXTRA_CELLS, FILE_IS_EMPTY, MAX_UPLOAD_LABEL, MUST_BE_CSV, SELECT_A_FILE,
                       SHOWN_COLUMNS, USE_COMMAS, CsvRejected, file_error, in_row_order, join_names,
                       quoted)
from .writing import safe_cell

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
#: Excel's limits: a value longer, or a row wider, was not made by a spreadsheet.
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 16_384

_SIGNATURES: tuple[bytes, ...] = (
    b"%PDF",                      # PDF
    b"\x89PNG\r\n\x1a\n",         # PNG
    b"\xff\xd8\xff",              # JPEG
    b"GIF87a", b"GIF89a",         # GIF
    b"BM",                        # BMP (only when its header states the file's size)
    b"II*\x00", b"MM\x00*",       # TIFF
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # ZIP: .xlsx, .docx, .ods, .zip
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",          # OLE2: .xls, .doc
    b"\x1f\x8b",                  # gzip
    b"7z\xbc\xaf\x27\x1c",        # 7-Zip
    b"Rar!\x1a\x07",              # RAR
    b"\x7fELF",                   # ELF executable
    b"MZ\x90\x00",                # Windows executable
    b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe",     # Mach-O / Java class
    b"SQLite format 3\x00",       # SQLite
    b"\x1aE\xdf\xa3",              # Matroska / WebM video
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),   # before UTF-16 LE, whose BOM is its prefix
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TEXT_DOCUMENTS = ("<?xml", "<!doctype", "<html", "<svg", "{\\rtf")
_HEADER_SEPARATORS = re.compile(r"[\s\-]+")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


@dataclass(frozen=True)
class CsvRow:
    """One data row: its spreadsheet row number and its trimmed values by canonical header.

    Every canonical header the caller asked for has a value; a column absent from the file reads
    as ``""``."""

    number: int
    values: Mapping[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def get(self, key: str, default: str = "") -> str:
        return self.values.get(key, default)


@dataclass(frozen=True)
class CsvUpload:
    """A readable upload: its header row (trimmed, as written), the canonical headers it has, its
    non-blank data rows in file order, and the row errors found while reading (a row with a value
    beyond the last column, in row order), which ``refuse_rows`` reports with the caller's own."""

    headers: tuple[str, ...]
    present: frozenset[str]
    rows: tuple[CsvRow, ...] = field(default=())
    row_errors: tuple[Refused, ...] = field(default=())

    def has(self, canonical: str) -> bool:
        return canonical in self.present


def refuse_rows(upload: CsvUpload, errors: Iterable[Refused] = ()) -> None:
    """Raise ``CsvRejected`` with the reader's row errors and ``errors`` (a validator's), rows in
    order and errors of no row last; return when there are none. Every caller of
    ``read_csv_upload`` calls it (with no errors of its own when it checks nothing more)."""
    found = [*upload.row_errors, *errors]
    if found:
        raise CsvRejected(in_row_order(found))


def header_key(header: str) -> str:
    """How headers compare: no case, no surrounding spaces, spaces and hyphens inside as ``_``."""
    cleaned = header.strip().strip(_INVISIBLE).strip()
    return _HEADER_SEPARATORS.sub("_", cleaned).lower()


def _is_binary_signature(data: bytes) -> bool:
    for signature in _SIGNATURES:
        if data.startswith(signature):
            if signature == b"BM":
                # "BM" may begin a CSV ("BMW,..."): a BMP also states its own size next.
                return len(data) >= 6 and int.from_bytes(data[2:6], "little") == len(data)
            return True
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return True
    return False


def _decode(data: bytes) -> str | None:
    """The file's text, or None when it is not text a spreadsheet could have written."""
    found = _decode_as(data)
    return found[0] if found else None


def _decode_as(data: bytes) -> tuple[str, bytes, str] | None:
    """(text, byte order mark, encoding), or None when it is not text a spreadsheet could have written."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), bom, encoding
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), b"", encoding
        except UnicodeDecodeError:
            pass
    return None


def _is_other_document(text: str) -> bool:
    start = text.lstrip(" \t\r\n" + _INVISIBLE)[:16].lower()
    if start.startswith(_TEXT_DOCUMENTS):
        return True
    if start[:1] in ("{", "["):
        try:
            return isinstance(json.loads(text), (dict, list))
        except (ValueError, RecursionError):
            return False
    return False


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for every record, blank ones included; csv.Error on bad
    quoting or a value over the csv module's own limit."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 0
    for cells in reader:
        number += 1
        yield number, cells


def _is_blank(cells: Sequence[str]) -> bool:
    return all(not c.strip() for c in cells)


def _read_cell(value: str) -> str:
    value = value.strip()
    if value.startswith("'") and len(value) > 1 and safe_cell(value[1:]) == value:
        return value[1:]
    return value


def read_csv_upload(
    data: bytes | None,
    filename: str | None,
    *,
    required: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]] | None = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_rows: int = MAX_ROWS,
) -> CsvUpload:
    """Read an uploaded CSV file, or raise ``CsvRejected`` with the file-level errors.

    ``required`` and ``optional`` map each canonical header to its accepted aliases. ``filename``
    only tells "no file chosen" (an empty part without a name) from "an empty file"; it never
    decides whether the content is a CSV. The rules and their order are in the package docstring."""
    optional = dict(optional or {})
    if data is None or (not data and not filename):
        raise CsvRejected([file_error(SELECT_A_FILE)])
    if len(data) > max_bytes:
        label = MAX_UPLOAD_LABEL if max_bytes == MAX_UPLOAD_BYTES else _size_label(max_bytes)
        raise CsvRejected([file_error(f"The selected file must be smaller than {label}")])
    if _is_binary_signature(data):
        raise CsvRejected([file_error(MUST_BE_CSV)])
    text = _decode(data)
    if text is None:
        raise CsvRejected([file_error(MUST_BE_CSV)])
    text = text.removesuffix("\x1a")
    if _CONTROL.search(text) or _is_other_document(text):
        raise CsvRejected([file_error(MUST_BE_CSV)])

    headers: tuple[str, ...] | None = None
    width = 0  # up to the last header that is not blank
    extra: list[Refused] = []
    columns: dict[str, int] = {}
    header_errors: CsvRejected | None = None
    wanted = [*required, *optional]
    rows: list[CsvRow] = []
    try:
        for number, cells in _records(text):
            if len(cells) > MAX_COLUMNS or max(map(len, cells), default=0) > MAX_CELL_CHARS:
                raise CsvRejected([file_error(MUST_BE_CSV)])
            if _is_blank(cells):
                continue
            if headers is None:
                headers = tuple(h.strip().strip(_INVISIBLE).strip() for h in cells)
                width = max((i + 1 for i, h in enumerate(headers) if h), default=0)
                try:
                    columns = _match_columns(headers, required=required, optional=optional)
                except CsvRejected as refused:
                    # Reported after the whole file is read: "not a CSV" and "empty" come first.
                    header_errors = refused
                continue
            if len(rows) >= max_rows:
                raise CsvRejected([file_error(
                    f"The selected file must have no more than {max_rows:,} rows")])
            if len(cells) > width and not _is_blank(cells[width:]):
                extra.append(Refused(EXTRA_CELLS, row=number))
            # Keep only the known columns' cells: a wide file must not cost memory per row.
            rows.append(CsvRow(number, {name: (_read_cell(cells[columns[name]])
                                               if name in columns and columns[name] < len(cells) else "")
                                        for name in wanted}))
    except csv.Error:
        raise CsvRejected([file_error(MUST_BE_CSV)]) from None
    if headers is None or not rows:
        raise CsvRejected([file_error(FILE_IS_EMPTY)])
    if header_errors is not None:
        raise header_errors
    return CsvUpload(headers=headers, present=frozenset(columns), rows=tuple(rows), row_errors=tuple(extra))


def _size_label(max_bytes: int) -> str:
    if max_bytes % (1024 * 1024) == 0:
        return f"{max_bytes // (1024 * 1024)}MB"
    if max_bytes % 1024 == 0:
        return f"{max_bytes // 1024}KB"
    return f"{max_bytes} bytes"


def _match_columns(
    headers: Sequence[str],
    *,
    required: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]],
) -> dict[str, int]:
    """Canonical header → column index; CsvRejected when a required one is missing or one thing
    has two columns."""
    names = {**optional, **required}
    by_key: dict[str, str] = {}
    for canonical, aliases in names.items():
        for name in (canonical, *aliases):
            by_key[header_key(name)] = canonical
    found: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        canonical = by_key.get(header_key(header))
        if canonical is not None:
            found.setdefault(canonical, []).append(index)

    missing = [name for name in required if name not in found]
    if missing:
        present = [h for h in headers if h]
        has = (f"Right now it has a column called {quoted(present[0])}." if len(present) == 1 else
               f"Right now it has columns called {join_names(present, limit=SHOWN_COLUMNS)}.")
        errors = [file_error(f"Your file needs a column called {join_names(missing)}."), file_error(has)]
        if _other_separator(present, by_key):
            errors.append(file_error(USE_COMMAS))
        raise CsvRejected(errors)

    duplicates = []
    for canonical, indexes in found.items():
        if len(indexes) == 1:
            continue
        spellings = _first_spellings([headers[i] for i in indexes])
        if len(spellings) == 1:
            duplicates.append(file_error(f"Your file must have only one column called {quoted(spellings[0])}"))
        else:
            duplicates.append(file_error("Your file must have only one of the columns called "
                                         f"{join_names(spellings, conjunction='or')}"))
    if duplicates:
        raise CsvRejected(duplicates)
    return {canonical: indexes[0] for canonical, indexes in found.items()}


def _other_separator(present: Sequence[str], by_key: Mapping[str, str]) -> bool:
    """True when the header row is one cell that names known columns once split on a semicolon,
    tab or bar: a file saved with another separator."""
    if len(present) != 1:
        return False
    return any(len(parts := present[0].split(sep)) > 1 and any(header_key(p) in by_key for p in parts)
               for sep in (";", "\t", "|"))


def _first_spellings(written: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for w in written:
        seen.setdefault(header_key(w), w)
    return list(seen.values())
