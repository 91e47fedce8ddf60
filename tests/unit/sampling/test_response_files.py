"""Provider response files uploaded together and kept per provider (services/sampling/domain/response_files.py)."""
from __future__ import annotations

import pytest

from services.sampling.domain import CsvRejected
from services.sampling.domain.response_files import NamedFile, check_files, read_files
from shared.contracts.reasons import parse_reason
from shared.csvfiles import read_csv_upload, split_upload
from tests.support.sampling_claims import JANE, JOHN, claim, projection

pytestmark = pytest.mark.unit

HEADER = "claim_reference,school_name,mentor_full_name,claim_assured,claim_not_assured_reason\r\n"
IN_PROGRESS = "sampling_in_progress"
CLAIMS = projection(claim("11111111", IN_PROGRESS, mentors=[JOHN], provider_id="bpn"),
                    claim("22222222", IN_PROGRESS, mentors=[JANE], provider_id="tn"),
                    claim("33333333", IN_PROGRESS, mentors=[JANE], provider_id="bpn"))


def check(*files: tuple[str, bytes], scope=None):
    named = [NamedFile(data, name) for name, data in files]
    read, refusals = read_files(named)
    return check_files(named, read, refusals, CLAIMS, scope=scope, codes={"bpn": "BPN", "tn": "TN"})


def refused(*files: tuple[str, bytes], scope=None) -> list[tuple]:
    with pytest.raises(CsvRejected) as caught:
        check(*files, scope=scope)
    return [(e.file, e.row, e.message) for e in caught.value.errors]


def test_a_file_for_two_providers_is_kept_as_one_file_each_with_only_its_rows_as_written():
    text = (HEADER + "11111111,Café,John Smith,yes,\r\n\r\n22222222,Crèche,Jane Doe,no,\"other: a, b\"\r\n"
            "33333333,Café,Jane Doe,yes,")
    found = check(("answers.csv", text.encode("cp1252")))
    assert [(f.provider_id, f.file_name, f.row_count) for f in found.files] == [
        ("bpn", "answers-bpn.csv", 2), ("tn", "answers-tn.csv", 1)]
    bpn, tn = found.files
    assert bpn.content == (HEADER + "11111111,Café,John Smith,yes,\r\n33333333,Café,Jane Doe,yes,\r\n").encode(
        "cp1252")
    assert tn.content == (HEADER + "22222222,Crèche,Jane Doe,no,\"other: a, b\"\r\n").encode("cp1252")
    assert [c.reference for c in found.response.claims] == ["11111111", "22222222", "33333333"]


def test_a_file_for_one_provider_keeps_its_name_and_its_byte_order_mark():
    data = ("\ufeff" + HEADER + "11111111,Café,John Smith,yes,\r\n").encode("utf-8")
    (only,) = check(("bpn.csv", data)).files
    assert (only.file_name, only.content) == ("bpn.csv", data)


def test_several_files_are_all_checked_and_every_error_names_its_file():
    good = ("a.csv", (HEADER + "11111111,,John Smith,yes,\r\n").encode())
    no_reason = ("b.csv", (HEADER + "22222222,,Jane Doe,no,\r\n").encode())
    empty = ("c.csv", b"")
    assert refused(good, no_reason, empty) == [("b.csv", 2, "Enter a reason"),
                                               ("c.csv", None, "The selected file is empty")]


def test_one_file_alone_is_refused_in_the_words_of_a_single_upload():
    assert refused(("b.csv", (HEADER + "22222222,,Jane Doe,no,\r\n").encode())) == [(None, 2, "Enter a reason")]


def test_a_claim_answered_in_two_files_is_refused_in_the_later_one():
    first = ("a.csv", (HEADER + "11111111,,John Smith,yes,\r\n").encode())
    again = ("b.csv", (HEADER + "33333333,,Jane Doe,yes,\r\n11111111,,John Smith,no,x\r\n").encode())
    assert refused(first, again) == [
        ("b.csv", 3, "Claim ‘11111111’ is also in ‘a.csv’: answer each claim in one file only")]


def test_a_provider_user_sees_another_providers_claim_as_unknown():
    text = (HEADER + "11111111,,John Smith,yes,\r\n22222222,,Jane Doe,yes,\r\n").encode()
    assert refused(("mine.csv", text), scope=frozenset({"bpn"})) == [(None, 3, "Enter a valid claim reference")]
    assert len(check(("mine.csv", text), scope=frozenset({"bpn", "tn"})).response.claims) == 2


def test_a_reason_may_start_with_a_code_and_is_kept_as_given():
    text = (HEADER + "11111111,,John Smith,no,hours_not_completed: only 10 hours\r\n").encode()
    (answer,) = check(("a.csv", text)).response.claims
    assert answer.comment == "John Smith: hours_not_completed: only 10 hours"
    assert parse_reason(answer.mentors[0].reason).code == "hours_not_completed"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_split_upload_keeps_the_encoding_and_quoted_line_breaks(encoding):
    text = "a,b\n1,\"x\ny\"\n2,é\n"
    data = text.encode(encoding)
    upload = read_csv_upload(data, "f.csv", required={"a": ()}, optional={"b": ()})
    parts = split_upload(data, {r.number: r["a"] for r in upload.rows}.get)
    decoded = {k: v.decode(encoding) for k, v in parts.items()}
    assert decoded == {"1": "a,b\n1,\"x\ny\"\n", "2": "a,b\n2,é\n"}


def test_more_than_twenty_files_are_refused_before_any_is_read():
    one = ("a.csv", (HEADER + "11111111,,John Smith,yes,\r\n").encode())
    assert refused(*[one] * 21) == [(None, None, "Select no more than 20 files")]
