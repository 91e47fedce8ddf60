"""One-time download links (sampling's and payments' files): whether a link would download, asked
without spending it (the gateway's link page before its download button)."""
from __future__ import annotations

from .base import Wire


class LinkStatus(Wire):
    #: "ok", or why not: "unknown", "used", "expired", "revoked" (``shared.platform.links.link_status``).
    status: str
