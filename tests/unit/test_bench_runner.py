"""`bench/run_all.sh`: a benchmark that crashes, or ends without its result line, is reported as
failed to run and does not stop the benchmarks after it; the others' verdicts are summarised one a
line. The benchmarks are stood in for by a fake interpreter, so this takes a second."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
name="$(basename "$1" .py)"
echo "running $name" >> "$RAN"
case "$name" in
  claims_search) echo "Traceback: syntax error at or near SET"; exit 1 ;;
  ecf_statements) echo "all current statements: median 0.9 s"; exit 0 ;;
  bus_throughput) echo "BENCH-RESULT bus_throughput missed ratio 0.28 (>= 0.5)" ;;
  *) echo "BENCH-RESULT $name met figures of $name" ;;
esac
"""


def test_a_failing_benchmark_is_reported_and_the_others_still_run(tmp_path):
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON)
    fake.chmod(0o755)
    ran = tmp_path / "ran.txt"
    run = subprocess.run(["bash", str(ROOT / "bench" / "run_all.sh"), "--quick"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, env={**os.environ, "PY": str(fake), "RAN": str(ran),
                                                     "TMPDIR": str(tmp_path)})
    assert ran.read_text().split("\n")[:-1] == [
        "running claims_search", "running sampling_apply", "running ecf_statements", "running bus_throughput",
        "running load"]
    summary = run.stdout.split("==> Summary", 1)[1].splitlines()[1:]
    assert summary[0].startswith("claims_search: failed to run (exit 1 after ")
    assert summary[1].startswith("sampling_apply: passed its target: figures of sampling_apply [")
    assert summary[2].startswith("ecf_statements: failed to run (it printed no result")
    assert summary[3].startswith("bus_throughput: missed its target: ratio 0.28 (>= 0.5) [")
    assert summary[4].startswith("load: passed its target: figures of load [")
    assert run.returncode == 1


def test_every_benchmark_meeting_or_missing_its_target_is_a_successful_run(tmp_path):
    fake = tmp_path / "python"
    fake.write_text('#!/usr/bin/env bash\necho "BENCH-RESULT $(basename "$1" .py) met ok"\n')
    fake.chmod(0o755)
    run = subprocess.run(["bash", str(ROOT / "bench" / "run_all.sh")], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PY": str(fake), "TMPDIR": str(tmp_path)})
    summary = run.stdout.split("==> Summary", 1)[1].splitlines()[1:]
    assert len(summary) == 5 and all(": passed its target: ok [" in line for line in summary)
    assert run.returncode == 0


def test_an_unknown_option_is_refused_with_the_usage():
    run = subprocess.run(["bash", str(ROOT / "bench" / "run_all.sh"), "--fast"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 2 and "usage: ./cf bench [--quick]" in run.stderr
