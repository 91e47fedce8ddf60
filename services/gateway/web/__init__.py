"""The web UI (GOV.UK Design System), one module per feature. ``routers`` is in matching order: the
Claims sub-sections (``/claims/sampling``, ``/claims/payments``, ...) come before ``/claims/{reference}``."""
from __future__ import annotations

from . import (activity, add_claim, auth, claim_windows, claims, clawbacks, ecf_admin, ecf_setup, finance, links, oidc,
               organisations, payments, provider, provider_answer, provider_responses, sample_generation, sampling,
               sampling_rounds, school, support_school, trust, uploads, users)

routers = [users.router, oidc.router, uploads.router, provider_responses.router, sample_generation.router,
           sampling_rounds.router, sampling.router,
           provider.router, provider_answer.router,  # accredited providers (§12)
           payments.router, clawbacks.router, finance.router, ecf_setup.router, ecf_admin.router, auth.router,
           add_claim.router, school.router, trust.router, support_school.router,  # schools and trusts (§11)
           claims.router, activity.router, organisations.router, claim_windows.router, links.router]
