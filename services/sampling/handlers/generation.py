"""The sample generated in the service (docs/design.md §13): generate and hold it as a pending sample
upload, so that its review, confirm, emails and statuses are an uploaded file's (``uploads``).

- The population is the paid claims of the claim window (or academic year) never sampled before;
  without ``extend``, a scope with claims sampled before is refused (extending says so knowingly).
- The upload keeps the method, parameters, seed, scope and report (``uploads.generation``): the
  confirm's activity log names them so that anyone can regenerate the same sample.
- For a confirmed monetary-unit sample whose answers are in, the view adds the projected
  misstatement and its upper bound (the Stringer bound) from the clawed-back claims.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from shared.contracts import CLAIMS_SAMPLED_BATCH, Actor, NotFound, Refused
from shared.csvfiles import write_csv

from ..domain.generation import (DfeParameters, GeneratedSample, MusParameters, generate_dfe, generate_mus,
                                 stringer_bound)
from ..domain.sample_upload import HEADERS
from ..ports import Clock, SamplingUnitOfWork

NOTHING_TO_SAMPLE = "There are no paid claims that can be sampled in this claim window"
ALREADY_SAMPLED = "Claims in this claim window have already been sampled: extend the sample instead"


@dataclass(frozen=True)
class GenerateSample:
    actor: Actor
    seed: int
    method: str = "dfe"
    claim_window_id: str | None = None
    academic_year: str | None = None
    extend: bool = False
    dfe: DfeParameters = DfeParameters()
    mus: MusParameters = MusParameters()


def _generate(command: GenerateSample, population: list, totals: dict[str, Decimal]) -> GeneratedSample:
    if command.method == "mus":
        return generate_mus(population, seed=command.seed, parameters=command.mus)
    return generate_dfe(population, seed=command.seed, parameters=command.dfe, school_totals=totals)


def describe(generation: dict[str, Any]) -> str:
    """How to regenerate a sample, as the activity log says it."""
    params = generation["parameters"]
    scope = (f"claim window {generation['claim_window_id']}" if generation.get("claim_window_id")
             else f"academic year {generation.get('academic_year')}")
    if params["method"] == "mus":
        how = (f"monetary-unit sampling, tolerable misstatement £{Decimal(params['tolerable_misstatement']):,.2f}, "
               f"confidence {params['confidence']}%")
    else:
        how = (f"threshold £{Decimal(params['threshold']):,.2f}, random share {params['random_percent']}%, "
               f"coverage {params['coverage_percent']}%")
    extended = ", extending the sample" if generation.get("extend") else ""
    return f"Sample generated for {scope}: {how}, seed {generation['seed']}{extended}"


@contextmanager
def _collector_paused():
    """Reading and drawing from 100,000 claims allocates a few hundred thousand objects that all live until
    the sample is held: the cyclic garbage collector, run every 700 allocations, walked them again and again
    (about 10% of a generate's CPU) and could free none of them. Paused for that stretch only."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def handle_generate_sample(command: GenerateSample, uow: SamplingUnitOfWork, clock: Clock, *,
                                 new_id: Callable[[], str]) -> dict[str, Any]:
    if not command.claim_window_id and not command.academic_year:
        raise Refused("Select a claim window", field="claim_window_id")
    with _collector_paused():
        population, totals, sampled_before = await uow.generation.population(
            claim_window_id=command.claim_window_id or None,
            academic_year=None if command.claim_window_id else command.academic_year)
        if sampled_before and not command.extend:
            raise Refused(ALREADY_SAMPLED, field="extend")
        sample = _generate(command, population, totals)
    if not sample.chosen:
        raise Refused(NOTHING_TO_SAMPLE, field="claim_window_id")
    generation = {"method": sample.method, "seed": command.seed, "parameters": sample.parameters,
                  "claim_window_id": command.claim_window_id, "academic_year": command.academic_year,
                  "extend": command.extend, **sample.report.as_dict(), **sample.extra}
    upload_id = new_id()
    providers = list(dict.fromkeys(c.provider_id for c in sample.chosen))
    await uow.uploads.add(
        id=upload_id, kind="sample", status="pending", file_name=f"generated-sample-{command.seed}.csv",
        row_count=sample.claim_count, claim_count=sample.claim_count, provider_ids=providers, rows=[],
        created_by=command.actor.email, created_at=clock.now(), generation=generation)
    await uow.uploads.add_sample_claims(
        upload_id, [(c.reference, c.reason, c.provider_id, n) for n, c in enumerate(sample.chosen, start=1)],
        batch_size=CLAIMS_SAMPLED_BATCH)
    await uow.commit()
    return {"upload_id": upload_id, "claim_count": sample.claim_count, **generation}


async def handle_sample_csv(upload_id: str, uow: SamplingUnitOfWork, clock: Clock) -> tuple[str, bytes]:
    """(file name, the proposed sample in the sampling file's format)."""
    upload = await uow.uploads.get(upload_id, kind="sample")
    if upload is None:
        raise NotFound("There is no such upload", field="upload_id")
    rows = await uow.generation.sample_rows(upload_id)
    return upload["file_name"], write_csv(HEADERS, [{**r, "claim_id": r["claim_reference_number"]} for r in rows])


async def evaluation(upload: dict[str, Any], uow: SamplingUnitOfWork) -> dict[str, Any] | None:
    """A confirmed monetary-unit sample's projected misstatement and upper bound, once every claim
    has its answer and decision; None otherwise."""
    generation = upload.get("generation")
    if not generation or generation.get("method") != "mus" or upload["status"] != "confirmed":
        return None
    amounts, wrong, still_open = await uow.generation.outcome(upload["id"])
    if still_open:
        return {"complete": False, "open_claims": still_open}
    params = generation["parameters"]
    bound = stringer_bound(amounts, wrong, population_value=Decimal(generation["population_value"]),
                           parameters=MusParameters(Decimal(params["tolerable_misstatement"]),
                                                    int(params["confidence"])))
    return {"complete": True, "open_claims": 0, "misstated_claims": len(wrong),
            "clawed_back": f"{sum(wrong.values(), Decimal(0)):.2f}",
            "projected_misstatement": f"{bound.projected_misstatement:.2f}",
            "upper_bound": f"{bound.upper_bound:.2f}",
            "tolerable_misstatement": params["tolerable_misstatement"]}
