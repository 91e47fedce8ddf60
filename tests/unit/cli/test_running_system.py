"""A command finds the running embedded system through the data directory (issue 24): the
addresses `claimflow up` recorded fill the settings the environment lacks, the environment wins
where it has them, and a stopped or absent system is said plainly."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from claimflow import running
from claimflow.cli import cmd_users_add

RECORDED = {"GATEWAY_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:55999/claimflow_gateway",
            "CLAIMS_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:55999/claimflow_claims",
            "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:59092", "KAFKA_TOPIC_PREFIX": "t1.", "SECRET_KEY": "not kept"}


def test_the_running_file_keeps_only_addresses_and_fills_what_the_environment_lacks(tmp_path):
    running.record(tmp_path, RECORDED)
    assert "SECRET_KEY" not in (tmp_path / running.RUNNING_FILE).read_text()
    environ = {"CLAIMS_DATABASE_URL": "postgresql+asyncpg://elsewhere/claims"}
    running.find(["GATEWAY_DATABASE_URL", "CLAIMS_DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"], environ=environ,
                 directory=tmp_path)
    assert environ == {"CLAIMS_DATABASE_URL": "postgresql+asyncpg://elsewhere/claims",
                       "GATEWAY_DATABASE_URL": RECORDED["GATEWAY_DATABASE_URL"],
                       "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:59092", "KAFKA_TOPIC_PREFIX": "t1."}


def test_settings_already_in_the_environment_need_no_running_system(tmp_path):
    environ = {"GATEWAY_DATABASE_URL": "postgresql+asyncpg://db/claimflow_gateway"}
    running.find(["GATEWAY_DATABASE_URL"], environ=environ, directory=tmp_path)
    assert environ == {"GATEWAY_DATABASE_URL": "postgresql+asyncpg://db/claimflow_gateway"}


def test_a_running_file_left_by_a_process_that_is_gone_counts_as_not_running(tmp_path):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    running.record(tmp_path, RECORDED, pid=gone.pid)
    with pytest.raises(running.NotRunning, match="No running ClaimFlow was found"):
        running.find(["GATEWAY_DATABASE_URL"], environ={}, directory=tmp_path)


def test_users_add_with_nothing_running_says_so_and_how_to_start_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLAIMFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GATEWAY_DATABASE_URL", raising=False)
    code = cmd_users_add(argparse.Namespace(email="a@example.com", password="long enough", role="support",
                                            school=None, trust=None))
    err = capsys.readouterr().err
    assert code == 2
    assert f"No running ClaimFlow was found in {tmp_path}" in err and "./cf up" in err
    assert "5432" not in err and "GATEWAY_DATABASE_URL" in err


def test_stopping_removes_the_running_file(tmp_path):
    running.record(tmp_path, RECORDED, pid=os.getpid())
    assert running.read(tmp_path)["KAFKA_BOOTSTRAP_SERVERS"] == "127.0.0.1:59092"
    running.forget(tmp_path)
    assert running.read(tmp_path) is None
