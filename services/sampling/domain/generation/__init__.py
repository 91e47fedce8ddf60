"""The sample generated in the service (docs/design.md §13): pure, reproducible from a seed.

Policy:
- **Population**: the paid claims of one claim window (or academic year) that were never sampled
  before (a claim already sampled, or sampled and assured, is never chosen again: "extend" runs the
  same method over what is left). The caller passes only those claims.
- **DfE method** (``generate_dfe``), in three steps, each claim chosen once with its reason:
  1. every claim of a school whose claims in the window total **more than** the threshold (default
     £5,000): "School claimed over £5,000";
  2. of the rest, exactly ``round(random_percent% × eligible)`` claims (halves rounded up) chosen at
     random among the *eligible* claims, those submitted by a user who is one of the claim's mentors
     (same full name ignoring case and extra spaces): "Random 20% of claims submitted by a mentor";
  3. the rest in strata of establishment type × phase × urban/rural ("Unknown" where the school
     data lacks one): in each stratum the claims, in a random order, are added one by one until the
     sampled value reaches ``coverage_percent`` of the value of the stratum's claims left after steps
     1 and 2; no claim is added once the target is met (a stratum with no value takes none):
     "Stratum: Academy · Primary · Urban".
- **Monetary-unit sampling** (``generate_mus``): n = ⌈value × R ÷ tolerable misstatement⌉, R = 3.0 at
  95% and 2.3 at 90% confidence; interval J = value ÷ n; a systematic walk over the cumulative amounts
  (claims in reference order) from a random start in [0, J) chooses the claim under each point; a
  claim of at least J always holds a point, and a claim under several points is chosen once (so the
  sample may hold fewer than n claims). ``stringer_bound`` gives the projected misstatement and its
  upper bound once the answers are in (``mus``'s docstring).
- **Randomness** comes only from ``random.Random(seed)``, drawn in a fixed order over claims sorted by
  reference: the same claims, parameters and seed give the same sample; iteration order of the input
  does not matter.
- **Money** is ``Decimal`` throughout; the report's percentages are rounded half up to one place.
- The **coverage report** (``coverage``) lists, per stratum and in total, the claims, their value,
  the sampled claims, their value and the percentage of value sampled, whatever rule chose them.
"""
from .coverage import UNKNOWN, CoverageReport, StratumCoverage, coverage_report, stratum_of
from .dfe import DfeParameters, generate_dfe
from .model import Candidate, ChosenClaim, GeneratedSample
from .mus import (MusParameters, StringerBound, generate_mus, mus_interval, mus_sample_size, poisson_factor,
                  stringer_bound)

__all__ = [
    "UNKNOWN", "CoverageReport", "StratumCoverage", "coverage_report", "stratum_of", "DfeParameters",
    "generate_dfe", "Candidate", "ChosenClaim", "GeneratedSample", "MusParameters", "StringerBound",
    "generate_mus", "mus_interval", "mus_sample_size", "poisson_factor", "stringer_bound",
]
