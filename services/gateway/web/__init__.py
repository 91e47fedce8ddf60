"""The web UI (GOV.UK Design System), one module per feature. ``routers`` is in matching order: the
Claims sub-sections (``/claims/sampling``, ``/claims/payments``, ...) come before ``/claims/{reference}``."""
from __future__ import annotations

from . import (activity, auth, claim_windows, claims, clawbacks, finance, links, oidc, organisations, payments,
               sample_generation, sampling, uploads, users)

routers = [users.router, oidc.router, uploads.router, sample_generation.router, sampling.router, payments.router,
           clawbacks.router, finance.router, auth.router, claims.router, activity.router, organisations.router,
           claim_windows.router, links.router]
