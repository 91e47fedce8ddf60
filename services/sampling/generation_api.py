"""The command the internal ``POST /internal/v1/sampling/generate`` becomes. Its body is the contract's
``GenerateIn`` (shared.contracts.http.sampling); the gateway checks the public request in the same
words first, and this is the service's own guard on the amounts."""
from __future__ import annotations

from shared.contracts import Actor, Refused
from shared.contracts.http.sampling import GenerateIn
from shared.contracts.money import parse_money

from .domain.generation import DfeParameters, MusParameters
from .handlers import GenerateSample

__all__ = ["GenerateIn", "command_from"]


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
