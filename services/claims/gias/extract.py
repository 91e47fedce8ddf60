"""Reading GIAS's own extracts: "all establishments" (about 50,000 rows, 300 columns, Windows-1252)
and the links extract (``URN, LinkURN, LinkType``).

Rules (docs/design.md §14): the file is checked whole before anything changes. It must be text in the
encoding GIAS publishes (Windows-1252; UTF-8, as a spreadsheet re-saves it, is read too); it must
have the ``URN``, ``EstablishmentName`` and ``EstablishmentStatus (name)`` columns (the others of
§14 are read when present); every URN is digits and appears once; every status is one GIAS uses;
a close date is a real date (GIAS writes ``31-08-2026``). Only the columns ClaimFlow keeps are
read; the other ~290 are ignored. A school's trust is ``Trusts (code)`` (its name from
``Trusts (name)``), so a renamed trust stays the same trust. A link whose type starts with
"Successor" names the school's successor.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from shared.contracts import Refused
from shared.contracts.identifiers import is_ascii_digits
from shared.csvfiles import CsvRejected
from shared.csvfiles.messages import EXTRA_CELLS, FILE_IS_EMPTY, SELECT_A_FILE, file_error

#: GIAS's establishment statuses; "Closed" is the one that stops new claims.
STATUSES = ("Open", "Closed", "Open, but proposed to close", "Proposed to open")
CLOSED = "Closed"
MAX_BYTES = 250 * 1024 * 1024

#: ClaimFlow's name for each GIAS column it reads.
COLUMNS = {
    "urn": "URN", "name": "EstablishmentName", "type_of_establishment": "TypeOfEstablishment (name)",
    "phase_of_education": "PhaseOfEducation (name)", "urban_rural": "UrbanRural (name)",
    "establishment_status": "EstablishmentStatus (name)", "close_date": "CloseDate",
    "district_code": "DistrictAdministrative (code)", "local_authority": "LA (name)", "postcode": "Postcode",
    "trust_name": "Trusts (name)", "trust_code": "Trusts (code)",
}
REQUIRED = ("urn", "name", "establishment_status")
LINK_COLUMNS = {"urn": "URN", "link_urn": "LinkURN", "link_type": "LinkType"}
WRONG_ENCODING = ("The selected file is not in the encoding GIAS uses (Windows-1252). Download the extract from "
                  "Get Information about Schools again and upload it without changing it")


@dataclass(frozen=True)
class GiasSchool:
    urn: str
    name: str
    type_of_establishment: str
    phase_of_education: str
    urban_rural: str
    establishment_status: str
    closed_on: date | None
    district_code: str
    local_authority: str
    postcode: str
    trust_code: str
    trust_name: str


def decode(data: bytes, what: str = "file") -> str:
    """The text of an extract: UTF-8 when it is (with or without its mark), else Windows-1252."""
    if not data:
        raise CsvRejected([file_error(FILE_IS_EMPTY if what == "file" else f"The selected {what} is empty")])
    if len(data) > MAX_BYTES:
        raise CsvRejected([file_error("The selected file must be smaller than 250MB")])
    if b"\x00" in data[:65536] or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRejected([file_error(WRONG_ENCODING)])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise CsvRejected([file_error(WRONG_ENCODING)]) from None


def _header(text: str) -> tuple[csv.reader, list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise CsvRejected([file_error(FILE_IS_EMPTY)]) from None
    except csv.Error:
        raise CsvRejected([file_error("The selected file must be a CSV")]) from None
    return reader, header


def _positions(header: list[str], wanted: dict[str, str], required: tuple[str, ...], extract: str) -> dict[str, int]:
    by_name = {h.lower(): i for i, h in reversed(list(enumerate(header)))}
    found = {key: by_name[column.lower()] for key, column in wanted.items() if column.lower() in by_name}
    missing = [wanted[key] for key in required if key not in found]
    if missing:
        names = " and ".join(f"‘{m}’" for m in missing)
        raise CsvRejected([file_error(f"The selected file has no {names} column{'s' if len(missing) > 1 else ''}. "
                                      f"Upload the {extract} extract from Get Information about Schools")])
    return found


def parse_close_date(value: str) -> date | None:
    if not value:
        return None
    for pattern in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def read_establishments(data: bytes) -> list[GiasSchool]:
    """Every school of the extract, or ``CsvRejected`` with every error found (nothing is read in part)."""
    if not data:
        raise CsvRejected([file_error(SELECT_A_FILE)])
    reader, header = _header(decode(data))
    at = _positions(header, COLUMNS, REQUIRED, "“all establishments”")
    width = len(header)
    keys = list(COLUMNS)
    getters = [(key, at.get(key)) for key in keys]
    schools: list[GiasSchool] = []
    errors: list[Refused] = []
    first_row: dict[str, int] = {}
    try:
        for number, cells in enumerate(reader, start=2):
            if not cells or not any(c.strip() for c in cells):
                continue
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                errors.append(Refused(EXTRA_CELLS, row=number, field="file"))
                continue
            values = {key: (cells[i].strip() if i is not None and i < len(cells) else "") for key, i in getters}
            school = _school(values, number, errors)
            if school is None:
                continue
            if school.urn in first_row:
                errors.append(Refused(f"URN {school.urn} is in the file more than once (first in row "
                                      f"{first_row[school.urn]})", row=number, field="URN"))
                continue
            first_row[school.urn] = number
            schools.append(school)
    except csv.Error:
        errors.append(file_error("The selected file must be a CSV"))
    if errors:
        raise CsvRejected(errors)
    if not schools:
        raise CsvRejected([file_error("The selected file has no schools in it")])
    return schools


def _school(v: dict[str, str], number: int, errors: list[Refused]) -> GiasSchool | None:
    before = len(errors)
    urn = v["urn"]
    if not (is_ascii_digits(urn) and len(urn) <= 16):
        errors.append(Refused(f"Enter a URN that is a number, like 100001 (not ‘{urn[:20]}’)" if urn
                              else "Enter the school’s URN", row=number, field="URN"))
    if not v["name"]:
        errors.append(Refused("Enter the establishment name", row=number, field="EstablishmentName"))
    status = v["establishment_status"]
    if status not in STATUSES:
        errors.append(Refused(f"‘{status[:40]}’ is not an establishment status GIAS uses (Open, Closed, Open, but "
                              f"proposed to close, or Proposed to open)" if status else
                              "Enter the establishment status", row=number, field="EstablishmentStatus (name)"))
    try:
        closed_on = parse_close_date(v["close_date"])
    except ValueError:
        closed_on = None
        errors.append(Refused(f"The close date ‘{v['close_date'][:20]}’ must be a real date, like 31-08-2026",
                              row=number, field="CloseDate"))
    if len(errors) > before:
        return None
    return GiasSchool(urn=urn, name=v["name"][:300], type_of_establishment=v["type_of_establishment"][:200],
                      phase_of_education=v["phase_of_education"][:100], urban_rural=v["urban_rural"][:100],
                      establishment_status=status, closed_on=closed_on if status == CLOSED else None,
                      district_code=v["district_code"][:16], local_authority=v["local_authority"][:200],
                      postcode=v["postcode"][:16], trust_code=v["trust_code"][:64], trust_name=v["trust_name"][:300])


def read_successors(data: bytes) -> dict[str, str]:
    """URN -> its successor's URN, from the links extract (the first "Successor" link of each)."""
    reader, header = _header(decode(data, "links file"))
    at = _positions(header, LINK_COLUMNS, tuple(LINK_COLUMNS), "links")
    successors: dict[str, str] = {}
    errors: list[Refused] = []
    for number, cells in enumerate(reader, start=2):
        if not cells or not any(c.strip() for c in cells):
            continue
        urn, link, kind = (cells[at[k]].strip() if at[k] < len(cells) else "" for k in ("urn", "link_urn", "link_type"))
        if not kind.lower().startswith("successor"):
            continue
        for value, column in ((urn, "URN"), (link, "LinkURN")):
            if not (is_ascii_digits(value) and len(value) <= 16):
                errors.append(Refused(f"Enter a {column} that is a number, like 100001", row=number, field=column))
        if not errors:
            successors.setdefault(urn, link)
    if errors:
        raise CsvRejected([Refused(f"Links file: {e.message}", row=e.row, field=e.field) for e in errors])
    return successors
