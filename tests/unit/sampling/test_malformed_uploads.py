"""Every file of the malformed corpus (tests/support/malformed_csv.py) is refused with its error."""
from __future__ import annotations

import pytest

from services.sampling.domain import CsvRejected, validate_provider_response, validate_sampling_upload
from tests.support.malformed_csv import (BAD_REFERENCE, CASES, DISTINCT_REFERENCES, RESPONSE_CASES, SELECT,
                                         SEPARATOR_CASES, USE_COMMAS)

pytestmark = pytest.mark.unit


def test_the_corpus_has_at_least_sixty_distinct_files():
    names = [name for name, *_ in CASES]
    assert len(names) >= 60
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(("name", "data", "expected"), CASES, ids=[name for name, *_ in CASES])
def test_a_malformed_file_is_refused_with_its_error(name, data, expected, tmp_path):
    content = data(tmp_path) if callable(data) else data
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(content, "claims.csv", claims={})
    assert expected in caught.value.messages[0], caught.value.messages


def test_an_upload_without_a_file_asks_for_one():
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(None, None, claims={})
    assert caught.value.messages == [SELECT]


@pytest.mark.parametrize("name", sorted(SEPARATOR_CASES))
def test_a_file_with_another_separator_is_told_to_use_commas(name):
    (data,) = [data for case, data, _ in CASES if case == name]
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(data, "claims.csv", claims={})
    assert caught.value.messages[2:] == [USE_COMMAS]
    assert "\t" not in caught.value.messages[1]


def test_misspelt_headers_are_not_told_to_use_commas():
    (data,) = [data for case, data, _ in CASES if case == "misspelt headers"]
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(data, "claims.csv", claims={})
    assert len(caught.value.messages) == 2


@pytest.mark.parametrize(("name", "data", "expected"), RESPONSE_CASES, ids=[name for name, *_ in RESPONSE_CASES])
def test_a_malformed_provider_response_is_refused_with_its_error(name, data, expected, tmp_path):
    content = data(tmp_path) if callable(data) else data
    with pytest.raises(CsvRejected) as caught:
        validate_provider_response(content, "response.csv", claims={})
    assert expected in caught.value.messages, caught.value.messages


def test_200000_distinct_references_are_answered_with_100_errors_and_a_count_of_the_rest(tmp_path):
    (data,) = [data for case, data, _ in CASES if case == "200,000 distinct references"]
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(data(tmp_path), "claims.csv", claims={})
    errors = caught.value.errors
    assert caught.value.error_count == DISTINCT_REFERENCES
    assert [(e.row, e.message) for e in errors[:3]] == [(2, BAD_REFERENCE), (3, BAD_REFERENCE), (4, BAD_REFERENCE)]
    assert len(errors) == 101
    assert (errors[-1].row, errors[-1].field, errors[-1].message) == (None, "file", "and 199,900 more errors")
