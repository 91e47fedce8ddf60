"""Every route × every role (and anonymous) → the expected status.

Organisation scope is part of the matrix: the claim used belongs to Hackney Primary, so its own
school user reads it (200) while the MAT user, whose trust does not include it, gets 404. The
provider role (docs/design.md §12) is refused everywhere but its own routes, the routes of any
signed-in user and the answer it gives in the service (its organisation scope, another provider's
claims, is checked by the sampling service: tests/integration/sampling/test_provider_accounts.py)."""
from __future__ import annotations

import httpx
import pytest

from claimflow.demo.gias import Establishment, extract
from services.gateway.users import add_user
from tests.support.system import LEAD_PROVIDER_TOKEN, PASSWORD, System, csrf_from, running_system

ROLES = {"support": "support@example.com", "school": "head@hackney.example", "mat": "ceo@northern.example",
         "finance": "finance@example.com", "provider": "audit@provider.example", "lead_provider": None,
         "anonymous": None}


def expect(support, school, mat, finance, anonymous, lead_provider=None, provider=403):
    """A lead provider's token is not a user's: 401 on /api/v1 unless said otherwise. A provider user
    is refused (403) unless said otherwise."""
    return {"support": support, "school": school, "mat": mat, "finance": finance, "provider": provider,
            "lead_provider": 401 if lead_provider is None else lead_provider, "anonymous": anonymous}


def provider_only(status: int) -> dict:
    return expect(403, 403, 403, 403, 401, provider=status)


def any_user(status: int) -> dict:
    return expect(status, status, status, status, 401, provider=status)


def support_only(status: int) -> dict:
    return expect(status, 403, 403, 403, 401)


def finance_only(status: int) -> dict:
    return expect(403, 403, 403, status, 401)


def lead_provider_only(status: int) -> dict:
    return expect(401, 401, 401, 401, 401, lead_provider=status, provider=401)


def workflow_cases(ref: str) -> list[tuple[str, str, dict, dict]]:
    """The sampling, payments, clawback, finance and Lead Provider API routes (docs/design.md §9)."""
    csv_file = {"files": {"file": ("f.csv", b"claim_reference\n12345678\n", "text/csv")}}
    body = {"json": {}}
    cases = [
        ("POST", "/api/v1/sampling/uploads", csv_file, support_only(201)),
        ("GET", "/api/v1/sampling/uploads/u1", {}, support_only(200)),
        ("POST", "/api/v1/sampling/uploads/u1/confirm", {}, support_only(202)),
        ("POST", "/api/v1/sampling/uploads/u1/cancel", {}, support_only(200)),
        ("POST", "/api/v1/sampling/responses", csv_file, support_only(201)),
        ("GET", "/api/v1/sampling/responses/u1", {}, support_only(200)),
        ("POST", "/api/v1/sampling/responses/u1/confirm", {}, support_only(202)),
        ("POST", "/api/v1/sampling/responses/u1/cancel", {}, support_only(200)),
        ("GET", "/api/v1/sampling/claims", {}, support_only(200)),
        # provider response files (docs/design.md §12): a provider's own upload; support's per-provider files
        ("POST", "/api/v1/provider/responses", csv_file, provider_only(201)),
        ("GET", "/api/v1/provider/responses/u1", {}, provider_only(200)),
        ("POST", "/api/v1/provider/responses/u1/confirm", {}, provider_only(202)),
        ("POST", "/api/v1/provider/responses/u1/cancel", {}, provider_only(200)),
        ("GET", "/api/v1/sampling/response-files/f1", {}, support_only(200)),
        ("POST", f"/api/v1/claims/{ref}/sampling/approve", {}, support_only(202)),
        ("POST", f"/api/v1/claims/{ref}/sampling/reject", {"json": {"reason": "No evidence"}}, support_only(202)),
        ("POST", "/api/v1/providers/p1/sampling/resend", {}, support_only(202)),
        ("POST", "/api/v1/providers/p1/sampling/resend?round_id=r1", {}, support_only(202)),
        ("POST", "/api/v1/providers/p1/sampling/remind", {}, support_only(202)),
        ("GET", "/api/v1/sampling/rounds", {}, support_only(200)),
        ("GET", "/api/v1/sampling/rounds/r1", {}, support_only(200)),
        ("POST", "/api/v1/payments", {"json": {"claim_window_id": "w1"}}, support_only(201)),
        ("GET", "/api/v1/payments", {}, support_only(200)),
        ("GET", "/api/v1/payments/ready", {}, support_only(200)),
        ("GET", "/api/v1/payments/claims?status=payment_in_progress", {}, support_only(200)),
        ("GET", "/api/v1/payments/p1", {}, support_only(200)),
        ("POST", "/api/v1/payments/responses", csv_file, support_only(201)),
        ("GET", "/api/v1/payments/responses/u1", {}, support_only(200)),
        ("POST", "/api/v1/payments/responses/u1/confirm", {}, support_only(202)),
        ("POST", "/api/v1/payments/responses/u1/cancel", {}, support_only(200)),
        ("POST", f"/api/v1/claims/{ref}/payment/information-sent", {}, support_only(202)),
        ("POST", f"/api/v1/claims/{ref}/payment/paid", {}, support_only(202)),
        ("POST", f"/api/v1/claims/{ref}/payment/reject", {"json": {"reason": "Not eligible"}}, support_only(202)),
        ("GET", f"/api/v1/claims/{ref}/clawback", {}, support_only(200)),
        ("POST", f"/api/v1/claims/{ref}/clawback/check", {"json": {"mentors": []}}, support_only(200)),
        ("POST", f"/api/v1/claims/{ref}/clawback", {"json": {"mentors": [{"trn": "1234567", "hours_worked": 1,
                                                                          "notes": ""}]}}, support_only(201)),
        ("POST", f"/api/v1/claims/{ref}/clawback/approve", {}, support_only(202)),
        ("POST", f"/api/v1/claims/{ref}/clawback/reject", {"json": {"reasons": {"1234567": "Wrong"}}},
         support_only(202)),
        ("GET", "/api/v1/clawbacks", {}, support_only(200)),
        ("POST", "/api/v1/clawbacks", {}, support_only(201)),
        ("GET", "/api/v1/clawbacks/batches", {}, support_only(200)),
        ("POST", "/api/v1/clawbacks/responses", csv_file, support_only(201)),
        ("GET", "/api/v1/clawbacks/responses/u1", {}, support_only(200)),
        ("POST", "/api/v1/clawbacks/responses/u1/confirm", {}, support_only(202)),
        ("POST", "/api/v1/clawbacks/responses/u1/cancel", {}, support_only(200)),
        ("GET", "/api/v1/finance/lead-providers", {}, finance_only(200)),
        ("POST", "/api/v1/finance/schedules", body, finance_only(201)),
        ("POST", "/api/v1/finance/contracts", body, finance_only(201)),
        ("GET", "/api/v1/finance/contracts", {}, finance_only(200)),
        ("POST", "/api/v1/finance/statements", body, finance_only(201)),
        ("POST", "/api/v1/finance/participants", body, finance_only(201)),
        ("GET", "/api/v1/finance/statements", {}, finance_only(200)),
        ("GET", "/api/v1/finance/statements/s1", {}, finance_only(200)),
        ("GET", "/api/v1/finance/statements/s1.csv", {}, finance_only(200)),
        ("GET", "/api/v1/finance/statements/s1/declarations.csv", {}, finance_only(200)),
        ("POST", "/api/v1/finance/statements/s1/authorise", {"json": {"assurance_checks_done": True}},
         finance_only(200)),
        ("POST", "/api/v1/finance/statements/s1/adjustments", {"json": {"payment_type": "x", "amount": "1.00"}},
         finance_only(201)),
        ("POST", "/api/v3/participant-declarations", {"json": {"data": {}}}, lead_provider_only(200)),
        ("GET", "/api/v3/participant-declarations", {}, lead_provider_only(200)),
        ("GET", "/api/v3/participant-declarations/d1", {}, lead_provider_only(200)),
        ("PUT", "/api/v3/participant-declarations/d1/void", {}, lead_provider_only(200)),
        ("GET", "/api/v3/statements", {}, lead_provider_only(200)),
        ("GET", "/api/v3/statements/s1", {}, lead_provider_only(200)),
        ("GET", "/api/v3/participants", {}, lead_provider_only(200)),
        ("GET", "/api/v3/participants/p1", {}, lead_provider_only(200)),
        ("PUT", "/api/v3/participants/p1/withdraw", {"json": {"data": {}}}, lead_provider_only(200)),
        ("PUT", "/api/v3/participants/p1/change-schedule", {"json": {"data": {}}}, lead_provider_only(200)),
        ("GET", "/api/v1/finance/participants?duplicates=true", {}, finance_only(200)),
        ("GET", "/api/v1/finance/participants/p1", {}, finance_only(200)),
        ("POST", "/api/v1/finance/participants/p1/retire", {"json": {"into": "p2"}}, finance_only(200)),
        ("POST", "/api/v1/finance/participants/p1/eligible", {}, finance_only(200)),
        ("POST", "/api/v1/finance/cohorts/2026/freeze", {}, finance_only(200)),
        ("POST", "/api/v1/finance/statements/s1/notes", {"json": {"text": "Checked"}}, finance_only(201)),
        ("POST", "/api/v1/finance/contracts/c1/bands/A/capacity", {"json": {"max": 3000}}, finance_only(200)),
        ("GET", "/api/v1/finance/schedules", {}, finance_only(200)),
        ("POST", "/api/v1/finance/lead-providers/lp1/email", {"json": {"email": "lp@example.com"}}, finance_only(200)),
    ]
    return cases


def api_cases(provider_id: str, ref: str) -> list[tuple[str, str, dict, dict]]:
    def claim_for(role: str) -> dict:
        urn = "100002" if role == "mat" else "100001"
        trn = {"support": "1000001", "school": "1000002", "mat": "1000003", "finance": "1000004"}.get(role, "1000005")
        return {"json": {"school_urn": urn, "provider_id": provider_id,
                         "mentors": [{"trn": trn, "full_name": "Ada Lovelace", "hours": 2}]}}

    schools = {"files": {"file": ("s.csv", b"urn,name\n100009,New School\n", "text/csv")}}
    gias = {"files": {"file": ("edubasealldata.csv", extract([Establishment("100001", "Hackney Primary")]),
                               "text/csv")}}
    return [
        ("GET", "/api/v1/me", {}, any_user(200)),
        ("POST", "/api/v1/schools/import", schools, expect(200, 403, 403, 403, 401)),
        ("POST", "/api/v1/providers", {"json": {"name": "Teach First", "code": "TF", "email_addresses": []}},
         expect(201, 403, 403, 403, 401)),
        ("GET", "/api/v1/providers", {}, expect(200, 200, 200, 403, 401)),
        ("POST", "/api/v1/claim-windows", {"json": {"starts_on": "2030-09-01", "ends_on": "2031-07-31",
                                                    "academic_year": "2030/31"}}, expect(201, 403, 403, 403, 401)),
        ("GET", "/api/v1/claim-windows", {}, any_user(200)),
        ("GET", "/api/v1/schools?q=hackney", {}, support_only(200)),
        ("GET", "/api/v1/schools/100001", {}, support_only(200)),
        ("POST", "/api/v1/schools/gias", gias, support_only(201)),
        ("GET", f"/api/v1/providers/{provider_id}", {}, support_only(200)),
        ("PATCH", f"/api/v1/providers/{provider_id}", {"json": {"name": "Best Practice Network", "code": "BPN",
                                                                "email_addresses": ["audit@bpn.example"]}},
         support_only(200)),
        ("POST", "/api/v1/claims", claim_for, expect(403, 201, 201, 403, 401)),
        ("GET", "/api/v1/claims", {}, expect(200, 200, 200, 403, 401)),
        ("GET", "/api/v1/claims.csv", {}, expect(200, 403, 403, 403, 401)),
        ("GET", f"/api/v1/claims/{ref}", {}, expect(200, 200, 404, 403, 401)),
        ("POST", f"/api/v1/claims/{ref}/assign", {"json": {"user_email": "support@example.com"}},
         expect(200, 403, 403, 403, 401)),
        ("GET", "/api/v1/activity", {}, expect(200, 403, 403, 403, 401)),
        ("GET", "/api/v1/notifications", {}, expect(200, 403, 403, 403, 401)),
        # the providers' own accounts (docs/design.md §9b, §12)
        ("GET", "/api/v1/provider/claims", {}, provider_only(200)),
        ("GET", "/api/v1/provider/claims?status=sampling_in_progress&school_urn=100001&academic_year=2026/27", {},
         provider_only(200)),
        ("GET", "/api/v1/provider/claims.csv", {}, provider_only(200)),
        ("GET", f"/api/v1/provider/claims/{ref}", {}, provider_only(200)),
        ("POST", f"/api/v1/claims/{ref}/assurance", {"json": {"assured": True}}, expect(202, 403, 403, 403, 401,
                                                                                        provider=202)),
        ("GET", "/api/v1/reasons", {}, any_user(200)),
    ] + workflow_cases(ref)


def page_cases(ref: str) -> list[tuple[str, str, bool, dict]]:
    """(method, path, is a form post, expected); anonymous pages redirect (303) to sign in."""
    return [
        ("GET", "/", False, expect(303, 303, 303, 200, 303, provider=303)),
        # the providers' pages (docs/design.md §12); support records a provider's answer by hand
        *[("GET", path, False, expect(403, 403, 403, 403, 303, provider=200)) for path in (
            "/provider/claims", "/provider/claims?status=paid&school_urn=100001", "/provider/claims.csv",
            f"/provider/claims/{ref}", f"/provider/claims/{ref}/assure", f"/provider/claims/{ref}/assure/mentors",
            f"/provider/claims/{ref}/assure/mentors/1234567")],
        # the check page without an answer started goes back to its first question
        ("GET", f"/provider/claims/{ref}/assure/check", False, expect(403, 403, 403, 403, 303, provider=303)),
        ("GET", f"/provider/claims/{ref}/assure/done", False, expect(403, 403, 403, 403, 303, provider=200)),
        # the question pages posted without an answer: the provider is asked for one
        *[("POST", path, True, expect(403, 403, 403, 403, 303, provider=422)) for path in (
            f"/provider/claims/{ref}/assure", f"/provider/claims/{ref}/assure/mentors",
            f"/provider/claims/{ref}/assure/mentors/1234567")],
        ("GET", f"/claims/{ref}/provider-answer", False, expect(303, 403, 403, 403, 303)),
        *[("GET", path, False, expect(200, 403, 403, 403, 303)) for path in (
            f"/claims/{ref}/provider-answer/mentors", f"/claims/{ref}/provider-answer/mentors/1234567")],
        *[("POST", path, True, expect(422, 403, 403, 403, 303)) for path in (
            f"/claims/{ref}/provider-answer/mentors", f"/claims/{ref}/provider-answer/mentors/1234567")],
        # schools and trusts have their own pages (/school...): the support list and claim page send them there
        ("GET", "/claims", False, expect(200, 303, 303, 403, 303)),
        ("GET", "/claims?status=submitted&sort=amount&order=asc", False, expect(200, 303, 303, 403, 303)),
        ("GET", f"/claims/{ref}", False, expect(200, 303, 303, 403, 303)),
        # a trust user who has not chosen a school yet is sent to "Change organisation"
        ("GET", "/school", False, expect(403, 200, 303, 403, 303)),
        ("GET", "/school/claims", False, expect(403, 200, 303, 403, 303)),
        ("GET", f"/school/claims/{ref}", False, expect(403, 200, 303, 403, 303)),
        ("GET", "/school/organisation", False, expect(403, 403, 200, 403, 303)),
        ("GET", "/trust", False, expect(403, 403, 200, 403, 303)),
        ("GET", "/support/schools/100001/claims/new", False, expect(200, 403, 403, 403, 303)),
        ("GET", f"/claims/{ref}/invalid-provider", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/claims/download.csv", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/claims/sampling", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/claims/sampling/rounds", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/claims/sampling/rounds/r1", False, expect(200, 403, 403, 403, 303)),
        ("POST", "/claims/sampling/rounds/r1/providers/p1/resend", True, expect(303, 403, 403, 403, 303)),
        ("POST", "/claims/sampling/rounds/r1/providers/p1/remind", True, expect(303, 403, 403, 403, 303)),
        ("GET", "/claims/payments", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/claims/clawbacks", False, expect(200, 403, 403, 403, 303)),
        ("GET", "/activity", False, expect(200, 403, 403, 403, 303)),
        *[("GET", path, False, expect(200, 403, 403, 403, 303)) for path in (
            "/schools", "/schools?q=hackney", "/schools/100001", "/schools/gias", "/providers", "/providers/new",
            "/claim-windows", "/claim-windows/new")],
        *[("POST", path, True, expect(422, 403, 403, 403, 303)) for path in (
            "/schools/gias", "/providers/new", "/claim-windows/new")],
        ("GET", "/notifications", False, expect(200, 403, 403, 403, 303)),
        ("POST", f"/claims/{ref}/assign", True, expect(303, 403, 403, 403, 303)),
        *[("GET", path, False, expect(200, 403, 403, 403, 303)) for path in (
            "/claims/sampling/upload", "/claims/sampling/upload/u1", "/claims/sampling/response",
            "/claims/sampling/response/u1", "/claims/payments/response", "/claims/payments/response/u1",
            "/claims/clawbacks/response", "/claims/clawbacks/response/u1", "/claims/payments/send?claim_window_id=w1",
            "/claims/payments/batches/p1", "/claims/clawbacks/send", f"/claims/{ref}/sampling/approve",
            f"/claims/{ref}/sampling/reject", f"/claims/{ref}/payment/reject", f"/claims/{ref}/clawback/new",
            f"/claims/{ref}/clawback/review", f"/claims/{ref}/clawback/reject")],
        # the upload forms posted without a file: support is asked to select one, nobody else gets that far
        *[("POST", path, True, expect(422, 403, 403, 403, 303)) for path in (
            "/claims/sampling/upload", "/claims/payments/response")],
        *[("POST", path, True, expect(303, 403, 403, 403, 303)) for path in (
            "/claims/sampling/upload/u1/confirm", "/claims/sampling/upload/u1/cancel",
            f"/claims/{ref}/sampling/approve", f"/claims/{ref}/payment/paid",
            f"/claims/{ref}/payment/information-sent", f"/claims/{ref}/clawback/approve",
            "/claims/payments/send")],
        ("POST", "/claims/clawbacks/send", True, expect(200, 403, 403, 403, 303)),
        # provider response files (docs/design.md §12): a provider's own upload pages; support's per-provider files
        *[("GET", path, False, expect(403, 403, 403, 403, 303, provider=200)) for path in (
            "/provider/responses/upload", "/provider/responses/upload/u1")],
        # the stub's upload is still pending, so its "done" page sends the provider back to it
        ("GET", "/provider/responses/upload/u1/done", False, expect(403, 403, 403, 403, 303, provider=303)),
        ("POST", "/provider/responses/upload", True, expect(403, 403, 403, 403, 303, provider=422)),
        *[("POST", path, True, expect(403, 403, 403, 403, 303, provider=303)) for path in (
            "/provider/responses/upload/u1/confirm", "/provider/responses/upload/u1/cancel")],
        ("GET", "/claims/sampling/response-files/f1", False, expect(200, 403, 403, 403, 303)),
        ("POST", "/claims/sampling/response", True, expect(422, 403, 403, 403, 303)),
        ("GET", "/finance/statements", False, expect(403, 403, 403, 200, 303)),
        ("GET", "/finance/statements/s1", False, expect(403, 403, 403, 200, 303)),
        ("GET", "/finance/statements/s1/download/statement.csv", False, expect(403, 403, 403, 200, 303)),
        ("POST", "/finance/statements/s1/authorise", True, expect(403, 403, 403, 303, 303)),
        *[("GET", path, False, expect(403, 403, 403, 200, 303)) for path in (
            "/finance/contracts", "/finance/schedules", "/finance/participants", "/finance/participants?duplicates=yes",
            "/finance/participants/p1", "/finance/contracts/new", "/finance/schedules/new", "/finance/lead-providers")],
        ("POST", "/finance/lead-providers/lp1/email", True, expect(403, 403, 403, 303, 303)),
        ("POST", "/finance/participants/p1/eligible", True, expect(403, 403, 403, 303, 303)),
        # the finance forms posted empty: finance is asked to fill them in, nobody else gets that far
        *[("POST", path, True, expect(403, 403, 403, 422, 303)) for path in (
            "/finance/statements/s1/notes", "/finance/statements/s1/adjustments", "/finance/participants/p1/retire",
            "/finance/participants/p1/cohort", "/finance/contracts/c1/bands/A/capacity", "/finance/contracts/new",
            "/finance/schedules/new")],
    ]


async def _api_status(system: System, role: str, method: str, path: str, kwargs) -> int:
    headers = await system.as_user(ROLES[role]) if ROLES[role] else {}
    if role == "lead_provider":
        headers = {"Authorization": f"Bearer {LEAD_PROVIDER_TOKEN}"}
    if callable(kwargs):
        kwargs = kwargs(role)
    r = await system.client.request(method, path, headers=headers, **kwargs)
    if r.status_code >= 400:
        assert set(r.json()) == {"errors"}, r.text
        if path.startswith("/api/v3/"):  # JSON:API errors
            assert all({"title", "detail"} <= set(e) for e in r.json()["errors"]), r.text
    return r.status_code


async def with_provider_user(system: System) -> None:
    """The matrix's provider user (its provider id is the sampling stub's: the stub does not check it)."""
    await add_user(system.gateway_db, ROLES["provider"], PASSWORD, "provider", provider_ids=("p1",))


async def test_every_api_route_checks_role_and_organisation(infra):
    async with running_system(infra) as system:
        await with_provider_user(system)
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        got, wanted = {}, {}
        for method, path, kwargs, expected in api_cases(org["provider"]["id"], ref):
            for role, status in expected.items():
                got[(method, path, role)] = await _api_status(system, role, method, path, kwargs)
                wanted[(method, path, role)] = status
        assert got == wanted


async def test_every_page_checks_role_and_organisation(infra):
    async with running_system(infra) as system:
        await with_provider_user(system)
        org = await system.setup_organisations()
        ref = (await system.submit_hackney_claim(org, [("1234567", "Ada Lovelace", 5)]))["reference"]
        browsers = {role: await system.browser(email) for role, email in ROLES.items() if role != "lead_provider"}
        got, wanted = {}, {}
        try:
            for method, path, is_form, expected in page_cases(ref):
                for role, status in expected.items():
                    if role == "lead_provider":  # no session: the same as anonymous
                        continue
                    browser = browsers[role]
                    if is_form:
                        token = await _form_token(browser, role)
                        r = await browser.post(path, data={"csrf_token": token, "user_email": "",
                                                           "claim_window_id": "w1", "reason": "x",
                                                           "assurance_checks_done": "yes"})
                    else:
                        r = await browser.request(method, path)
                    got[(method, path, role)] = r.status_code
                    wanted[(method, path, role)] = status
                    if r.status_code == 303 and role == "anonymous":
                        assert r.headers["location"].startswith("/sign-in?next=")
        finally:
            for b in browsers.values():
                await b.aclose()
        assert got == wanted


async def _form_token(browser: httpx.AsyncClient, role: str) -> str:
    """The CSRF token a page gives this browser (its session's, or the pre-session one)."""
    r = await browser.get("/sign-in" if role == "anonymous" else "/", follow_redirects=True)
    return csrf_from(r.text)


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Basic dXNlcjpwYXNz", "Bearer"])
async def test_a_bad_or_foreign_credential_is_401_on_the_api(infra, header):
    async with running_system(infra) as system:
        r = await system.client.get("/api/v1/claims", headers={"Authorization": header})
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json()["errors"][0]["message"].startswith("You need to sign in")
