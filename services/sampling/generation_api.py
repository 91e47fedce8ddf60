"""The body of the internal ``POST /internal/v1/sampling/generate`` (the gateway checks the public
request in the same words; this is the service's own guard) and the command it becomes."""
from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import Actor, Refused
from shared.contracts.money import parse_money

from .domain.generation import DfeParameters, MusParameters
from .handlers import GenerateSample


class GenerateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["dfe", "mus"] = "dfe"
    claim_window_id: str | None = Field(default=None, max_length=64)
    academic_year: str | None = Field(default=None, max_length=16)
    seed: int = Field(ge=0, le=2**63 - 1)
    extend: bool = False
    threshold: str = "5000.00"
    random_percent: Decimal = Field(default=Decimal(20), ge=0, le=100)
    coverage_percent: Decimal = Field(default=Decimal(10), ge=0, le=100)
    tolerable_misstatement: str = "50000.00"
    confidence: Literal[90, 95] = 95


def command_from(body: GenerateIn, actor: Actor) -> GenerateSample:
    threshold = parse_money(body.threshold, field="threshold")
    tolerable = parse_money(body.tolerable_misstatement, field="tolerable_misstatement")
    if threshold < 0:
        raise Refused("The threshold must be £0 or more", field="threshold")
    if tolerable <= 0:
        raise Refused("The tolerable misstatement must be more than £0", field="tolerable_misstatement")
    return GenerateSample(
        actor=actor, seed=body.seed, method=body.method, claim_window_id=body.claim_window_id,
        academic_year=body.academic_year, extend=body.extend,
        dfe=DfeParameters(threshold=threshold, random_percent=body.random_percent,
                          coverage_percent=body.coverage_percent),
        mus=MusParameters(tolerable_misstatement=tolerable, confidence=body.confidence))
