"""The sample generated in the service (docs/design.md §13), through the real sampling service (and claims
for the journey): generated from the projection, held as a pending sample upload, confirmed like an
uploaded file, recorded with its parameters and seed, extended without choosing a claim twice."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from shared.contracts import Actor, ClaimSubmitted
from shared.contracts.claims import MentorLine, ProviderSnapshot, SchoolSnapshot
from tests.support.claims import SUPPORT
from tests.support.messaging import eventually, publish
from tests.support.sampling import running_sampling, world

GENERATE = "/internal/v1/sampling/generate"
SAMPLES = "/internal/v1/sampling/uploads"


def submitted(reference: str, urn: str, amount: str, *, kind: str, phase: str, urban: str, by: str = "",
              mentor: str = "Ann Lee") -> ClaimSubmitted:
    return ClaimSubmitted(
        reference=reference, status="paid", claim_window_id="w1", academic_year="2026 to 2027",
        school=SchoolSnapshot(urn=urn, name=f"School {urn}", region="Rest of England", type_of_establishment=kind,
                              phase_of_education=phase, urban_rural=urban),
        provider=ProviderSnapshot(id="p1", name="Best Practice Network", email_addresses=("bpn@example.com",)),
        hourly_rate=Decimal("43.80"), amount=Decimal(amount), mentors=(MentorLine(trn="1234567", full_name=mentor,
                                                                                  hours=6),),
        submitted_at="2026-11-02T10:00:00+00:00", submitted_by_name=by,
        actor=Actor(email="head@example.com", role="school"))


async def test_a_generated_sample_is_explained_per_claim_reproducible_and_reported_per_stratum(infra, isolated_env):
    messages = [submitted("10000001", "900001", "3000.00", kind="Academy", phase="Primary", urban="Urban"),
                submitted("10000002", "900001", "2500.00", kind="Academy", phase="Primary", urban="Urban")]
    messages += [submitted(f"2000{i:04d}", f"91{i:04d}", "400.00", kind="Academy", phase="Primary", urban="Urban",
                           by="ann LEE") for i in range(10)]
    messages += [submitted(f"3000{i:04d}", f"92{i:04d}", "300.00", kind="Community school", phase="",
                           urban="Rural") for i in range(20)]
    await publish(isolated_env, *messages)
    async with running_sampling(infra, isolated_env) as sampling:
        async def projected():
            r = await sampling.get("/internal/v1/sampling/summary", headers=SUPPORT)
            assert r.json()["paid_claim_count"] == len(messages)
            return True
        await eventually(projected, timeout=30)

        body = {"claim_window_id": "w1", "seed": 1234}
        r = await sampling.post(GENERATE, headers=SUPPORT, json=body)
        assert r.status_code == 201, r.text
        first = r.json()
        strata = {s["stratum"]: s for s in first["strata"]}
        assert set(strata) == {"Academy · Primary · Urban", "Community school · Unknown · Rural"}
        assert strata["Community school · Unknown · Rural"]["claims"] == 20
        assert strata["Community school · Unknown · Rural"]["value"] == "6000.00"
        assert first["total"]["claims"] == 32 and first["total"]["value"] == "15500.00"
        assert first["total"]["sampled_claims"] == first["claim_count"]

        csv_response = await sampling.get(f"{SAMPLES}/{first['upload_id']}/sample.csv", headers=SUPPORT)
        rows = list(csv.DictReader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
        reasons = {row["claim_reference_number"]: row["claim_sample_reason"] for row in rows}
        assert reasons["10000001"] == reasons["10000002"] == "School claimed over £5,000"
        assert sum(1 for r in reasons.values() if r == "Random 20% of claims submitted by a mentor") == 2
        assert any(r == "Stratum: Community school · Unknown · Rural" for r in reasons.values())
        assert rows[0]["provider_id"] == "p1" and rows[0]["claim_window_id"] == "w1"

        again = (await sampling.post(GENERATE, headers=SUPPORT, json=body)).json()
        again_rows = (await sampling.get(f"{SAMPLES}/{again['upload_id']}/sample.csv", headers=SUPPORT)).content
        assert again_rows == csv_response.content  # same claims, parameters and seed: the same sample
        other = (await sampling.post(GENERATE, headers=SUPPORT, json={**body, "seed": 99})).json()
        other_rows = (await sampling.get(f"{SAMPLES}/{other['upload_id']}/sample.csv", headers=SUPPORT)).content
        assert other_rows != csv_response.content

        review = (await sampling.get(f"{SAMPLES}/{first['upload_id']}", headers=SUPPORT)).json()
        assert review["status"] == "pending" and review["claim_count"] == first["claim_count"]
        assert review["generation"]["seed"] == 1234 and review["generation"]["parameters"]["threshold"] == "5000.00"

        mus = await sampling.post(GENERATE, headers=SUPPORT, json={
            "claim_window_id": "w1", "seed": 5, "method": "mus", "tolerable_misstatement": "3000.00", "confidence": 95})
        assert mus.status_code == 201, mus.text
        assert mus.json()["sample_size"] == 16  # ⌈15,500 × 3.0 ÷ 3,000⌉
        assert mus.json()["total"]["value"] == "15500.00"


async def test_a_generated_sample_is_confirmed_like_a_file_and_an_extension_never_chooses_a_claim_again(
        infra, isolated_env):
    async with world(infra, isolated_env) as w:
        window = (await w.claim(w.refs["john"]))["claim_window_id"]
        body = {"claim_window_id": window, "seed": 7, "coverage_percent": 100, "threshold": "100000.00"}
        r = await w.sampling.post(GENERATE, headers=SUPPORT, json={**body, "coverage_percent": 30})
        assert r.status_code == 201, r.text
        first = r.json()
        confirmed = await w.sampling.post(f"{SAMPLES}/{first['upload_id']}/confirm", headers=SUPPORT)
        assert confirmed.status_code == 202, confirmed.text
        chosen = [row for row in (await w.sampling.get(f"{SAMPLES}/{first['upload_id']}/sample.csv",
                                                       headers=SUPPORT)).text.splitlines()[1:]]
        first_refs = {line.split(",")[4] for line in chosen}
        await w.wait_for_status(first_refs, "sampling_in_progress")
        await w.activity(f"Sample generated for claim window {window}: threshold £100,000.00, random share 20%, "
                         f"coverage 30%, seed 7")

        refused = await w.sampling.post(GENERATE, headers=SUPPORT, json=body)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["message"] == ("Claims in this claim window have already been sampled: "
                                                          "extend the sample instead")
        extended = await w.sampling.post(GENERATE, headers=SUPPORT, json={**body, "extend": True})
        assert extended.status_code == 201, extended.text
        assert extended.json()["total"]["claims"] == 4 - len(first_refs)
        rows = (await w.sampling.get(f"{SAMPLES}/{extended.json()['upload_id']}/sample.csv", headers=SUPPORT)).text
        assert not {line.split(",")[4] for line in rows.splitlines()[1:]} & first_refs


async def test_a_monetary_unit_sample_states_its_projected_misstatement_once_every_claim_is_answered(
        infra, isolated_env):
    from services.sampling.domain.generation import MusParameters, stringer_bound

    async with world(infra, isolated_env) as w:
        window = (await w.claim(w.refs["john"]))["claim_window_id"]
        # A tolerable misstatement of £1 makes the interval a few pence: every claim is chosen.
        r = await w.sampling.post(GENERATE, headers=SUPPORT, json={
            "claim_window_id": window, "seed": 3, "method": "mus", "tolerable_misstatement": "1.00", "confidence": 95})
        assert r.status_code == 201, r.text
        generated = r.json()
        assert generated["claim_count"] == 4
        assert (await w.sampling.post(f"{SAMPLES}/{generated['upload_id']}/confirm", headers=SUPPORT)).status_code == 202
        await w.wait_for_projection(w.refs.values(), "sampling_in_progress")
        review = (await w.sampling.get(f"{SAMPLES}/{generated['upload_id']}", headers=SUPPORT)).json()
        assert review["evaluation"] == {"complete": False, "open_claims": 4}
        round_view = (await w.sampling.get(f"/internal/v1/sampling/rounds/{generated['upload_id']}",
                                           headers=SUPPORT)).json()
        assert round_view["evaluation"] == {"complete": False, "open_claims": 4}

        answers = ("claim_reference,mentor_full_name,claim_assured,claim_not_assured_reason\n"
                   f"{w.refs['john']},John Smith,no,Did not attend\n{w.refs['jane']},Jane Doe,yes,\n"
                   f"{w.refs['both']},John Smith,yes,\n{w.refs['both']},Jane Doe,yes,\n"
                   f"{w.refs['other']},Grace Hopper,yes,\n")
        r = await w.sampling.post("/internal/v1/sampling/responses", headers=SUPPORT,
                                  files={"file": ("answers.csv", answers.encode(), "text/csv")})
        assert r.status_code == 201, r.text
        assert (await w.sampling.post(f"/internal/v1/sampling/responses/{r.json()['upload_id']}/confirm",
                                      headers=SUPPORT)).status_code == 202
        await w.wait_for_projection([w.refs["john"]], "sampling_provider_not_approved")
        rejected = await w.sampling.post(f"/internal/v1/claims/{w.refs['john']}/sampling/reject", headers=SUPPORT,
                                         json={"reason": "Evidence not provided"})
        assert rejected.status_code == 202, rejected.text
        await w.wait_for_projection([w.refs["john"]], "sampling_not_approved")
        await w.wait_for_projection([w.refs[n] for n in ("jane", "both", "other")], "paid")

        evaluation = (await w.sampling.get(f"{SAMPLES}/{generated['upload_id']}", headers=SUPPORT)).json()["evaluation"]
        john = Decimal((await w.claim(w.refs["john"]))["amount"])
        amounts = {w.refs[n]: Decimal((await w.claim(w.refs[n]))["amount"]) for n in ("john", "jane", "both", "other")}
        expected = stringer_bound(amounts, {w.refs["john"]: john}, population_value=sum(amounts.values()),
                                  parameters=MusParameters(Decimal("1.00"), 95))
        assert evaluation["complete"] and evaluation["misstated_claims"] == 1
        assert evaluation["projected_misstatement"] == f"{john:.2f}"  # a claim above the interval counts as it is
        assert evaluation["upper_bound"] == f"{expected.upper_bound:.2f}"
        assert Decimal(evaluation["upper_bound"]) > john
        # The sampling round of that sample states the same (docs/design.md §12, §13).
        round_view = (await w.sampling.get(f"/internal/v1/sampling/rounds/{generated['upload_id']}",
                                           headers=SUPPORT)).json()
        assert round_view["evaluation"] == evaluation
