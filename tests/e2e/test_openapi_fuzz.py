"""schemathesis against the gateway's published OpenAPI document, on the whole running system,
signed in as a support user: whatever the generated requests, the gateway never answers with a
server error (5xx), and no answer shows the framework's wording or a Python class name (every
refusal is in plain words). Examples per operation are few so the run stays well under two minutes."""
from __future__ import annotations

import re

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

EXAMPLES = 4
#: pydantic's and FastAPI's own phrases, and a Python class name: never in an answer.
FRAMEWORK_WORDING = re.compile(r"Field required|Input should|Value error|Extra inputs|String should|<class '")


def fuzz(base_url: str, support_token: str, examples: int = EXAMPLES) -> list[str]:
    """Every operation of the document, ``examples`` generated requests each; the 5xx answers and the
    answers in the framework's words."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/token":
            headers = {}
        elif operation.path.startswith("/api/v3/"):
            headers = {"Authorization": "Bearer not-a-lead-provider-token"}
        else:
            headers = {"Authorization": f"Bearer {support_token}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=examples, deadline=None, phases=[Phase.explicit, Phase.generate], database=None,
                  suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            if response.status_code >= 500 or FRAMEWORK_WORDING.search(response.text):
                failures.append(f"{case.method} {case.formatted_path} {case.query or ''} → "
                                f"{response.status_code}: {response.text[:300]}")

        run()
    return failures


def test_no_generated_request_gets_a_server_error_or_the_frameworks_words(system):
    failures = fuzz(system.url, system.token("support@example.com"))
    assert not failures, "\n".join(failures)
