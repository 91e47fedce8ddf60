"""Row numbers in errors are the spreadsheet rows a person sees: the header is row 1."""
from __future__ import annotations

from tests.support.system import running_system


async def test_the_openapi_document_says_rows_are_spreadsheet_rows(infra):
    async with running_system(infra) as system:
        schema = (await system.client.get("/openapi.json")).json()
        row = schema["components"]["schemas"]["ErrorItem"]["properties"]["row"]
        assert row["description"] == ("The spreadsheet row where it applies: the header is row 1, "
                                      "so the first data row is row 2")
