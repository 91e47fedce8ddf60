"""Row numbers in errors are the spreadsheet rows a person sees (the header is row 1), from the
service that reads the file to the gateway's answer."""
from __future__ import annotations

import httpx
import pytest

from services.gateway.clients import errors_from
from services.sampling.domain import CsvRejected, validate_sampling_upload
from shared.platform.service import error_item
from tests.support.sampling_claims import claim, projection


def test_a_bad_second_data_row_is_reported_as_row_3_by_the_service_and_the_gateway():
    claims = projection(claim("11111111"), claim("33333333"))
    text = "claim_reference,sample_reason\n11111111,Random\n22222222,Random\n33333333,Random\n"
    with pytest.raises(CsvRejected) as caught:
        validate_sampling_upload(text.encode(), "sample.csv", claims=claims)
    body = {"errors": [error_item(e) for e in caught.value.errors]}  # what the service answers
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(3, "claim_reference_number")]
    assert [e["row"] for e in errors_from(httpx.Response(422, json=body))] == [3]  # what the gateway passes on
