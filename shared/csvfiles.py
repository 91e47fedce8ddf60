"""Reading uploaded CSV files and writing CSV files people open in a spreadsheet.

Used by sampling (sampling and provider response uploads, the provider CSV), payments (payer
responses, the payer CSVs) and claims (the claims export). Pure: stdlib + ``shared.contracts``.

Reading an upload (``read_csv_upload``) — the checks run in this order and the first failing check
decides the answer (DESIGN §5, GOV.UK Design System file upload messages):

1. no file (``None``, or an empty part without a file name) → "Select a CSV file to upload";
2. more than ``MAX_UPLOAD_BYTES`` (50 MB) → "The selected file must be smaller than 50MB" (checked
   before the content is looked at, so a huge file costs nothing);
3. not a CSV, judged by the content and never by the name → "The selected file must be a CSV":
   - a known binary signature (PDF, PNG, JPEG, GIF, BMP, TIFF, WebP, ZIP — which includes .xlsx,
     .docx and .ods —, old Excel/Word (OLE2), gzip, 7-Zip, RAR, executables);
   - a NUL byte anywhere (binary data, or UTF-16 saved without its byte order mark);
   - text that is neither UTF-8 nor Windows-1252 (Latin-1 letters are read as Windows-1252,
     which agrees with Latin-1 on every printable character);
   - control characters other than tab, line feed and carriage return (a trailing DOS end-of-file
     mark, Ctrl-Z, is dropped first);
   - XML, HTML, RTF or JSON documents;
   - broken CSV structure: a quoted value that is never closed, or text straight after a closing
     quote (``"abc"x``);
   - more than a spreadsheet can hold: a value over 32,767 characters or a row over 16,384
     columns (Excel's limits: such a file was not made by a spreadsheet);
4. no data rows (nothing at all, only a byte order mark, only blank lines, or only the header
   row) → "The selected file is empty";
5. more than ``max_rows`` data rows → "The selected file must have no more than 200,000 rows"
   (a bound on memory; pass ``max_rows`` for another limit);
6. required columns missing → two messages, "Your file needs a column called ‘a’ and ‘b’." and
   "Right now it has columns called ‘x’ and ‘y’." (at most 10 names, then "and 5 others"; one
   column: "Right now it has a column called ‘x’."); when the header row is one cell that names
   known columns once split on ``;``, a tab or ``|``, a third: "Separate the columns in your file
   with commas";
7. one thing in two columns → "Your file must have only one column called ‘claim_reference’" (the
   same header twice) or "Your file must have only one of the columns called ‘claim_reference’ or
   ‘claim_reference_number’" (a header and its alias).

Encodings read: UTF-8, UTF-8 with a byte order mark (Excel's "CSV UTF-8"), UTF-16 and UTF-32 with
a byte order mark (Excel's "Unicode text"), Windows-1252 / Latin-1. Line endings CRLF, LF and CR,
mixed. Quoted values may hold commas, quotes (doubled) and line breaks.

Headers are matched ignoring case, surrounding spaces, and spaces or hyphens inside (``Claim
Reference`` is ``claim_reference``); every header has a canonical name and may have aliases. Columns
the caller does not know are ignored, and so are cells beyond the last header. Every cell is
trimmed. A row whose cells are all blank is skipped (but still counted, see below). A cell that
``safe_cell`` neutralised (``'=SUM(A1)``) is read back as it was written (``=SUM(A1)``), so files we
wrote come back unchanged after a round trip through a spreadsheet.

Row numbers are the numbers a spreadsheet shows beside the row: the first line of the file is row
1 (normally the header), so the first data row is row 2. Blank lines count, because a spreadsheet
shows them as empty rows; a quoted value that spans several lines is one row, because a spreadsheet
shows it in one cell.

Errors are ``Refused`` values (message, field, row), collected in ``CsvRejected.errors``; file-level
errors have ``field="file"`` (the upload form's field) and no row. ``error_payload`` gives the
gateway's ``{"errors": [{"message", "row", "field"}]}`` shape.

Writing (``safe_cell``, ``write_csv``), against spreadsheet formula injection (OWASP "CSV
Injection"): a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(or the full-width ``＝ ＋ － ＠``) is prefixed with a single quote, so a spreadsheet shows it as
text and never runs it. Plain numbers are left alone so amounts stay numbers: an optional sign,
digits and an optional decimal part (``-12.00``, ``+5``, ``876.00``). Quotes and separators are
escaped by CSV quoting. Files are UTF-8 with a byte order mark (so Excel reads names like "Zoë"
right) and CRLF line endings (RFC 4180).
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.errors import Refused

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_UPLOAD_LABEL = "50MB"
MAX_ROWS = 200_000
#: Excel's limits: a value longer, or a row wider, was not made by a spreadsheet.
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 16_384
#: How many of the file's column names the "Right now it has ..." message lists.
SHOWN_COLUMNS = 10
SHOWN_NAME_CHARS = 40

FILE_FIELD = "file"

SELECT_A_FILE = "Select a CSV file to upload"
MUST_BE_CSV = "The selected file must be a CSV"
FILE_IS_EMPTY = "The selected file is empty"
TOO_LARGE = f"The selected file must be smaller than {MAX_UPLOAD_LABEL}"
USE_COMMAS = "Separate the columns in your file with commas"

_SIGNATURES: tuple[bytes, ...] = (
    b"%PDF",                      # PDF
    b"\x89PNG\r\n\x1a\n",         # PNG
    b"\xff\xd8\xff",              # JPEG
    b"GIF87a", b"GIF89a",         # GIF
    b"BM",                        # BMP (only with its header size check, see _is_bmp)
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
    b"ID3", b"OggS", b"fLaC", b"\x1aE\xdf\xa3",   # audio and video
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

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


class CsvRejected(Refused):
    """An upload that cannot be used, with every error found (file-level errors or row errors).

    ``message`` is the first error's message, so code that only knows ``Refused`` still shows
    something true; show ``errors`` to people."""

    def __init__(self, errors: Iterable[Refused]) -> None:
        self.errors: tuple[Refused, ...] = tuple(errors)
        if not self.errors:
            raise ValueError("CsvRejected needs at least one error")
        first = self.errors[0]
        super().__init__(first.message, field=first.field, row=first.row)

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]


def file_error(message: str) -> Refused:
    return Refused(message, field=FILE_FIELD)


def error_payload(errors: Iterable[Refused]) -> dict[str, list[dict[str, Any]]]:
    """The gateway's error body: ``{"errors": [{"message", "row", "field"}]}``."""
    return {"errors": [{"message": e.message, "row": e.row, "field": e.field} for e in errors]}


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
    """A readable upload: its header row (trimmed, as written), the canonical headers it has, and
    its non-blank data rows in file order."""

    headers: tuple[str, ...]
    present: frozenset[str]
    rows: tuple[CsvRow, ...] = field(default=())

    def has(self, canonical: str) -> bool:
        return canonical in self.present


# --- names in messages -------------------------------------------------------------------------


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


def header_key(header: str) -> str:
    """How headers compare: no case, no surrounding spaces, spaces and hyphens inside as ``_``."""
    cleaned = header.strip().strip(_INVISIBLE).strip()
    return _HEADER_SEPARATORS.sub("_", cleaned).lower()


# --- reading -----------------------------------------------------------------------------------


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
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _is_other_document(text: str) -> bool:
    start = text.lstrip(" \t\r\n" + _INVISIBLE)[:16].lower()
    if start.startswith(_TEXT_DOCUMENTS):
        return True
    if start[:1] in ("{", "["):
        try:
            return isinstance(json.loads(text), (dict, list))
        except ValueError:
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
    decides whether the content is a CSV. The rules and their order are in the module docstring."""
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

    header: tuple[int, list[str]] | None = None
    body: list[tuple[int, list[str]]] = []
    try:
        for number, cells in _records(text):
            if len(cells) > MAX_COLUMNS or any(len(c) > MAX_CELL_CHARS for c in cells):
                raise CsvRejected([file_error(MUST_BE_CSV)])
            if _is_blank(cells):
                continue
            if header is None:
                header = (number, cells)
                continue
            if len(body) >= max_rows:
                raise CsvRejected([file_error(
                    f"The selected file must have no more than {max_rows:,} rows")])
            body.append((number, cells))
    except csv.Error:
        raise CsvRejected([file_error(MUST_BE_CSV)]) from None
    if header is None or not body:
        raise CsvRejected([file_error(FILE_IS_EMPTY)])

    headers = tuple(h.strip().strip(_INVISIBLE).strip() for h in header[1])
    columns = _match_columns(headers, required=required, optional=optional)
    wanted = [*required, *optional]
    rows = tuple(
        CsvRow(number, {name: (_read_cell(cells[columns[name]])
                               if name in columns and columns[name] < len(cells) else "")
                        for name in wanted})
        for number, cells in body
    )
    return CsvUpload(headers=headers, present=frozenset(columns), rows=rows)


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


# --- writing -----------------------------------------------------------------------------------


def safe_cell(value: object) -> str:
    """The text of a cell, neutralised against formula injection (rule in the module docstring).

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
