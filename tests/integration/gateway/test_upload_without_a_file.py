"""An upload sent without a file (the field as plain text, or a url-encoded body) on each of the
four upload endpoints, API and pages: "Select a CSV file to upload", and nothing reaches the services."""
from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.routing import Route

from tests.support.system import csrf_from, running_system

API = ["/api/v1/sampling/uploads", "/api/v1/sampling/responses", "/api/v1/payments/responses",
       "/api/v1/clawbacks/responses"]
PAGES = ["/claims/sampling/upload", "/claims/sampling/response", "/claims/payments/response",
         "/claims/clawbacks/response"]
INTERNAL = ["/internal/v1/sampling/uploads", "/internal/v1/sampling/responses", "/internal/v1/payments/responses",
            "/internal/v1/clawbacks/responses"]


def record_uploads(system) -> list[str]:
    received: list[str] = []

    async def upload(request: Request):
        received.append(request.url.path)
        return JSONResponse({"upload_id": "u1", "claim_count": 1}, 201)

    system.stub.router.routes[:0] = [Route(path, upload, methods=["POST"]) for path in INTERNAL]
    return received


@pytest.fixture
def as_text():
    return {"as a plain form field": {"data": {"file": "claim_reference\n12345678\n"},
                                      "files": {"other": ("x.txt", b"", "text/plain")}},
            "as a url-encoded body": {"data": {"file": "claim_reference\n12345678\n"}}}


async def test_an_api_upload_without_a_file_is_asked_to_select_one_and_changes_nothing(infra, as_text):
    async with running_system(infra) as system:
        received = record_uploads(system)
        support = await system.as_user("support@example.com")
        for path in API:
            for how, body in as_text.items():
                r = await system.client.post(path, headers=support, **body)
                assert r.status_code == 422, (path, how, r.text)
                assert r.json() == {"errors": [{"message": "Select a CSV file to upload", "field": "file"}]}, (path, how)
        r = await system.client.post("/api/v1/schools/import", headers=support, data={"file": "urn,name\n"})
        assert r.json() == {"errors": [{"message": "Select a CSV file to upload", "field": "file"}]}
        assert received == []
        r = await system.client.post(API[0], headers=support, files={"file": ("s.csv", b"claim_reference\n", "text/csv")})
        assert r.status_code == 201 and received == [INTERNAL[0]]  # a real file still goes through


async def test_an_upload_page_sent_without_a_file_is_asked_to_select_one_and_changes_nothing(infra, as_text):
    async with running_system(infra) as system:
        received = record_uploads(system)
        browser = await system.browser("support@example.com")
        for path in PAGES:
            token = csrf_from((await browser.get(path)).text)
            for how, body in as_text.items():
                r = await browser.post(path, data={**body["data"], "csrf_token": token},
                                       **({"files": body["files"]} if "files" in body else {}))
                assert r.status_code == 422, (path, how, r.text)
                assert "Select a CSV file to upload" in r.text and 'href="#file"' in r.text
                assert "Value error" not in r.text and "UploadFile" not in r.text and "&lt;class" not in r.text
        assert received == []
        await browser.aclose()
