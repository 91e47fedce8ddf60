"""What `claimflow up` says about demo data and signing in (issue 26 item 14): with --no-seed on a
new data directory it loads nothing, so it must not claim the demo data is loaded nor list demo
sign-ins that do not exist; it says how to add a user instead."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import claimflow.stack
from claimflow.cli import cmd_up
from claimflow.stack import DEMO_PROVIDER_USER, DEMO_USERS, Stack


class StartedStack:
    """Stands in for the embedded system: `start` only records the data directory's state."""

    def __init__(self, *, data_dir: Path, gateway_port: int, replicas: int, seed: bool) -> None:
        self.data_dir = data_dir
        self.env = {"GATEWAY_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:55432/claimflow_gateway"}

    @property
    def demo_data_loaded(self) -> bool:
        return (self.data_dir / "seeded").exists()

    def start(self) -> None:
        pass

    def wait(self) -> None:
        raise KeyboardInterrupt  # the person presses Ctrl-C at once

    def stop(self) -> None:
        pass


def run_up(monkeypatch, capsys, data_dir: Path, *, no_seed: bool) -> str:
    monkeypatch.setenv("CLAIMFLOW_DATA_DIR", str(data_dir))
    monkeypatch.setattr(claimflow.stack, "Stack", StartedStack)
    assert cmd_up(argparse.Namespace(replicas=1, no_seed=no_seed)) == 0
    return capsys.readouterr().out


def test_up_with_no_seed_on_a_new_data_directory_lists_no_demo_sign_ins_and_says_how_to_add_a_user(
        tmp_path, monkeypatch, capsys):
    out = run_up(monkeypatch, capsys, tmp_path, no_seed=True)
    assert "No demo data was loaded (--no-seed), so there are no demo sign-ins." in out
    assert "claimflow users add --email you@example.com" in out
    assert "GATEWAY_DATABASE_URL" not in out  # the command finds the running system itself
    assert "Sign in with any of these" not in out
    for email, *_ in DEMO_USERS:
        assert email not in out


def test_up_on_a_data_directory_with_the_demo_data_lists_the_demo_sign_ins(tmp_path, monkeypatch, capsys):
    (tmp_path / "seeded").write_text("2026-12-01T10:00:00+00:00")
    out = run_up(monkeypatch, capsys, tmp_path, no_seed=True)
    assert "Sign in with any of these (password: claimflow-demo):" in out
    for email, *_ in DEMO_USERS:
        assert email in out
    assert f"{DEMO_PROVIDER_USER} " in out
    assert "No demo data was loaded" not in out


@pytest.mark.parametrize(("seeded", "seed", "said"), [
    (False, False, "No demo data loaded (--no-seed)"),
    (True, False, "Demo data already loaded"),
    (True, True, "Demo data already loaded"),
])
def test_the_start_up_progress_line_says_whether_demo_data_is_there(tmp_path, seeded, seed, said):
    if seeded:
        (tmp_path / "seeded").write_text("2026-12-01T10:00:00+00:00")
    lines: list[str] = []
    Stack(data_dir=tmp_path, seed=seed)._load_demo_data(lines.append)
    assert lines == [said]
