"""Uploaded file names through the running gateway: only a safe base name reaches the services,
and pages show names escaped."""
from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.routing import Route

from tests.support.system import csrf_from, running_system

CSV = b"claim_reference,sample_reason\n12345678,random\n"
HOSTILE = "../../etc/<b>passwd</b>\n\x1b[2J.csv"


def recording_sampling(system, *, refuse_rows: bool = False) -> list[str]:
    """The sampling service's upload and review routes, keeping each file name as the service would."""
    names: list[str] = []

    async def upload(request: Request):
        form = await request.form()
        names.append(form["file"].filename)
        if refuse_rows:
            return JSONResponse({"errors": [{"message": "Enter a claim reference", "row": 2,
                                             "field": "claim_reference"}]}, 422)
        return JSONResponse({"upload_id": "u9", "claim_count": 1}, 201)

    async def review(request: Request):
        return JSONResponse({"upload_id": "u9", "status": "pending", "claim_count": 1, "file_name": names[-1],
                             "claims": [], "total": 1, "page": 1, "per_page": 25})

    system.stub.router.routes[:0] = [Route("/internal/v1/sampling/uploads", upload, methods=["POST"]),
                                     Route("/internal/v1/sampling/uploads/u9", review, methods=["GET"])]
    return names


async def test_the_api_passes_on_only_the_base_name_of_an_uploaded_file_without_control_characters(infra):
    async with running_system(infra) as system:
        names = recording_sampling(system)
        support = await system.as_user("support@example.com")
        for sent in (HOSTILE, "C:\\Users\\ada\\" + "x" * 300 + ".csv", "\n\x00"):
            r = await system.client.post("/api/v1/sampling/uploads", headers=support,
                                         files={"file": (sent, CSV, "text/csv")})
            assert r.status_code == 201, r.text
        assert names[0] == "b>[2J.csv"  # everything up to the last "/" is path; the new line is gone
        assert names[1] == "x" * 96 + ".csv"
        assert names[2] == "upload.csv"
        assert all("/" not in n and "\\" not in n and "\n" not in n and "\x00" not in n for n in names)


async def test_the_upload_pages_show_the_safe_file_name_escaped(infra):
    async with running_system(infra) as system:
        names = recording_sampling(system)
        browser = await system.browser("support@example.com")
        page = await browser.get("/claims/sampling/upload")
        r = await browser.post("/claims/sampling/upload", data={"csrf_token": csrf_from(page.text)},
                               files={"file": ("../evil<script>alert(1)</script>.csv", CSV, "text/csv")})
        assert r.status_code == 303, r.text
        assert names == ["script>.csv"]  # everything up to the last "/" is path
        review = await browser.get(r.headers["location"])
        assert review.status_code == 200
        assert "script&gt;.csv" in review.text and "<script>alert" not in review.text

        names = recording_sampling(system, refuse_rows=True)
        r = await browser.post("/claims/sampling/upload", data={"csrf_token": csrf_from(page.text)},
                               files={"file": ("a\\b\\<img src=x onerror=alert(1)>.csv", CSV, "text/csv")})
        assert r.status_code == 422
        assert names == ["<img src=x onerror=alert(1)>.csv"]
        assert "&lt;img src=x onerror=alert(1)&gt;.csv" in r.text and "<img src=x" not in r.text
        await browser.aclose()
