"""Reading uploaded CSV files and writing CSV files people open in a spreadsheet.

Modules: ``messages`` (the words and the error value), ``reading``, ``splitting``, ``writing``.

Used by sampling (sampling and provider response uploads, the provider CSV), payments (payer
responses, the payer CSVs) and claims (the claims export). Pure: stdlib + ``shared.contracts``.

Reading an upload (``read_csv_upload``) — the checks run in this order and the first failing check
decides the answer (docs/design.md §5, GOV.UK Design System file upload messages):

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
the caller does not know are ignored. A row with a value beyond the last header that is not blank
gets a row error, "This row has more values than there are columns" (blank cells there are
ignored: spreadsheets write trailing commas); these are ``CsvUpload.row_errors``, and every caller
reports them with its own row errors through ``refuse_rows``. Every cell is trimmed. A row whose cells are all blank is skipped (but still counted, see below). A cell that
``safe_cell`` neutralised (``'=SUM(A1)``) is read back as it was written (``=SUM(A1)``), so files we
wrote come back unchanged after a round trip through a spreadsheet.

Row numbers are the numbers a spreadsheet shows beside the row: the first line of the file is row
1 (normally the header), so the first data row is row 2. Blank lines count, because a spreadsheet
shows them as empty rows; a quoted value that spans several lines is one row, because a spreadsheet
shows it in one cell.

Errors are ``Refused`` values (message, field, row), collected in ``CsvRejected.errors``; file-level
errors have ``field="file"`` (the upload form's field) and no row. ``CsvRejected`` keeps the first
``SHOWN_ERRORS`` (100) and then one file error counting the rest, "and 399,887 more errors", so
every answer (each service's and the gateway's, JSON or page) stays short whatever the file.
``error_payload`` gives the gateway's ``{"errors": [{"message", "row", "field"}]}`` shape.

Splitting (``split_upload``): an accepted file cut into one file per group of rows (the header
row, then the group's rows exactly as written, in the file's own encoding), so a file answering for
several accredited providers can be kept as one file per provider.

Writing (``safe_cell``, ``write_csv``), against spreadsheet formula injection (OWASP "CSV
Injection"): a cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(or the full-width ``＝ ＋ － ＠``) is prefixed with a single quote, so a spreadsheet shows it as
text and never runs it. Plain numbers are left alone so amounts stay numbers: an optional sign,
digits and an optional decimal part (``-12.00``, ``+5``, ``876.00``). Quotes and separators are
escaped by CSV quoting. Files are UTF-8 with a byte order mark (so Excel reads names like "Zoë"
right) and CRLF line endings (RFC 4180).
"""
from .messages import (EXTRA_CELLS, FILE_FIELD, FILE_IS_EMPTY, MAX_FILES, MAX_UPLOAD_LABEL, MUST_BE_CSV,
                       TOO_MANY_FILES,
                       SELECT_A_FILE, SHOWN_ERRORS, TOO_LARGE, USE_COMMAS, CsvRejected, error_payload,
                       file_error, in_row_order, join_names, quoted)
from .reading import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, MAX_UPLOAD_BYTES, CsvRow, CsvUpload,
                      header_key, read_csv_upload, refuse_rows)
from .splitting import split_upload
from .writing import safe_cell, write_csv

__all__ = [
    "MAX_FILES", "TOO_MANY_FILES", "EXTRA_CELLS", "FILE_FIELD", "FILE_IS_EMPTY", "MUST_BE_CSV", "SELECT_A_FILE", "SHOWN_ERRORS",
    "TOO_LARGE", "USE_COMMAS", "CsvRejected", "error_payload", "file_error", "in_row_order",
    "join_names", "quoted",
    "MAX_CELL_CHARS", "MAX_COLUMNS", "MAX_ROWS", "MAX_UPLOAD_BYTES", "MAX_UPLOAD_LABEL",
    "CsvRow", "CsvUpload", "header_key", "read_csv_upload", "refuse_rows", "safe_cell", "split_upload",
    "write_csv",
]
