"""The gateway's clients and the services' routes agree on every internal call: the path, the
method, the success status, the request body model and the response model (the models of
``shared.contracts.http``), read from each service's own OpenAPI document."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from services.gateway.clients import ClaimsClient, EcfClient, NotifyClient, PaymentsClient, SamplingClient
from services.gateway.clients.base import ServiceClient
from services.gateway.clients.uploads import UploadClient
from shared.contracts.http import claims, ecf, notify, payments, provider, sampling
from shared.contracts.http.base import Endpoint

USER = None
REF = "12345678"


@cache
def openapi(service: str) -> dict[str, Any]:
    if service == "claims":
        from services.claims.app import create_app
    elif service == "sampling":
        from services.sampling.app import create_app
    elif service == "payments":
        from services.payments.app import create_app
    else:
        from services.notify.app import create_app
    return create_app().openapi()


CONTRACTS = {"claims": claims, "sampling": sampling, "provider": provider, "payments": payments, "ecf": ecf,
             "notify": notify}
SERVICE_OF = {"claims": "claims", "sampling": "sampling", "provider": "sampling", "payments": "payments", "ecf": "payments",
              "notify": "notify"}
ALL_ENDPOINTS = [(name, key, endpoint) for name, module in CONTRACTS.items()
                 for key, endpoint in module.ENDPOINTS.items()]


def _ref_name(schema: dict[str, Any] | None) -> str | None:
    """The component a schema points at (through ``anyOf [$ref, null]``), without FastAPI's
    ``-Input``/``-Output`` suffix."""
    if not schema:
        return None
    if "$ref" in schema:
        return re.sub(r"-(Input|Output)$", "", schema["$ref"].rsplit("/", 1)[-1])
    for option in schema.get("anyOf", []):
        if name := _ref_name(option):
            return name
    return None


def operation(service: str, method: str, path: str) -> dict[str, Any]:
    paths = openapi(service)["paths"]
    assert path in paths, f"{service} has no route {path}"
    assert method.lower() in paths[path], f"{service} has no {method} {path}"
    return paths[path][method.lower()]


def _fields(service: str, name: str) -> set[str]:
    schemas = openapi(service)["components"]["schemas"]
    schema = schemas.get(name) or schemas.get(f"{name}-Output") or schemas.get(f"{name}-Input")
    return set(schema.get("properties", {}))


@pytest.mark.parametrize(("contract", "key", "endpoint"), ALL_ENDPOINTS, ids=[f"{c}.{k}" for c, k, _ in ALL_ENDPOINTS])
def test_every_endpoint_of_the_contracts_is_a_route_of_its_service_with_the_same_models(
        contract: str, key: str, endpoint: Endpoint) -> None:
    service = SERVICE_OF[contract]
    op = operation(service, endpoint.method, endpoint.path)
    assert str(endpoint.status) in op["responses"], f"{key}: the service answers {list(op['responses'])}"
    answer = op["responses"][str(endpoint.status)].get("content", {}).get("application/json", {}).get("schema")
    if endpoint.response is not None:
        assert _ref_name(answer) == endpoint.response.__name__, f"{key}: the service declares {answer}"
        assert set(endpoint.response.model_fields) <= _fields(service, endpoint.response.__name__)
    body = op.get("requestBody", {}).get("content", {})
    if endpoint.body is not None:
        assert _ref_name(body.get("application/json", {}).get("schema")) == endpoint.body.__name__, \
            f"{key}: the service reads {body}"
    else:
        assert "application/json" not in body, f"{key}: the service reads a JSON body the contract does not send"


# ------------------------------------------------------------------ the gateway's side
class Recorded(Exception):
    pass


@dataclass
class Call:
    method: str
    path: str
    endpoint: Endpoint | None = None
    body: Any = None
    files: Any = None


class RecordingConnection(ServiceClient):
    """Records what a typed client sends instead of sending it."""

    def __init__(self) -> None:  # no HTTP client: nothing is sent
        self.name = "recording"
        self.calls: list[Call] = []

    async def call(self, endpoint: Endpoint, *, user, body=None, params=None, files=None, timeout=None,
                   **path: Any) -> Any:
        self.calls.append(Call(endpoint.method, endpoint.url(**path), endpoint, body, files))
        raise Recorded

    async def request(self, method: str, path: str, *, user, **kwargs: Any) -> Any:
        self.calls.append(Call(method, path, body=kwargs.get("content")))
        raise Recorded

    async def passthrough(self, method: str, path: str, *, user, headers=None, **kwargs: Any) -> Any:
        self.calls.append(Call(method, path, body=kwargs.get("content")))
        raise Recorded

    def stream(self, method: str, path: str, *, user, **kwargs: Any) -> Any:
        self.calls.append(Call(method, path))
        raise Recorded


CLAWBACK = payments.ClawbackIn(mentors=[payments.MentorHoursIn(trn="1234567", hours_worked=3)])
#: Each client method with example arguments (every public method must be here).
EXAMPLES: dict[type, dict[str, tuple[tuple, dict]]] = {
    ClaimsClient: {
        "import_schools": ((), {"file_name": "s.csv", "data": b"urn,name\n", "content_type": "text/csv"}),
        "add_provider": ((claims.ProviderIn(name="P", code="P"),), {}),
        "list_providers": ((), {}),
        "add_claim_window": ((claims.WindowIn(starts_on="2026-09-01", ends_on="2027-07-31", academic_year="2026/27"),),
                             {}),
        "list_claim_windows": ((), {}),
        "upload_gias": ((("edubasealldata.csv", b"URN\n", "text/csv"), ("links.csv", b"URN\n", "text/csv")), {}),
        "gias_upload": (("upload-1",), {}),
        "confirm_gias": (("upload-1",), {}),
        "cancel_gias": (("upload-1",), {}),
        "schools": ((), {"q": "hackney", "page": 1, "per_page": 25}),
        "school": (("100001",), {}),
        "provider": (("provider-1",), {}),
        "edit_provider": (("provider-1", claims.ProviderIn(name="P", code="P")), {}),
        "claim_window": (("window-1",), {}),
        "edit_claim_window": (("window-1", claims.WindowIn(starts_on="2026-09-01", ends_on="2027-07-31",
                                                           academic_year="2026/27")), {}),
        "delete_claim_window": (("window-1",), {}),
        "submit_claim": ((claims.ClaimIn(school_urn="100001", provider_id="p", mentors=[]),), {}),
        "search_claims": (({"q": "x"},), {}),
        "download_claims": (({"q": "x"},), {}),
        "claim_references": ((), {"status": "submitted", "claim_window_id": "window-1"}),
        "get_claim": ((REF,), {}),
        "assign_claim": ((REF, "support@example.com"), {}),
        "activity": ((), {"page": 1}),
        "create_draft": ((claims.DraftIn(school_urn="100001", provider_id="p"),), {}),
        "update_draft": ((REF, claims.DraftPatch(mentors=[claims.DraftMentorIn(trn="1234567", full_name="A B")])),
                         {}),
        "change_draft": ((REF, claims.DraftPatch(provider_id="provider-1")), {}),
        "delete_draft": ((REF,), {}),
        "submit_draft": ((REF, True), {}),
        "mark_invalid_provider": ((REF, "The provider is not accredited"), {}),
        "change_provider": ((REF, "provider-1"), {}),
        "allowances": (("100001", {"provider_id": "provider-1", "trn": ["1234567"]}), {}),
        "school_organisation": (("100001",), {}),
        "school_page": (("100001",), {"claim": REF, "allowances": True, "providers": True, "windows": True}),
        "trust_schools": (("trust-1",), {}),
    },
    SamplingClient: {
        "generate": ((sampling.GenerateIn(claim_window_id="window-1", seed=1),), {}),
        "sample_csv": (("u-1",), {}),
        "waiting_claims": ((), {"page": 1, "per_page": 25}),
        "summary": ((), {}),
        "approve_claim": ((REF,), {}),
        "reject_claim": ((REF, "why"), {}),
        "resend_link": (("provider-1",), {}),
        "remind_provider": (("provider-1",), {}),
        "rounds": ((), {"page": 1}),
        "round": (("round-1",), {}),
        "download_link": (("sampling-token",), {}),
        "link_status": (("sampling-token",), {}),
        "provider_claims": ((), {"params": {"page": 1}}),
        "provider_claims_csv": ((), {"params": {}}),
        "provider_claim": ((REF,), {}),
        "assure_claim": ((REF, provider.AssuranceIn(assured=True)), {}),
    },
    PaymentsClient: {
        "send_to_payer": (("window-1",), {}),
        "payments": ((), {}),
        "ready_to_send": ((), {}),
        "claims": ((), {"status": ["paid"]}),
        "payment": (("payment-1",), {}),
        "payer_action": ((REF, "reject"), {"reason": "why"}),
        "clawback": ((REF,), {}),
        "check_clawback": ((REF, CLAWBACK), {}),
        "request_clawback": ((REF, CLAWBACK), {}),
        "approve_clawback": ((REF,), {}),
        "reject_clawback": ((REF, {"1234567": "why"}), {}),
        "clawbacks": ((), {"status": "approved"}),
        "send_clawbacks": ((), {}),
        "clawback_batches": ((), {}),
        "download_link": (("payments-token",), {}),
        "link_status": (("payments-token",), {}),
    },
    EcfClient: {
        "lead_providers": ((), {}),
        "set_lead_provider_email": (("lp-1", b'{"email": "lp@example.com"}'), {}),
        "create": (("statement", b"{}"), {}),
        "contracts": ((), {}),
        "statements": ((), {}),
        "statement": (("statement-1",), {}),
        "authorise": (("statement-1", b"{}"), {}),
        "add_adjustment": (("statement-1", b"{}"), {}),
        "statement_csv": (("statement-1",), {}),
        "lead_provider_for_token": (("token",), {}),
        "as_lead_provider": (("void", "lp-1"), {"params": [], "declaration_id": "d-1"}),
        "participants": ((), {"q": "Ada", "duplicates": True}),
        "participant": (("participant-1",), {}),
        "retire": (("participant-1", b'{"into": "participant-2"}'), {}),
        "make_eligible": (("participant-1",), {}),
        "record_induction_start": (("participant-1", b"{}"), {}),
        "freeze_cohort": ((2024, b"{}"), {}),
        "frozen_cohorts": ((), {}),
        "add_note": (("statement-1", b'{"text": "Checked"}'), {}),
        "raise_capacity": (("contract-1", "A", b'{"max": 3000}'), {}),
        "schedules": ((), {}),
    },
    NotifyClient: {"notifications": ((), {"page": 1})},
    UploadClient: {"upload": ((("f.csv", b"a\n", "text/csv"),), {}), "review": (("u-1",), {}),
                   "confirm": (("u-1",), {}), "cancel": (("u-1",), {})},
}
SERVICE = {ClaimsClient: "claims", SamplingClient: "sampling", PaymentsClient: "payments", EcfClient: "payments",
           NotifyClient: "notify"}


def _public_methods(cls: type) -> set[str]:
    return {name for name, f in inspect.getmembers(cls, inspect.isfunction) if not name.startswith("_")}


def test_every_method_of_every_client_has_an_example_in_this_test() -> None:
    for cls, examples in EXAMPLES.items():
        assert _public_methods(cls) == set(examples), cls.__name__


def _route_of(service: str, method: str, path: str) -> str:
    """The service's route template that the concrete ``path`` hits (as the service's router would)."""
    found = []
    for template, operations in openapi(service)["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if method.lower() in operations and re.match(pattern, path):
            found.append(template)
    assert found, f"{service} has no route for {method} {path}"
    return min(found, key=lambda t: t.count("{"))  # a literal segment wins over a placeholder


async def _record(client: Any, name: str, args: tuple, kwargs: dict) -> Call:
    connection = client.http
    connection.calls.clear()
    with pytest.raises(Recorded):
        result = getattr(client, name)(*args, user=USER, **kwargs) if "user" in inspect.signature(
            getattr(client, name)).parameters else getattr(client, name)(*args, **kwargs)
        if inspect.isawaitable(result):
            await result
    assert len(connection.calls) == 1, f"{name} made {len(connection.calls)} calls"
    return connection.calls[0]


def _clients() -> list[tuple[str, Any, str, tuple, dict]]:
    cases = []
    for cls, service in SERVICE.items():
        for name, (args, kwargs) in EXAMPLES[cls].items():
            cases.append((service, cls, name, args, kwargs))
    uploads = {"sampling": lambda c: (c.samples, c.responses), "payments": lambda c: (c.payer_responses,
                                                                                     c.clawback_responses)}
    for service, cls in (("sampling", SamplingClient), ("payments", PaymentsClient)):
        for index in (0, 1):
            for name, (args, kwargs) in EXAMPLES[UploadClient].items():
                cases.append((service, (cls, index, uploads[service]), name, args, kwargs))
    return cases


CLIENT_CASES = _clients()


@pytest.mark.parametrize(("service", "which", "name", "args", "kwargs"), CLIENT_CASES,
                         ids=[f"{s}.{getattr(w, '__name__', None) or w[0].__name__ + str(w[1])}.{n}"
                              for s, w, n, _, _ in CLIENT_CASES])
async def test_every_client_method_calls_a_route_of_its_service_with_the_contracts_models(
        service: str, which: Any, name: str, args: tuple, kwargs: dict) -> None:
    if isinstance(which, tuple):
        cls, index, pick = which
        client = pick(cls(RecordingConnection()))[index]
    else:
        client = which(RecordingConnection())
    call = await _record(client, name, args, kwargs)
    template = _route_of(service, call.method, call.path.split("?")[0])
    if call.endpoint is not None:
        assert template == call.endpoint.path, f"{name} sends to {call.path}, which the service routes to {template}"
        assert call.endpoint in [e for module in CONTRACTS.values() for e in module.ENDPOINTS.values()]
        if call.endpoint.body is not None:
            assert isinstance(call.body, call.endpoint.body)
            call.endpoint.body.model_validate(call.body.model_dump(mode="json"))
        else:
            assert call.body is None
