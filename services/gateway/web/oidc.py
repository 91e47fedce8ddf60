"""DfE Sign-in (placeholder, filled in below)."""
from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)


def build_client(settings):
    return None
