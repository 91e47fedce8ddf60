"""The gateway and the claims service running for real: each on its own port (uvicorn in this
process), each with its own fresh migrated database, the gateway calling claims over HTTP."""
from __future__ import annotations

import asyncio
import contextlib
import random
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, AsyncIterator

import httpx
from fastapi import Header, Request
from fastapi.responses import JSONResponse, Response

from services.claims.app import create_app as create_claims
from services.claims.config import ClaimsSettings
from services.claims.ports import Deps, FixedClock
from services.gateway.app import create_app as create_gateway
from services.gateway.config import GatewaySettings
from services.gateway.users import add_user
from tests.support.inprocess import at, serve
from tests.support.messaging import eventually

TOKEN = "test-internal-token"
PASSWORD = "correct horse battery"
SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

#: email → (role, school, trust). Trust ids are the claims service's slug of the GIAS group name.
USERS = {
    "support@example.com": ("support", None, None),
    "support2@example.com": ("support", None, None),
    "head@hackney.example": ("school", "100001", None),
    "head@slough.example": ("school", "100004", None),
    "ceo@northern.example": ("mat", None, "northern-trust"),
    "finance@example.com": ("finance", None, None),
}

SCHOOLS_CSV = (
    "urn,name,postcode,local_authority,type_of_establishment,region,group\n"
    "100001,Hackney Primary,E8 1AA,Hackney,Community school,Inner London,\n"
    "100002,Barnet Academy,EN5 1AA,Barnet,Academy converter,Outer London,Northern Trust\n"
    "100003,Leeds High,LS1 1AA,Leeds,Academy converter,Rest of England,Northern Trust\n"
    "100004,Slough Juniors,SL1 1AA,Slough,Foundation school,Fringe,\n"
)


def stub_services():
    """Stand-in for notify and the link issuers (their internal APIs are built by other sessions):
    the shapes the gateway expects of them, recorded so tests can see what was asked."""
    from fastapi import FastAPI, Header, Response

    stub = FastAPI()
    stub.state.calls = []

    @stub.get("/internal/v1/notifications")
    async def notifications(page: int = 1, recipient: str | None = None, x_internal_token: str = Header(""),
                            x_actor_role: str = Header("")):
        stub.state.calls.append(("notifications", page, recipient, x_internal_token, x_actor_role))
        items = [{"id": "n1", "to": "audit@bpn.example", "subject": "Claims to audit", "status": "delivered",
                  "attempts": 1, "created_at": "2026-11-23T10:00:00+00:00"}]
        items = [i for i in items if not recipient or i["to"] == recipient]
        return {"items": items, "total": len(items), "page": page, "per_page": 25}

    #: Links as the issuing services keep them: "sampling-good" downloads once, then is used.
    stub.state.links = {"sampling-good": "ok", "payments-good": "ok", "sampling-used": "used",
                        "payments-expired": "expired", "sampling-replaced": "revoked"}

    @stub.get("/internal/v1/links/{token}/status")
    async def link_status(token: str):
        stub.state.calls.append(("link status", token))
        return {"status": stub.state.links.get(token, "unknown")}

    @stub.get("/internal/v1/links/{token}")
    async def link(token: str):
        stub.state.calls.append(("link", token))
        status = stub.state.links.get(token, "unknown")
        if status == "ok":
            stub.state.links[token] = "used"
            return Response("claim_reference\n12345678\n", media_type="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="claims.csv"'})
        return JSONResponse({"errors": [{"message": "gone"}], "reason": status}, 410)

    add_workflow_stub(stub)
    return stub


LEAD_PROVIDER_TOKEN = "lp-token"
#: A sampling round with one provider (docs/design.md §12), as the sampling service answers it.
ROUND = {"id": "r1", "file_name": "claims.csv", "generated": False, "confirmed_at": "2026-11-23T10:00:00+00:00",
         "confirmed_by": "support@example.com", "claim_count": 1, "provider_count": 1, "answered_claims": 0,
         "open_claims": 1, "reasons": [{"code": "other", "label": "Other", "count": 0}],
         "providers": [{"provider_id": "p1", "provider_name": "Best Practice Network", "claims": 1,
                        "emailed_to": ["a@p.example"], "emailed_at": "2026-11-23T10:00:00+00:00",
                        "downloaded_at": None, "answered_claims": 0, "open_claims": 1,
                        "answered_via": {"csv": 0, "account": 0, "support": 0}, "completion_date": "2026-12-14",
                        "days_left": 21, "reminders": []}]}
PROVIDER_CLAIM = {"reference": "12345678", "status": "sampling_in_progress", "status_label": "Audit requested",
                  "school": {"urn": "100001", "name": "Hackney Primary"}, "provider": {"id": "p1", "name": "P"},
                  "academic_year": "2026/27", "amount": "268.00", "needs_action": True,
                  "mentors": [{"trn": "1234567", "full_name": "Ada Lovelace", "hours": 5}]}
STATEMENT = {"id": "s1", "lead_provider_id": "lp1", "cohort": 2026, "name": "October 2026", "state": "payable",
             "deadline_date": "2026-10-31", "payment_date": "2026-11-25", "service_fee": "0.00", "output_fee": "0.00",
             "uplift": "0.00", "clawbacks": "0.00", "adjustments": "0.00", "vat": "0.00", "total": "0.00",
             "output_fees": [], "authorised_at": None, "authorised_for_payment": None}


def add_workflow_stub(stub) -> None:
    """Stand-in for the sampling and payments internal APIs: a plausible answer for every route the
    gateway calls (the authorisation matrix checks the gateway's own role checks, not their rules)."""
    page = {"items": [], "total": 0, "page": 1, "per_page": 25}
    #: What the Sampling section's summary says (a test may set nothing to upload: the "cannot upload" pages).
    stub.state.sampling_summary = {"can_upload_sample": True, "can_upload_response": True}

    @stub.get("/internal/v1/sampling/summary")
    async def sampling_summary():
        return stub.state.sampling_summary

    #: The provider's claims list (a test may give it a claim waiting for an answer).
    stub.state.provider_claims = {**page, "schools": [], "academic_years": []}

    @stub.get("/internal/v1/provider/claims")
    async def provider_claims():
        return stub.state.provider_claims

    routes: list[tuple[str, str, int, object]] = [
        ("GET", r"/internal/v1/(sampling|payments)/claims", 200, page),
        ("GET", r"/internal/v1/sampling/response-files/[^/]+", 200, "csv"),
        ("POST", r"/internal/v1/(sampling/uploads|sampling/responses|payments/responses|clawbacks/responses)", 201,
         {"upload_id": "u1", "claim_count": 1}),
        ("GET", r"/internal/v1/(sampling/uploads|sampling/responses|payments/responses|clawbacks/responses)/[^/]+", 200,
         {"upload_id": "u1", "status": "pending", "claim_count": 1, "file_name": "f.csv"}),
        ("POST", r".*/confirm", 202, {"upload_id": "u1", "status": "confirmed"}),
        ("POST", r".*/cancel", 200, {"upload_id": "u1", "status": "cancelled"}),
        ("POST", r"/internal/v1/claims/\d+/(sampling|payment)/[a-z-]+", 202, {"accepted": True}),
        ("POST", r"/internal/v1/claims/\d+/assurance", 202, {"accepted": True}),
        ("GET", r"/internal/v1/provider/claims\.csv", 200, "csv"),
        ("GET", r"/internal/v1/provider/claims/\d+", 200, PROVIDER_CLAIM),
        ("POST", r"/internal/v1/providers/[^/]+/sampling/resend", 202, {"accepted": True}),
        ("POST", r"/internal/v1/providers/[^/]+/sampling/remind", 202,
         {"provider_id": "p1", "sent_to": ["a@p.example"]}),
        ("GET", r"/internal/v1/sampling/rounds", 200, page),
        ("GET", r"/internal/v1/sampling/rounds/[^/]+", 200, ROUND),
        ("POST", r"/internal/v1/payments", 201, {"payment_id": "p1", "claim_count": 1, "total_amount": "1.00"}),
        ("GET", r"/internal/v1/(payments|payments/ready|clawbacks|clawbacks/batches)", 200, page),
        ("GET", r"/internal/v1/payments/[^/]+", 200, {"id": "p1", "claim_count": 0, "total_amount": "0.00",
                                                      "created_at": "2026-11-23T10:00:00+00:00", "claims": []}),
        ("GET", r"/internal/v1/claims/(\d+)/clawback", 200, {"reference": "r", "status": "sampling_not_approved",
                                                             "status_label": "Claim not approved", "mentors": [],
                                                             "clawback": None, "hourly_rate": "43.80"}),
        ("POST", r"/internal/v1/claims/\d+/clawback/check", 200, {"hourly_rate": "43.80", "hours_clawed_back": 0,
                                                                  "amount": "0.00", "mentors": []}),
        ("POST", r"/internal/v1/claims/\d+/clawback", 201, {"clawback_id": "c1", "reference": "r",
                                                            "status": "clawback_requires_approval"}),
        ("POST", r"/internal/v1/claims/\d+/clawback/(approve|reject)", 202, {"accepted": True}),
        ("POST", r"/internal/v1/clawbacks", 201, {"clawback_id": "b1", "claim_count": 1}),
        ("GET", r"/internal/v1/finance/lead-providers", 200, {"items": [{"id": "lp1", "name": "LP"}], "total": 1,
                                                              "page": 1}),
        ("GET", r"/internal/v1/finance/contracts", 200, page),
        ("POST", r"/internal/v1/finance/(schedules|contracts|statements|participants)", 201, {"id": "x1"}),
        ("GET", r"/internal/v1/finance/statements", 200, {**page, "items": [STATEMENT], "total": 1}),
        ("GET", r"/internal/v1/finance/statements/[^/]+(\.csv|/declarations\.csv)", 200, "csv"),
        ("GET", r"/internal/v1/finance/statements/[^/]+", 200, STATEMENT),
        ("POST", r"/internal/v1/finance/statements/[^/]+/authorise", 200, STATEMENT),
        ("POST", r"/internal/v1/finance/statements/[^/]+/adjustments", 201, STATEMENT),
        ("POST", r"/internal/v1/finance/statements/[^/]+/notes", 201, {"notes": []}),
        ("GET", r"/internal/v1/finance/(participants|schedules|cohorts/frozen)", 200, page),
        ("GET", r"/internal/v1/finance/participants/[^/]+", 200, {"id": "p1"}),
        ("POST", r"/internal/v1/finance/participants/[^/]+/(retire|eligible|induction-start-date)", 200, {"id": "p1"}),
        ("POST", r"/internal/v1/finance/cohorts/\d+/freeze", 200, {"cohort": 2026, "frozen": True}),
        ("POST", r"/internal/v1/finance/contracts/[^/]+/bands/[A-D]/capacity", 200, {"id": "c1"}),
        ("POST", r"/internal/v1/finance/lead-providers/[^/]+/email", 200, {"id": "lp1", "name": "LP", "email": None}),
    ]

    @stub.get("/internal/v1/ecf/lead-providers/by-token")
    async def by_token(x_lead_provider_token: str = Header("")):
        if x_lead_provider_token != LEAD_PROVIDER_TOKEN:
            return JSONResponse({"errors": [{"title": "Unauthorized", "detail": "HTTP Token: Access denied"}]}, 401)
        return {"id": "lp1", "name": "LP"}

    @stub.api_route("/internal/v1/ecf/{rest:path}", methods=["GET", "POST", "PUT"])
    async def ecf(rest: str, x_lead_provider_id: str = Header("")):
        if x_lead_provider_id != "lp1":
            return JSONResponse({"errors": [{"title": "Unauthorized", "detail": "HTTP Token: Access denied"}]}, 401)
        return {"data": []}

    @stub.api_route("/internal/v1/{rest:path}", methods=["GET", "POST", "PUT"])
    async def anything(rest: str, request: Request):
        path = f"/internal/v1/{rest}"
        for method, pattern, status, body in routes:
            if method == request.method and re.fullmatch(pattern, path):
                if body == "csv":
                    return Response("a,b\n1,2\n", media_type="text/csv",
                                    headers={"Content-Disposition": 'attachment; filename="s.csv"'})
                return JSONResponse(body, status)
        return JSONResponse({"errors": [{"message": f"stub has no {request.method} {path}"}]}, 404)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


@dataclass
class System:
    url: str
    claims_url: str
    gateway_db: str
    client: httpx.AsyncClient
    stub: Any = None
    tokens: dict[str, str] = field(default_factory=dict)

    async def eventually(self, check, timeout: float = 15.0):
        return await eventually(check, timeout=timeout, interval=0.1)

    async def token(self, email: str, password: str = PASSWORD) -> str:
        if email not in self.tokens:
            r = await self.client.post("/api/v1/auth/token", json={"email": email, "password": password})
            assert r.status_code == 200, r.text
            self.tokens[email] = r.json()["access_token"]
        return self.tokens[email]

    async def browser(self, email: str | None = None, password: str = PASSWORD) -> httpx.AsyncClient:
        """A cookie-keeping client, signed in through the sign-in page when ``email`` is given."""
        browser = httpx.AsyncClient(base_url=self.url, timeout=30)
        if email:
            page = await browser.get("/sign-in")
            r = await browser.post("/sign-in", data={"email": email, "password": password,
                                                     "csrf_token": csrf_from(page.text), "next": "/"})
            assert r.status_code == 303, r.text
        return browser

    async def as_user(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token(email)}"}

    async def setup_organisations(self) -> dict[str, Any]:
        support = await self.as_user("support@example.com")
        r = await self.client.post("/api/v1/schools/import", headers=support,
                                   files={"file": ("schools.csv", SCHOOLS_CSV.encode(), "text/csv")})
        assert r.status_code == 200, r.text
        r = await self.client.post("/api/v1/providers", headers=support, json={
            "name": "Best Practice Network", "code": "BPN", "email_addresses": ["audit@bpn.example"]})
        assert r.status_code == 201, r.text
        provider = r.json()
        r = await self.client.post("/api/v1/claim-windows", headers=support, json={
            "starts_on": "2026-09-01", "ends_on": "2027-07-31", "academic_year": "2026/27"})
        assert r.status_code == 201, r.text
        return {"provider": provider, "window": r.json()}

    async def submit(self, email: str, urn: str, provider_id: str,
                     mentors: list[tuple[str, str, int]]) -> httpx.Response:
        return await self.client.post("/api/v1/claims", headers=await self.as_user(email), json={
            "school_urn": urn, "provider_id": provider_id,
            "mentors": [{"trn": t, "full_name": n, "hours": h} for t, n, h in mentors]})

    async def submit_hackney_claim(self, org: dict[str, Any], mentors: list[tuple[str, str, int]]) -> dict[str, Any]:
        """Hackney Primary's head claims for ``mentors`` with the provider of ``setup_organisations``
        (``org``): the submitted claim."""
        r = await self.submit("head@hackney.example", "100001", org["provider"]["id"], mentors)
        assert r.status_code == 201, r.text
        return r.json()


@contextlib.asynccontextmanager
async def running_system(infra, *, today: date = date(2026, 11, 23), claims_url: str | None = None,
                         messaging: bool = False, **gateway_overrides: Any) -> AsyncIterator[System]:
    """``claims_url`` overrides where the gateway looks for claims (e.g. a closed port);
    ``messaging`` runs the claims service's relay and consumers (needs the ``isolated_env`` fixture),
    which the activity log needs: activity is recorded from events."""
    claims_db, gateway_db = await asyncio.gather(infra.database("claims"), infra.database("gateway"))
    claims_settings = ClaimsSettings(CLAIMS_DATABASE_URL=claims_db, run_messaging=messaging,
                                     internal_api_token=TOKEN, log_json=False)
    deps = Deps(clock=FixedClock(at(today)), rng=random.Random(7))
    for email, (role, school, trust) in USERS.items():
        await add_user(gateway_db, email, PASSWORD, role, school_urn=school, trust_id=trust)
    stub = stub_services()
    async with serve(create_claims(claims_settings, deps)) as real_claims_url, serve(stub) as stub_url:
        settings = GatewaySettings(**{
            "GATEWAY_DATABASE_URL": gateway_db, "SECRET_KEY": SECRET, "internal_api_token": TOKEN,
            "CLAIMS_URL": claims_url or real_claims_url, "NOTIFY_URL": stub_url, "SAMPLING_URL": stub_url,
            "PAYMENTS_URL": stub_url, "GATEWAY_COOKIE_SECURE": False, "log_json": False, "run_messaging": False,
            **gateway_overrides})
        async with serve(create_gateway(settings)) as url:
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                yield System(url=url, claims_url=real_claims_url, gateway_db=gateway_db, client=client, stub=stub)
