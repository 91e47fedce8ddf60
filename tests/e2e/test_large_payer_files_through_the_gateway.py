"""A payer response and a clawback response of 200,000 distinct references uploaded through the
gateway of the running system (issue 26 item 1): each is refused with the first 100 row errors and
a count of the rest, never "Sorry, the payments service is unavailable"."""
from __future__ import annotations

import pytest

ROWS = 200_000


@pytest.mark.parametrize("path, header, line", [
    ("/api/v1/payments/responses", "claim_reference,claim_status,claim_unpaid_reason", "{ref},paid,\n"),
    ("/api/v1/clawbacks/responses", "claim_reference,claim_status", "{ref},clawback_complete\n"),
])
def test_a_payer_file_of_200000_unknown_references_is_refused_in_a_short_answer(system, path, header, line):
    support = system.api("support@example.com")
    # References are drawn at random, so skip any that a claim of the running system already has.
    known = existing_references(support)
    refs = (ref for ref in range(50_000_000, 60_000_000) if str(ref) not in known)
    content = header + "\n" + "".join(line.format(ref=next(refs)) for _ in range(ROWS))

    r = support.post(path, files={"file": ("response.csv", content.encode(), "text/csv")}, timeout=120)

    assert r.status_code == 422, r.text[:500]
    assert len(r.content) < 20_000
    errors = r.json()["errors"]
    assert errors[0]["message"] == "Enter a valid claim reference" and errors[0]["row"] == 2
    assert errors[-1]["message"] == "and 199,900 more errors"


def existing_references(api) -> set[str]:
    references: set[str] = set()
    page = 1
    while True:
        items = api.get("/api/v1/claims", params={"per_page": 500, "page": page}).json()["items"]
        references.update(item["reference"] for item in items)
        if len(items) < 500:
            return references
        page += 1
