"""The JSON API (docs/design.md §9), one module per feature; ``routers`` in the order the OpenAPI document lists them."""
from __future__ import annotations

from . import (activity, auth, claims, clawbacks, ecf, ecf_admin, organisations, payments, provider, provider_responses,
               sample_generation, sampling, school_claims, users)

routers = [auth.router, organisations.router, claims.router, school_claims.router, activity.router, sampling.router,
           provider_responses.router,
           sample_generation.router, provider.router, payments.router, clawbacks.router, ecf.finance, ecf.lead_providers,
           ecf_admin.finance, ecf_admin.lead_providers, users.router, users.invitations]
