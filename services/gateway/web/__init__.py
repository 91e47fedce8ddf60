"""The web UI (GOV.UK Design System), one module per feature. ``routers`` is in matching order: the
Claims sub-sections (``/claims/sampling``, ``/claims/payments``, ...) come before ``/claims/{reference}``."""
from __future__ import annotations

from . import activity, auth, claims, clawbacks, ecf_admin, finance, links, payments, sampling, uploads

routers = [uploads.router, sampling.router, payments.router, clawbacks.router, finance.router, ecf_admin.router,
           auth.router, claims.router, activity.router, links.router]
