"""Reading GIAS's own extracts (docs/design.md §14): the real header row, Windows-1252, only the columns
ClaimFlow keeps; a malformed extract is refused whole with errors that say what is wrong."""
from __future__ import annotations

from datetime import date

import pytest

from claimflow.demo.gias import HEADER, Establishment, extract, links_extract
from services.claims.domain.school import check_school_open, closed_message
from services.claims.gias.extract import WRONG_ENCODING, read_establishments, read_successors
from shared.contracts import Refused
from shared.csvfiles import CsvRejected


def messages(exc: CsvRejected) -> list[tuple[int | None, str]]:
    return [(e.row, e.message) for e in exc.errors]


def test_an_extract_in_gias_shape_with_an_accented_name_is_read_from_windows_1252():
    data = extract([Establishment("100001", "École Sainte-Thérèse Primary", trust_code="4001",
                                  trust_name="Côte Learning Trust", phase="Primary",
                                  urban_rural="(England/Wales) Rural village"),
                    Establishment("100002", "Closed Academy", status="Closed", close_date="12-03-2026")])
    assert len(HEADER) == 300 and b"\xc9cole" in data  # É as Windows-1252 writes it
    first, second = read_establishments(data)
    assert first.name == "École Sainte-Thérèse Primary" and first.trust_name == "Côte Learning Trust"
    assert (first.phase_of_education, first.urban_rural, first.district_code) == (
        "Primary", "(England/Wales) Rural village", "E08000035")
    assert second.establishment_status == "Closed" and second.closed_on == date(2026, 3, 12)


def test_the_same_extract_saved_again_as_utf_8_reads_the_same():
    rows = [Establishment("100001", "École Sainte-Thérèse Primary")]
    assert read_establishments(extract(rows, encoding="utf-8")) == read_establishments(extract(rows))


def test_a_file_in_another_encoding_is_refused_as_such():
    data = extract([Establishment("100001", "Hillside Primary")], encoding="utf-16")
    with pytest.raises(CsvRejected) as refused:
        read_establishments(data)
    assert messages(refused.value) == [(None, WRONG_ENCODING)]


def test_an_extract_without_the_urn_column_says_which_column_is_missing():
    data = extract([Establishment("100001", "Hillside Primary")]).replace(b"URN,", b"Ref,", 1)
    with pytest.raises(CsvRejected) as refused:
        read_establishments(data)
    assert messages(refused.value) == [(None, "The selected file has no ‘URN’ column. Upload the “all establishments” "
                                              "extract from Get Information about Schools")]


def test_duplicate_urns_and_unknown_statuses_are_each_reported_on_their_row():
    data = extract([Establishment("100001", "Hillside Primary"), Establishment("100002", "Oakwood", status="Shut"),
                    Establishment("100001", "Hillside Again"), Establishment("100003", "Beaumont", status="Closed",
                                                                             close_date="31-02-2026")])
    with pytest.raises(CsvRejected) as refused:
        read_establishments(data)
    assert messages(refused.value) == [
        (3, "‘Shut’ is not an establishment status GIAS uses (Open, Closed, Open, but proposed to close, or "
            "Proposed to open)"),
        (4, "URN 100001 is in the file more than once (first in row 2)"),
        (5, "The close date ‘31-02-2026’ must be a real date, like 31-08-2026"),
    ]


def test_the_links_extract_gives_each_school_its_successor():
    data = links_extract([("100002", "100009", "Successor"), ("100003", "100004", "Predecessor"),
                          ("100005", "100006", "Successor - amalgamated")])
    assert read_successors(data) == {"100002": "100009", "100005": "100006"}


def test_a_closed_school_cannot_start_a_claim_and_says_when_it_closed():
    with pytest.raises(Refused, match="^This school closed on 12 March 2026$"):
        check_school_open({"establishment_status": "Closed", "closed_on": date(2026, 3, 12)})
    check_school_open({"establishment_status": "Open, but proposed to close", "closed_on": None})
    assert closed_message(None) == "This school has closed"
