"""The running system for end-to-end tests: every service as a real process (the same
orchestration as `claimflow up`), on free ports, with a throwaway data directory, once per session."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.stack import RunningSystem, running_stack


@pytest.fixture(scope="session")
def system(tmp_path_factory) -> RunningSystem:
    """The whole system with the demo data (`claimflow up` minus the terminal)."""
    with running_stack(tmp_path_factory.mktemp("system")) as running:
        yield running


@pytest.fixture(scope="session")
def screenshots(artifacts) -> Path:
    path = artifacts / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
